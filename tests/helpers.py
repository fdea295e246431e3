"""Assertions shared by service and route tests."""
from __future__ import annotations

import hashlib

import sqlalchemy as sa

from service.extensions import db
from service.models import HumanTask, Procedure
from service.usecases.tasks import inbox


def fingerprint() -> tuple:
    """Everything a refused request must leave untouched: row counts, procedure states, the inbox."""
    db.session.rollback()
    counts = tuple((t.name, db.session.scalar(sa.select(sa.func.count()).select_from(t)))
                   for t in db.metadata.sorted_tables)
    procedures = tuple((p.id, p.version, p.status, hashlib.sha256(p.state.encode()).hexdigest())
                       for p in db.session.scalars(sa.select(Procedure).order_by(Procedure.id)))
    tasks = tuple(db.session.execute(sa.select(HumanTask.id, HumanTask.state).order_by(HumanTask.id)).all())
    db.session.rollback()
    return counts, procedures, tasks


def ready_task(actor, spec_id: str, procedure_id: int | None = None) -> HumanTask:
    """The one ready task `spec_id` in the actor's inbox."""
    found = [t for t in inbox(actor) if t.spec_id == spec_id
             and (procedure_id is None or t.procedure_id == procedure_id)]
    assert len(found) == 1, f"{spec_id}: {[t.spec_id for t in inbox(actor)]}"
    return found[0]
