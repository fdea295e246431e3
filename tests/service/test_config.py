"""Settings from the environment: the branding is `neutre` unless a State service asks for `etat`."""
from __future__ import annotations

import pytest

from service import config


def test_the_branding_defaults_to_neutral_and_refuses_an_unknown_value(tmp_path, monkeypatch):
    monkeypatch.delenv("VIGIE_BRANDING", raising=False)
    assert config.load(str(tmp_path))["VIGIE_BRANDING"] == "neutre"
    monkeypatch.setenv("VIGIE_BRANDING", "etat")
    assert config.load(str(tmp_path))["VIGIE_BRANDING"] == "etat"
    monkeypatch.setenv("VIGIE_BRANDING", "marianne")
    with pytest.raises(RuntimeError, match="VIGIE_BRANDING"):
        config.load(str(tmp_path))


def test_production_refuses_a_missing_short_or_well_known_secret_key(tmp_path, monkeypatch):
    monkeypatch.setenv("VIGIE_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY manquant"):
        config.load(str(tmp_path))
    for weak in ("changeme", "x" * 31, "please-change-this-secret-key-in-production"):
        monkeypatch.setenv("SECRET_KEY", weak)
        with pytest.raises(RuntimeError, match="SECRET_KEY refusé en production"):
            config.load(str(tmp_path))
    monkeypatch.setenv("SECRET_KEY", "7f" * 32)
    loaded = config.load(str(tmp_path))
    assert loaded["SECRET_KEY"] == "7f" * 32 and loaded["SESSION_COOKIE_SECURE"] is True
    assert not (tmp_path / "secret_key").exists()  # nothing written in production


def test_development_creates_a_random_key_once_readable_by_its_owner_only(tmp_path, monkeypatch):
    monkeypatch.delenv("VIGIE_ENV", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = config.load(str(tmp_path))["SECRET_KEY"]
    assert len(first) == 64 and config.load(str(tmp_path))["SECRET_KEY"] == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
