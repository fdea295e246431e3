"""Signed checkpoints of the trail: the tree size, its root and the time, signed with Ed25519.

The signing key is a file outside the database (`VIGIE_AUDIT_KEY`): someone who can rewrite the
database cannot sign a checkpoint for the rewritten trail. Checkpoints are small JSON files,
written to a directory meant to be copied elsewhere (`VIGIE_CHECKPOINT_DIR`); an auditor keeps
them, and the public key, to check the trail or a case export later.
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

FORMAT = "vigie-checkpoint/1"


@dataclass(frozen=True)
class Checkpoint:
    tree_size: int
    root_hash: str  # hex
    timestamp: str  # UTC, ISO 8601
    key_id: str  # first 16 hex digits of SHA-256(public key)
    public_key: str  # base64 of the raw 32-byte Ed25519 key
    signature: str  # base64 of the Ed25519 signature of `message()`
    format: str = FORMAT

    def message(self) -> bytes:
        return signed_text(self.tree_size, self.root_hash, self.timestamp).encode("ascii")

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_dict(cls, data: dict) -> Checkpoint:
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError("ce n'est pas un point de contrôle Vigie")
        try:
            return cls(int(data["tree_size"]), str(data["root_hash"]), str(data["timestamp"]),
                       str(data["key_id"]), str(data["public_key"]), str(data["signature"]))
        except (KeyError, TypeError, ValueError) as e:
            raise ValueError(f"point de contrôle incomplet ({e})") from None

    @classmethod
    def read(cls, path: Path | str) -> Checkpoint:
        try:
            return cls.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))
        except (OSError, json.JSONDecodeError) as e:
            raise ValueError(f"{path} illisible ({e})") from None

    def signature_valid(self, trusted: Ed25519PublicKey | None = None) -> bool:
        """The signature holds for `trusted` (or, without one, for the key the file names)."""
        key = trusted or Ed25519PublicKey.from_public_bytes(base64.b64decode(self.public_key))
        if trusted is not None and key_id(trusted) != self.key_id:
            return False
        try:
            key.verify(base64.b64decode(self.signature), self.message())
        except (InvalidSignature, ValueError):
            return False
        return True


def signed_text(tree_size: int, root_hash: str, timestamp: str) -> str:
    return f"{FORMAT}\n{tree_size}\n{root_hash}\n{timestamp}\n"


def raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(key: Ed25519PublicKey) -> str:
    return hashlib.sha256(raw_public(key)).hexdigest()[:16]


def sign(key: Ed25519PrivateKey, tree_size: int, root_hash: str, timestamp: str) -> Checkpoint:
    public = key.public_key()
    signature = key.sign(signed_text(tree_size, root_hash, timestamp).encode("ascii"))
    return Checkpoint(tree_size, root_hash, timestamp, key_id(public),
                      base64.b64encode(raw_public(public)).decode(), base64.b64encode(signature).decode())


def load_or_create_key(path: Path) -> tuple[Ed25519PrivateKey, bool]:
    """The signing key at `path` (PEM, PKCS#8); created, readable by its owner only, if missing.
    Its public key is written beside it as `<path>.pub` (PEM) for auditors."""
    if path.exists():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError(f"{path} n'est pas une clé Ed25519")
        return key, False
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    public_path(path).write_bytes(key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    return key, True


def public_path(key_path: Path) -> Path:
    return key_path.with_name(key_path.name + ".pub")


def load_public(path: Path | str) -> Ed25519PublicKey:
    key = serialization.load_pem_public_key(Path(path).read_bytes())
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError(f"{path} n'est pas une clé publique Ed25519")
    return key
