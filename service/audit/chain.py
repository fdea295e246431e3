"""How an event is hashed.

Scheme 2 (since migration 0003), an RFC 6962 leaf with domain separation:

    hash = SHA-256(0x00 ‖ prev_hash ‖ "\n" ‖ canonical JSON of the event, payload as an object)

so each event is chained to the one before it, and its hash is also its leaf in the Merkle tree
(inner nodes are prefixed 0x01, see merkle.py). Scheme 1, for events written before 0003:
`SHA-256(prev_hash ‖ canonical JSON with the payload as a string)`.
"""
from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64


def canonical_json(value: Any) -> str:
    """Sorted keys, no spaces, UTF-8 text, no NaN: the same bytes for the same value, everywhere."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False)


def timestamp(value: datetime) -> str:
    """UTC, microseconds, `Z`: what both databases give back for the same instant."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


LEAF = b"\x00"
CURRENT_SCHEME = 2


def entry_v2(*, seq: int, created_at: str, actor_id: int | None, actor_role: str | None,
             case_id: int | None, procedure_id: int | None, task_id: str | None, event_type: str,
             payload: str) -> str:
    """The canonical JSON of an event with its payload (already canonical JSON text) embedded as
    an object: the same text as `canonical_json` of the event, built without re-encoding."""
    dump = _dump
    return (f'{{"actor_id":{dump(actor_id)},"actor_role":{dump(actor_role)},"case_id":{dump(case_id)},'
            f'"created_at":{dump(created_at)},"event_type":{dump(event_type)},"payload":{payload},'
            f'"procedure_id":{dump(procedure_id)},"seq":{seq},"task_id":{dump(task_id)}}}')


_LABELS: dict[str | None, str] = {}  # JSON of the few roles and event types, computed once


def stored_entry(seq: int, created_at: str, actor_id: int | None, actor_role: str | None,
                 case_id: int | None, procedure_id: int | None, task_id: str | None,
                 event_type: str, payload: str) -> str:
    """`entry_v2` for values read from the table, whose columns are typed (ints are ints):
    the verification's hot path, a million times per run."""
    labels = _LABELS
    role = labels.get(actor_role)
    if role is None:
        role = labels.setdefault(actor_role, _dump(actor_role))
    kind = labels.get(event_type)
    if kind is None:
        kind = labels.setdefault(event_type, _dump(event_type))
    return (f'{{"actor_id":{"null" if actor_id is None else actor_id},"actor_role":{role},'
            f'"case_id":{"null" if case_id is None else case_id},"created_at":"{created_at}",'
            f'"event_type":{kind},"payload":{payload},'
            f'"procedure_id":{"null" if procedure_id is None else procedure_id},"seq":{seq},'
            f'"task_id":{"null" if task_id is None else _dump(task_id)}}}')


def _dump(value: Any) -> str:
    """JSON of a scalar field, as `json.dumps(..., ensure_ascii=False)` writes it (faster for the
    plain ASCII strings that ids, roles, types and timestamps are)."""
    if value is None:
        return "null"
    if isinstance(value, int):
        return str(value)
    if value.isascii() and value.isprintable() and '"' not in value and "\\" not in value:
        return f'"{value}"'
    return json.dumps(value, ensure_ascii=False)


def leaf_hash(prev_hash: str, entry: str) -> str:
    """Scheme 2: the chained RFC 6962 leaf hash of an event's canonical entry."""
    return hashlib.sha256(LEAF + prev_hash.encode("ascii") + b"\n" + entry.encode("utf-8")).hexdigest()


def hash_event(scheme: int, prev_hash: str, *, seq: int, created_at: datetime | str,
               actor_id: int | None, actor_role: str | None, case_id: int | None,
               procedure_id: int | None, task_id: str | None, event_type: str, payload: str) -> str:
    """The hash of an event under its scheme. `payload` is the stored canonical JSON text."""
    stamp = created_at if isinstance(created_at, str) else timestamp(created_at)
    if scheme == 1:
        return event_hash(prev_hash, seq=seq, created_at=stamp, actor_id=actor_id,
                          actor_role=actor_role, case_id=case_id, procedure_id=procedure_id,
                          task_id=task_id, event_type=event_type, payload=payload)
    return leaf_hash(prev_hash, entry_v2(
        seq=seq, created_at=stamp, actor_id=actor_id, actor_role=actor_role, case_id=case_id,
        procedure_id=procedure_id, task_id=task_id, event_type=event_type, payload=payload))


def event_hash(prev_hash: str, *, seq: int, created_at: datetime | str, actor_id: int | None,
               actor_role: str | None, case_id: int | None, procedure_id: int | None,
               task_id: str | None, event_type: str, payload: str) -> str:
    """Scheme 1: the chained hash of one event, payload as a string (events before 0003)."""
    stamp = created_at if isinstance(created_at, str) else timestamp(created_at)
    body = canonical_json({
        "seq": seq, "created_at": stamp, "actor_id": actor_id,
        "actor_role": actor_role, "case_id": case_id, "procedure_id": procedure_id,
        "task_id": task_id, "event_type": event_type, "payload": payload,
    })
    return hashlib.sha256(prev_hash.encode("ascii") + body.encode("utf-8")).hexdigest()
