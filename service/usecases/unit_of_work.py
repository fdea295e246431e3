"""One use case, one transaction: collect audit events, append them chained, commit once."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy.orm.exc import StaleDataError

from ..access import Actor
from ..audit import PendingEvent, append
from ..errors import Conflict
from ..extensions import WRITE_INTENT, db


class UnitOfWork:
    """Holds the events of the use case; `commit()` appends them and commits."""

    def __init__(self, actor: Actor | None):
        self.actor = actor
        self.session = db.session
        self._events: list[PendingEvent] = []

    def record(self, event_type: str, *, case_id: int | None = None,
               procedure_id: int | None = None, task_id: str | None = None,
               actor: Actor | None = None, **payload: Any) -> None:
        """Queue an event; it is written with the transaction, or not at all."""
        who = actor or self.actor
        self._events.append(PendingEvent(
            event_type=event_type, actor_id=who.user_id if who else None,
            actor_role=who.role if who else None, case_id=case_id, procedure_id=procedure_id,
            task_id=task_id, payload=payload))

    def commit(self) -> None:
        append(self._events)
        self._events = []
        self.session.commit()


@contextmanager
def unit_of_work(actor: Actor | None) -> Iterator[UnitOfWork]:
    """Commit the use case's writes and events together; roll back on any error, so nothing is
    half-written.

    :raises Conflict: when another transaction changed a procedure read here (lost update).
    """
    db.session.commit()  # end what the request read before: the use case starts from a fresh snapshot
    token = WRITE_INTENT.set(True)
    uow = UnitOfWork(actor)
    try:
        yield uow
        uow.commit()
    except StaleDataError as e:
        db.session.rollback()
        raise Conflict("La procédure a été modifiée entre-temps : rechargez la page.") from e
    except BaseException:
        db.session.rollback()
        raise
    finally:
        WRITE_INTENT.reset(token)
