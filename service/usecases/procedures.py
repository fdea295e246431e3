"""Starting a procedure on a case; the catalogue of procedures."""
from __future__ import annotations

from dataclasses import dataclass

from workflows import ProcessInfo, UnknownProcess, WorkflowError

from ..access import CASE_OPENERS, Actor, require_case, require_role
from ..errors import ValidationFailed
from ..extensions import db
from ..models import Case, Procedure
from ..models.types import utcnow
from .engine_glue import engine_refused, ensure_version, get_engine, save_run
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
    engine = get_engine()
    with unit_of_work(actor) as uow:
        case = require_case(actor, db.session.get(Case, case_id))
        try:
            bundle = engine.bundle(process_id)
            run, result = engine.start(bundle)
            name = engine.parsed(bundle).name
        except UnknownProcess:
            raise ValidationFailed("Procédure inconnue.",
                                   {"procedure": [f"Procédure inconnue : {process_id}."]}) from None
        except WorkflowError as e:
            raise engine_refused(e) from e
        now = utcnow()
        version = ensure_version(bundle, name)
        procedure = Procedure(case=case, process_version=version,
                              status=result.snapshot.status, state="", serializer_version="",
                              started_by_id=actor.user_id, started_at=now, updated_at=now)
        db.session.add(procedure)
        db.session.flush()
        uow.record("procedure_started", case_id=case.id, procedure_id=procedure.id,
                   process_id=process_id, name=name, version=bundle.content_hash)
        save_run(uow, procedure, case, run, result, now)
        started = Started(procedure.id, procedure.status, tuple(t.id for t in result.snapshot.ready))
    return started
