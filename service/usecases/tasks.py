"""The inbox, reading a task, completing it."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from workflows import Bundle, TaskNotReady, TaskSpecView, WorkflowError
from workflows.loops import effective_schema
from workflows.protocol import DEFAULT_PROTOCOL

from .. import documents
from ..access import CASE_READERS, Actor, in_scope, inbox_filter, may_read_task, require_role, require_task_lane
from ..audit import canonical_json
from ..errors import Conflict, Forbidden, NotFound, ValidationFailed
from ..extensions import db
from ..forms import display_value, validate
from ..models import Case, Document, HumanTask, Procedure, TaskDraft, TaskSubmission
from ..models.types import utcnow
from .engine_glue import bundle_of, engine_refused, get_engine, restore, save_run
from .unit_of_work import UnitOfWork, unit_of_work


@dataclass(frozen=True)
class ReviewBlock:
    """A task already done, shown to whoever must check it (visa, validation)."""

    spec_id: str
    name: str
    submitted_by: str
    submitted_at: datetime
    data: dict[str, Any]
    rows: tuple[tuple[str, str], ...]  # (label, value as read)


@dataclass(frozen=True)
class TaskDetails:
    task: HumanTask
    case: Case
    procedure: Procedure
    process_name: str
    spec: TaskSpecView
    schema: dict[str, Any]
    data: dict[str, Any]
    review: tuple[ReviewBlock, ...] = field(default_factory=tuple)
    #: the departmental protocol values this task shows (`protocolFields`), as the procedure started
    protocol: dict[str, Any] = field(default_factory=dict)
    draft_saved_at: datetime | None = None  # `data` is a draft saved then, not yet submitted


@dataclass(frozen=True)
class Completion:
    procedure_id: int
    status: str
    version: int
    next_tasks: tuple[HumanTask, ...]


def inbox(actor: Actor) -> list[HumanTask]:
    """Ready tasks of the actor's role on cases in their scope, most urgent first.

    The inbox shows pupils' names and the tasks of their cases: the read is audited, with the
    ids shown.
    """
    query = (select(HumanTask).where(HumanTask.state == "ready", inbox_filter(actor))
             .options(joinedload(HumanTask.case), joinedload(HumanTask.procedure))
             .order_by(HumanTask.due_at.is_(None), HumanTask.due_at, HumanTask.ready_at))
    with unit_of_work(actor) as uow:
        tasks = list(db.session.scalars(query))
        uow.record("inbox_viewed", shown=[t.id for t in tasks],
                   cases=sorted({t.case_id for t in tasks}))
    return tasks


def _task_in_scope(actor: Actor, task_id: str) -> HumanTask:
    """:raises Forbidden: a role that reads no case, whatever the id; :raises NotFound: unknown or
    outside the actor's scope, told apart by nothing (same message)."""
    require_role(actor, CASE_READERS, "consulter cette étape")
    task = db.session.scalars(select(HumanTask).where(HumanTask.id == str(task_id)[:36])
                              .options(joinedload(HumanTask.case))
                              .execution_options(populate_existing=True)).first()
    if task is None or not in_scope(actor, task.case):
        raise NotFound("Étape introuvable.")
    return task


def _latest_submission(procedure_id: int, spec_id: str) -> TaskSubmission | None:
    return db.session.scalars(
        select(TaskSubmission).where(TaskSubmission.procedure_id == procedure_id,
                                     TaskSubmission.spec_id == spec_id)
        .order_by(TaskSubmission.id.desc()).limit(1)).first()


def view_task(actor: Actor, task_id: str) -> TaskDetails:
    """A task with its published form and current data; the read is audited.

    :raises NotFound: unknown or out of scope; :raises Forbidden: another role's task.
    """
    with unit_of_work(actor) as uow:
        task = _task_in_scope(actor, task_id)
        if not may_read_task(actor, task):
            raise Forbidden("Cette étape revient à un autre rôle.")
        procedure = task.procedure
        bundle = bundle_of(procedure.process_version)
        engine = get_engine()
        spec = engine.describe(bundle, task.spec_id)
        schema = effective_schema(bundle.form(spec.form_file), spec, task.iteration)
        own = _latest_submission(procedure.id, task.spec_id)
        if task.state != "ready":
            own = db.session.scalars(select(TaskSubmission).where(TaskSubmission.task_id == task.id)).first()
        data = json.loads(own.data) if own else {}
        draft = db.session.get(TaskDraft, task.id) if task.state == "ready" else None
        if draft is not None and draft.saved_by_id == actor.user_id:
            data = json.loads(draft.data)
        review = []
        for spec_id in spec.review_tasks:
            done = _latest_submission(procedure.id, spec_id)
            if done is None:
                continue
            other = engine.describe(bundle, spec_id)
            other_schema = bundle.form(other.form_file)
            values = json.loads(done.data)
            rows = tuple((other_schema["properties"].get(k, {}).get("title", k),
                          display_value(other_schema, k, v)) for k, v in values.items())
            review.append(ReviewBlock(spec_id, other.name, done.submitted_by.username,
                                      done.submitted_at, values, rows))
        uow.record("task_viewed", case_id=task.case_id, procedure_id=procedure.id, task_id=task.id,
                   element=task.spec_id)
        protocol = procedure.protocol.values if procedure.protocol else DEFAULT_PROTOCOL
        details = TaskDetails(task, task.case, procedure, procedure.process_version.name, spec,
                              schema, data, tuple(review),
                              {name: protocol[name] for name in spec.protocol_fields if name in protocol},
                              draft.saved_at if draft is not None and draft.saved_by_id == actor.user_id
                              else None)
    return details


def save_draft(actor: Actor, task_id: str, data: Any) -> datetime:
    """Keep what the person has typed so far, unvalidated (only the form's own fields), so that
    an interruption loses nothing. The trail records that a draft was saved, not its content:
    a draft is not a declaration. :raises NotFound, Forbidden, Conflict, ValidationFailed:"""
    with unit_of_work(actor) as uow:
        task = _task_in_scope(actor, task_id)
        require_task_lane(actor, task)
        if task.state != "ready":
            raise _not_ready(task)
        if not isinstance(data, dict):
            raise ValidationFailed("Brouillon refusé.", {"données": ["Un objet est attendu."]})
        bundle = bundle_of(task.procedure.process_version)
        schema = bundle.form(get_engine().describe(bundle, task.spec_id).form_file)
        kept = {k: v for k, v in data.items() if k in schema.get("properties", {})}
        draft = db.session.get(TaskDraft, task.id)
        now = utcnow()
        if draft is None:
            draft = TaskDraft(task_id=task.id, data="", saved_by_id=actor.user_id)
            db.session.add(draft)
        draft.data, draft.saved_by_id, draft.saved_at = canonical_json(kept), actor.user_id, now
        uow.record("task_draft_saved", case_id=task.case_id, procedure_id=task.procedure_id,
                   task_id=task.id, element=task.spec_id, fields=sorted(kept))
    return now


def complete_task(actor: Actor, task_id: str, data: Any, expected_version: int | None = None) -> Completion:
    """Validate the data against the task's published schema, complete it, advance the procedure.

    One transaction: the procedure row is locked, the state, inbox and audit are written and
    committed together, or nothing is.

    :raises NotFound, Forbidden: scope, lane; :raises Conflict: no longer ready, or changed since
    `expected_version`; :raises ValidationFailed: data refused by the schema;
    :raises EngineRefused: the engine refused the step.
    """
    with unit_of_work(actor) as uow:
        task = _task_in_scope(actor, task_id)
        procedure = Procedure.get_for_update(task.procedure_id)
        db.session.refresh(task, ["state", "completed_by_id", "completed_at"])  # as of the lock
        if task.state != "ready":
            raise _not_ready(task)
        require_task_lane(actor, task)
        if expected_version is not None and expected_version != procedure.version:
            raise Conflict("La procédure a avancé depuis l'affichage de cette page : rechargez-la.")
        bundle, run = restore(procedure)
        spec = get_engine().describe(bundle, task.spec_id)
        schema = effective_schema(bundle.form(spec.form_file), spec, task.iteration)
        errors = validate(schema, data)
        if errors:
            raise ValidationFailed("Le formulaire contient des erreurs.", errors)
        try:
            result = run.complete(task.id, {k: data[k] for k in spec.engine_fields if k in data})
        except TaskNotReady as e:
            raise Conflict(f"Cette étape n'est plus à faire ({e.state}).") from e
        except (WorkflowError, ValueError) as e:
            raise engine_refused(e if isinstance(e, WorkflowError) else WorkflowError(str(e))) from e
        now = utcnow()
        task.state, task.completed_by_id, task.completed_at = "completed", actor.user_id, now
        draft = db.session.get(TaskDraft, task.id)
        if draft is not None:
            db.session.delete(draft)
        db.session.add(TaskSubmission(task_id=task.id, procedure_id=procedure.id,
                                      spec_id=task.spec_id, data=json.dumps(data, ensure_ascii=False),
                                      submitted_by_id=actor.user_id, submitted_at=now))
        ids = dict(case_id=task.case_id, procedure_id=procedure.id, task_id=task.id)
        uow.record("task_completed", **ids, element=task.spec_id, name=task.name, data=data)
        for event_type in _declared_events(spec, data):
            uow.record(event_type, **ids, element=task.spec_id)
        save_run(uow, procedure, task.case, run, result, now)
        db.session.flush()
        protocol = procedure.protocol.values if procedure.protocol else DEFAULT_PROTOCOL
        kind = documents.wanted(dict(spec.properties), data, protocol)
        if kind is not None:
            _produce_document(uow, actor, kind, procedure, bundle, protocol, now)
        ready = set(t.id for t in result.snapshot.ready)
        next_tasks = tuple(db.session.get(HumanTask, i) for i in ready)
        completion = Completion(procedure.id, procedure.status, procedure.version, next_tasks)
    return completion


def _produce_document(uow: UnitOfWork, actor: Actor, kind: str, procedure: Procedure, bundle: Bundle,
                      protocol: dict[str, Any], now: datetime) -> Document:
    """Render the document from the latest data of its steps, keep it, and record its SHA-256."""
    engine, sections = get_engine(), []
    for spec_id in documents.KINDS[kind].steps:
        done = _latest_submission(procedure.id, spec_id)
        if done is None:
            continue
        spec = engine.describe(bundle, spec_id)
        schema, values = bundle.form(spec.form_file), json.loads(done.data)
        rows = tuple((schema["properties"].get(k, {}).get("title", k), display_value(schema, k, v))
                     for k, v in values.items())
        sections.append(documents.Section(spec.name, done.submitted_by.username, done.submitted_at, rows))
    content = documents.render_pdf(kind, case=procedure.case, sections=sections, protocol=protocol,
                                   made_at=now)
    title = documents.KINDS[kind].title
    document = Document(case_id=procedure.case_id, procedure_id=procedure.id, kind=kind,
                        name=f"{title} — dossier {procedure.case_id} — {now:%Y-%m-%d}.pdf", content=content,
                        sha256=hashlib.sha256(content).hexdigest(), created_by_id=actor.user_id,
                        created_at=now)
    db.session.add(document)
    db.session.flush()
    uow.record("document_generated", case_id=procedure.case_id, procedure_id=procedure.id,
               document_id=document.id, kind=kind, name=document.name, sha256=document.sha256,
               size=len(content))
    return document


def _declared_events(spec: TaskSpecView, data: dict[str, Any]) -> list[str]:
    """Domain events declared on the task: `completionEvent`, and `decisionEvents`
    (`field=value:event_type,…`), e.g. `decision=valider:transmission_validated`."""
    out = []
    for item in spec.properties.get("decisionEvents", "").split(","):
        condition, _, event_type = item.strip().partition(":")
        name, _, value = condition.partition("=")
        if event_type and str(data.get(name)) == value:
            out.append(event_type)
    if spec.properties.get("completionEvent"):
        out.append(spec.properties["completionEvent"])
    return out


def _not_ready(task: HumanTask) -> Conflict:
    if task.state == "completed" and task.completed_by is not None:
        when = task.completed_at.strftime("%d/%m/%Y à %H:%M UTC")
        return Conflict(f"Cette étape a déjà été complétée par {task.completed_by.username} le {when}.",
                        completed_by=task.completed_by.username,
                        completed_at=task.completed_at.isoformat())
    if task.state == "cancelled":
        return Conflict("Cette étape a été annulée (délai dépassé ou procédure modifiée).")
    return Conflict(f"Cette étape n'est plus à faire ({task.state}).")


@dataclass(frozen=True)
class TaskForm:
    name: str
    case_id: int
    schema: dict[str, Any]


def task_form(actor: Actor, task_id: str) -> TaskForm:
    """The published schema of a task, to decode a submitted HTML form. Read only, not audited
    (the submission that follows is). :raises NotFound, Forbidden:"""
    task = _task_in_scope(actor, task_id)
    if not may_read_task(actor, task):
        raise Forbidden("Cette étape revient à un autre rôle.")
    bundle = bundle_of(task.procedure.process_version)
    spec = get_engine().describe(bundle, task.spec_id)
    return TaskForm(task.name, task.case_id, effective_schema(bundle.form(spec.form_file), spec, task.iteration))
