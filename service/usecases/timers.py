"""Firing due timers. A timer never acts for a person: it opens a reminder or escalation task."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from workflows import WorkflowError

from ..access import Actor
from ..extensions import db
from ..models import Procedure
from ..models.types import utcnow
from .engine_glue import restore, save_run
from .unit_of_work import unit_of_work


def _due_procedures(now: datetime, limit: int) -> list[int]:
    query = (select(Procedure.id).where(Procedure.next_timer_at.is_not(None),
                                        Procedure.next_timer_at <= now,
                                        Procedure.status.in_(("running", "waiting")))
             .order_by(Procedure.next_timer_at).limit(limit))
    return list(db.session.scalars(query))


def fire_due_timers(now: datetime | None = None, limit: int = 100) -> list[int]:
    """Advance every procedure whose next timer is due, each in its own transaction.

    On PostgreSQL the row is taken with `FOR UPDATE SKIP LOCKED`, so two workers never fire the
    same timer. Returns the ids of the procedures that moved.
    """
    now = now or utcnow()
    moved = []
    for procedure_id in _due_procedures(now, limit):
        with unit_of_work(Actor.system()) as uow:
            query = (select(Procedure).where(Procedure.id == procedure_id,
                                             Procedure.next_timer_at <= now)
                     .with_for_update(skip_locked=True, of=Procedure)
                     .execution_options(populate_existing=True))
            procedure = db.session.scalars(query).first()
            if procedure is None:
                continue  # another worker has it, or it moved meanwhile
            try:
                _, run = restore(procedure)
                result = run.advance()
            except WorkflowError:
                continue  # left due; logged by the caller with the procedure id only
            if result.events:
                save_run(uow, procedure, procedure.case, run, result, utcnow())
                moved.append(procedure_id)
            else:
                procedure.next_timer_at = result.snapshot.next_timer_at
    return moved
