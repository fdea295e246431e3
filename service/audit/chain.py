"""How an event is hashed. `hash = SHA-256(prev_hash ‖ canonical JSON of the event)`."""
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


def event_hash(prev_hash: str, *, seq: int, created_at: datetime, actor_id: int | None,
               actor_role: str | None, case_id: int | None, procedure_id: int | None,
               task_id: str | None, event_type: str, payload: str) -> str:
    """The chained hash of one event. `payload` is the stored canonical JSON text, hashed as is."""
    body = canonical_json({
        "seq": seq, "created_at": timestamp(created_at), "actor_id": actor_id,
        "actor_role": actor_role, "case_id": case_id, "procedure_id": procedure_id,
        "task_id": task_id, "event_type": event_type, "payload": payload,
    })
    return hashlib.sha256(prev_hash.encode("ascii") + body.encode("utf-8")).hexdigest()
