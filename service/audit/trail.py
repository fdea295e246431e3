"""Appending to the trail, inside the caller's transaction."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select, text

from ..extensions import db
from ..models import AuditEvent
from ..models.types import utcnow
from .chain import CURRENT_SCHEME, GENESIS, canonical_json, hash_event

_PG_LOCK = 0x56494749  # "VIGI": one advisory lock serialises appends to the chain


@dataclass
class PendingEvent:
    event_type: str
    actor_id: int | None
    actor_role: str | None
    case_id: int | None = None
    procedure_id: int | None = None
    task_id: str | None = None
    payload: dict[str, Any] = field(default_factory=dict)


def append(events: list[PendingEvent], now: datetime | None = None) -> list[AuditEvent]:
    """Chain and add `events` to the session, after the current head. Flushes; never commits.

    Appends are serialised: PostgreSQL takes a transaction-level advisory lock; SQLite already
    holds the write lock since BEGIN IMMEDIATE.
    """
    if not events:
        return []
    session = db.session
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK})
    head = session.execute(select(AuditEvent.seq, AuditEvent.hash)
                           .order_by(AuditEvent.seq.desc()).limit(1)).first()
    seq, prev = (head.seq, head.hash) if head else (0, GENESIS)
    created_at = now or utcnow()
    rows = []
    for event in events:
        seq += 1
        payload = canonical_json(event.payload)
        digest = hash_event(CURRENT_SCHEME, prev, seq=seq, created_at=created_at, actor_id=event.actor_id,
                            actor_role=event.actor_role, case_id=event.case_id,
                            procedure_id=event.procedure_id, task_id=event.task_id,
                            event_type=event.event_type, payload=payload)
        rows.append(AuditEvent(seq=seq, created_at=created_at, actor_id=event.actor_id,
                               actor_role=event.actor_role, case_id=event.case_id,
                               procedure_id=event.procedure_id, task_id=event.task_id,
                               event_type=event.event_type, payload=payload, prev_hash=prev,
                               hash=digest, hash_version=CURRENT_SCHEME))
        prev = digest
    session.add_all(rows)
    session.flush()
    return rows
