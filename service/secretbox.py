"""Encrypt small secrets at rest (the TOTP seeds) with a key derived from SECRET_KEY.

A copy of the database alone does not give the seeds away. Changing SECRET_KEY makes the stored
seeds unreadable: the users concerned enrol again (`vigie reset-totp`).
"""
from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

_INFO = b"vigie totp secret v1"


def _fernet() -> Fernet:
    secret = str(current_app.config["SECRET_KEY"]).encode("utf-8")
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(secret)
    return Fernet(base64.urlsafe_b64encode(key))


def seal(value: str) -> str:
    return _fernet().encrypt(value.encode("utf-8")).decode("ascii")


def unseal(value: str) -> str | None:
    """The clear value, or None when it was sealed under another SECRET_KEY."""
    try:
        return _fernet().decrypt(value.encode("ascii")).decode("utf-8")
    except (InvalidToken, ValueError):
        return None
