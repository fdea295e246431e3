"""Recomputing the chain from the database."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ..extensions import db
from ..models import AuditEvent
from .chain import GENESIS, event_hash


@dataclass(frozen=True)
class Verification:
    ok: bool
    events: int
    head: str
    broken_seq: int | None = None
    reason: str | None = None


def verify_chain(batch: int = 5000) -> Verification:
    """Walk every event in `seq` order; name the first one whose link or hash does not hold."""
    columns = (AuditEvent.seq, AuditEvent.created_at, AuditEvent.actor_id, AuditEvent.actor_role,
               AuditEvent.case_id, AuditEvent.procedure_id, AuditEvent.task_id,
               AuditEvent.event_type, AuditEvent.payload, AuditEvent.prev_hash, AuditEvent.hash)
    result = db.session.execute(select(*columns).order_by(AuditEvent.seq)
                                .execution_options(yield_per=batch))
    expected_seq, prev, count = 1, GENESIS, 0
    for row in result:
        if row.seq != expected_seq:
            reason = "événement manquant" if row.seq > expected_seq else "numéro en double"
            return Verification(False, count, prev, expected_seq, reason)
        if row.prev_hash != prev:
            return Verification(False, count, prev, row.seq, "chaînage rompu (prev_hash)")
        digest = event_hash(prev, seq=row.seq, created_at=row.created_at, actor_id=row.actor_id,
                            actor_role=row.actor_role, case_id=row.case_id,
                            procedure_id=row.procedure_id, task_id=row.task_id,
                            event_type=row.event_type, payload=row.payload)
        if digest != row.hash:
            return Verification(False, count, prev, row.seq, "contenu modifié (hash)")
        prev, expected_seq, count = digest, expected_seq + 1, count + 1
    return Verification(True, count, prev)
