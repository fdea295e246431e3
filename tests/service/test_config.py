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
