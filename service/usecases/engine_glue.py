"""Shared steps of the procedure use cases: the engine, bundles, saving a run, the inbox rows."""
from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy import select

from workflows import (
    COMPLETED,
    PROCEDURE_REQUESTED,
    Bundle,
    SavedState,
    StepResult,
    WorkflowEngine,
    WorkflowError,
    WorkflowRun,
)
from workflows.errors import UnknownProcess

from ..access import Actor, lane_role
from ..errors import EngineRefused
from ..extensions import db
from ..models import Case, HumanTask, Procedure, ProcessVersion
from ..models.types import utcnow
from .protocols import protocol_in_force
from .unit_of_work import UnitOfWork

#: engine event kind -> audit event type, in the order they are written
ENGINE_EVENTS = {"timer_fired": "timer_fired", "task_cancelled": "task_cancelled",
                 "task_created": "task_created", "end_reached": "procedure_completed"}


#: a procedure started from one started from another... stops here (a diagram error)
MAX_LINK_DEPTH = 5


def get_engine() -> WorkflowEngine:
    return current_app.extensions["workflows"]


def bundle_of(version: ProcessVersion) -> Bundle:
    """The bundle an instance runs on: the engine's cache, else the stored files."""
    return get_engine().known(version.content_hash) or Bundle.from_json(version.process_id, version.bundle)


def _ensure_version(bundle: Bundle, name: str) -> ProcessVersion:
    """The `process_version` row of a bundle, created on first use."""
    found = db.session.scalar(select(ProcessVersion).where(ProcessVersion.content_hash == bundle.content_hash))
    if found is None:
        found = ProcessVersion(process_id=bundle.process_id, content_hash=bundle.content_hash,
                               name=name, bundle=bundle.to_json())
        db.session.add(found)
        db.session.flush()
    return found


def restore(procedure: Procedure) -> tuple[Bundle, WorkflowRun]:
    bundle = bundle_of(procedure.process_version)
    run = get_engine().restore(bundle, SavedState(procedure.state, procedure.serializer_version))
    return bundle, run


def engine_refused(error: WorkflowError) -> EngineRefused:
    """Translate an engine refusal; the transaction is rolled back by the unit of work."""
    return EngineRefused(f"L'étape a été refusée par le moteur de procédure : {error.message}.")


def start_in(uow: UnitOfWork, actor: Actor, case: Case, process_id: str,
             parent: Procedure | None = None, element: str | None = None) -> Procedure:
    """Start a procedure on a case, with the departmental protocol in force as its start data.

    :raises UnknownProcess, WorkflowError: the caller translates them.
    """
    engine = get_engine()
    bundle = engine.bundle(process_id)
    protocol, values = protocol_in_force(case.establishment.departement_code)
    run, result = engine.start(bundle, values)
    name = engine.parsed(bundle).name
    now = utcnow()
    procedure = Procedure(case=case, process_version=_ensure_version(bundle, name),
                          status=result.snapshot.status, state="", serializer_version="",
                          started_by_id=actor.user_id, started_at=now, updated_at=now,
                          protocol_id=protocol.id if protocol else None,
                          parent_id=parent.id if parent else None)
    db.session.add(procedure)
    db.session.flush()
    link = {"parent_procedure_id": parent.id, "requested_by": element} if parent else {}
    uow.record("procedure_started", case_id=case.id, procedure_id=procedure.id,
               process_id=process_id, name=name, version=bundle.content_hash,
               protocol_version=protocol.version if protocol else 0, **link)
    save_run(uow, procedure, case, run, result, now)
    return procedure


def save_run(uow: UnitOfWork, procedure: Procedure, case: Case, run: WorkflowRun,
             result: StepResult, now: datetime) -> None:
    """Store the state, status and next timer; refresh the inbox rows; record the engine events;
    start the procedures the flow asked for (`startsProcedure`) on the same case."""
    saved = run.dump()
    snapshot = result.snapshot
    procedure.state = saved.state_json
    procedure.serializer_version = saved.serializer_version
    procedure.status = snapshot.status
    procedure.next_timer_at = snapshot.next_timer_at
    procedure.end_event = snapshot.end_event
    procedure.outcome = snapshot.outcome
    procedure.updated_at = now
    if snapshot.status == COMPLETED:
        procedure.completed_at = now
    _sync_inbox(procedure, case, run, snapshot.ready)
    engine = Actor.system()  # what the engine did, in the transaction of whoever triggered it
    for kind in ENGINE_EVENTS:
        for event in result.events:
            if event.kind == kind:
                uow.record(ENGINE_EVENTS[kind], case_id=case.id, procedure_id=procedure.id,
                           task_id=event.task_id if kind != "end_reached" else None,
                           actor=engine, element=event.spec_id, name=event.name)
    for event in result.events:
        if event.kind == PROCEDURE_REQUESTED:
            _start_linked(uow, procedure, case, event.starts, event.spec_id)


def _start_linked(uow: UnitOfWork, parent: Procedure, case: Case, process_id: str,
                  element: str) -> None:
    """The triage between procedures (e.g. IP -> signalement): a new procedure on the same case,
    started by whoever made the choice that led there, in the same transaction."""
    depth, above = 0, parent
    while above is not None and above.parent_id is not None:
        depth, above = depth + 1, db.session.get(Procedure, above.parent_id)
    if depth >= MAX_LINK_DEPTH:
        raise EngineRefused("Trop de procédures engagées en chaîne sur ce dossier : "
                            "le diagramme doit être corrigé.")
    try:
        start_in(uow, uow.actor or Actor.system(), case, process_id, parent, element)
    except UnknownProcess:
        raise EngineRefused(f"Le diagramme demande d'engager la procédure « {process_id} », "
                            "qui n'existe pas : le diagramme doit être corrigé.") from None
    except WorkflowError as e:
        raise engine_refused(e) from e


def _sync_inbox(procedure: Procedure, case: Case, run: WorkflowRun, ready) -> None:
    rows = {t.id: t for t in db.session.scalars(
        select(HumanTask).where(HumanTask.procedure_id == procedure.id, HumanTask.state == "ready"))}
    ready_ids = set()
    for view in ready:
        ready_ids.add(view.id)
        if view.id in rows:
            continue
        role = lane_role(view.lane)
        if role is None:
            raise EngineRefused(f"L'étape « {view.name} » est dans un couloir sans rôle connu "
                                f"({view.lane!r}) : le diagramme doit être corrigé.")
        db.session.add(HumanTask(
            id=view.id, procedure=procedure, case=case,
            establishment_id=case.establishment_id,
            departement_code=case.establishment.departement_code, spec_id=view.spec_id,
            name=view.name, lane=view.lane, role=role, state="ready", iteration=view.iteration,
            waits_for_external=view.waits_for_external, ready_at=view.ready_since,
            due_at=view.due_at))
    for task_id, row in rows.items():
        if task_id not in ready_ids:
            row.state = run.task(task_id).state
