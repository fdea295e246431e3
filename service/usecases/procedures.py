"""Starting a procedure on a case; the catalogue of procedures."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from workflows import ProcessInfo, UnknownProcess, WorkflowError

from ..access import CASE_OPENERS, Actor, require_case, require_role
from ..errors import ValidationFailed
from ..extensions import db
from ..models import Case, HumanTask
from .engine_glue import engine_refused, get_engine, start_in
from .unit_of_work import unit_of_work


@dataclass(frozen=True)
class Started:
    procedure_id: int
    status: str
    ready: tuple[str, ...]  # ids of the tasks now ready


def list_procedures(actor: Actor) -> list[ProcessInfo]:
    """The procedures that can be started, at their current version."""
    return sorted(get_engine().catalog(), key=lambda p: p.name)


def start_procedure(actor: Actor, case_id: int, process_id: str) -> Started:
    """Start a procedure on a case the actor may work on.

    :raises Forbidden, NotFound: role or scope; :raises ValidationFailed: unknown procedure;
    :raises EngineRefused: the diagram cannot start.
    """
    require_role(actor, CASE_OPENERS, "démarrer une procédure")
    with unit_of_work(actor) as uow:
        case = require_case(actor, db.session.get(Case, case_id))
        try:
            procedure = start_in(uow, actor, case, process_id)
        except UnknownProcess:
            raise ValidationFailed("Procédure inconnue.",
                                   {"procedure": [f"Procédure inconnue : {process_id}."]}) from None
        except WorkflowError as e:
            raise engine_refused(e) from e
        ready = db.session.scalars(select(HumanTask.id).where(
            HumanTask.procedure_id == procedure.id, HumanTask.state == "ready")
            .order_by(HumanTask.ready_at, HumanTask.id)).all()
        started = Started(procedure.id, procedure.status, tuple(ready))
    return started
