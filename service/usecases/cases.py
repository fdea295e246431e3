"""Opening, listing and reading cases; the case timeline."""
from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import undefer

from ..access import CASE_OPENERS, CASE_READERS, TIMELINE_READERS, Actor, case_filter, require_case, require_role
from ..errors import NotFound, ValidationFailed
from ..extensions import db
from ..forms import display_value
from ..models import AuditEvent, Case, Document, Establishment, HumanTask, Procedure, ProcessVersion, User
from .engine_glue import bundle_of, get_engine, restore
from .unit_of_work import unit_of_work

#: events shown in a case's history (the timeline shows everything)
HISTORY_EVENTS = ("case_opened", "procedure_started", "task_completed", "transmission_validated",
                  "transmission_returned", "transmission_sent", "task_cancelled", "timer_fired",
                  "procedure_completed")


@dataclass(frozen=True)
class Pupil:
    last_name: str
    first_name: str
    birth_date: date


@dataclass(frozen=True)
class TimelineEntry:
    event: AuditEvent
    actor: str | None
    payload: dict[str, Any]
    rows: tuple[tuple[str, str], ...] = ()  # the data declared, as (label, value as read)


@dataclass(frozen=True)
class CaseDetails:
    case: Case
    procedures: tuple[Procedure, ...]
    ready: dict[int, tuple[HumanTask, ...]]  # procedure id -> its ready tasks
    history: tuple[TimelineEntry, ...]
    documents: tuple[Document, ...] = ()


def open_case(actor: Actor, pupil: Pupil, establishment_uai: str) -> Case:
    """Open a case for a pupil of one of the actor's establishments.

    :raises Forbidden: the role opens no case; :raises ValidationFailed: establishment
    unknown or outside the actor's scope, birth date in the future.
    """
    require_role(actor, CASE_OPENERS, "ouvrir un dossier")
    if pupil.birth_date > date.today():
        raise ValidationFailed("Dossier refusé.", {"pupil.birth_date": ["La date de naissance est dans le futur."]})
    with unit_of_work(actor) as uow:
        establishment = db.session.scalar(select(Establishment).where(
            Establishment.uai == establishment_uai.strip().upper()))
        if establishment is None or establishment.id not in actor.establishment_ids:
            raise ValidationFailed("Dossier refusé.", {"establishment": [
                "Établissement inconnu ou hors de votre périmètre."]})
        case = Case(establishment=establishment, pupil_last_name=pupil.last_name.strip(),
                    pupil_first_name=pupil.first_name.strip(), pupil_birth_date=pupil.birth_date,
                    opened_by_id=actor.user_id)
        db.session.add(case)
        db.session.flush()
        uow.record("case_opened", case_id=case.id, establishment=establishment.uai)
    return case


def establishments_for(actor: Actor) -> list[Establishment]:
    """The establishments where the actor may open a case."""
    require_role(actor, CASE_OPENERS, "ouvrir un dossier")
    if not actor.establishment_ids:
        return []
    return list(db.session.scalars(select(Establishment).where(
        Establishment.id.in_(actor.establishment_ids)).order_by(Establishment.name)))


@dataclass(frozen=True)
class CasePage:
    cases: list[Case]
    has_next: bool


def list_cases(actor: Actor, search: str = "", limit: int = 50, *, establishment: str = "",
               process_id: str = "", status: str = "", offset: int = 0) -> CasePage:
    """A page of the cases in the actor's scope, newest first, filtered by pupil name, establishment
    (UAI), and a procedure of the case (its process id, its status, or both).

    The listing shows pupils' names: it is audited, with the search and filters made.
    """
    require_role(actor, CASE_READERS, "consulter les dossiers")
    query = select(Case).join(Case.establishment).where(case_filter(actor))
    if search.strip():
        pattern = f"%{search.strip().lower()}%"
        query = query.where(or_(func.lower(Case.pupil_last_name).like(pattern),
                                func.lower(Case.pupil_first_name).like(pattern)))
    if establishment:
        query = query.where(Establishment.uai == establishment)
    if process_id or status:
        procedure = select(Procedure.id).join(Procedure.process_version).where(Procedure.case_id == Case.id)
        if process_id:
            procedure = procedure.where(ProcessVersion.process_id == process_id)
        if status:
            procedure = procedure.where(Procedure.status == status)
        query = query.where(procedure.exists())
    filters = {k: v for k, v in (("establishment", establishment), ("procedure", process_id),
                                 ("status", status)) if v}
    with unit_of_work(actor) as uow:
        found = list(db.session.scalars(query.order_by(Case.id.desc()).offset(offset).limit(limit + 1)))
        cases = found[:limit]
        uow.record("cases_listed", search=search.strip(), shown=[c.id for c in cases], **filters)
    return CasePage(cases, len(found) > limit)


def _entries(events: list[AuditEvent]) -> tuple[TimelineEntry, ...]:
    ids = {e.actor_id for e in events if e.actor_id is not None}
    names = dict(db.session.execute(select(User.id, User.username).where(User.id.in_(ids))).all()) if ids else {}
    return tuple(TimelineEntry(e, names.get(e.actor_id), json.loads(e.payload)) for e in events)


def view_case(actor: Actor, case_id: int) -> CaseDetails:
    """The case, its procedures, their ready tasks and history; the read is audited.

    :raises Forbidden, NotFound:
    """
    with unit_of_work(actor) as uow:
        case = require_case(actor, db.session.get(Case, case_id))
        procedures = tuple(case.procedures)
        ready: dict[int, tuple[HumanTask, ...]] = {p.id: () for p in procedures}
        for task in db.session.scalars(select(HumanTask).where(
                HumanTask.case_id == case.id, HumanTask.state == "ready").order_by(HumanTask.ready_at)):
            ready[task.procedure_id] = ready[task.procedure_id] + (task,)
        events = list(db.session.scalars(select(AuditEvent).where(
            AuditEvent.case_id == case.id, AuditEvent.event_type.in_(HISTORY_EVENTS))
            .order_by(AuditEvent.seq)))
        uow.record("case_viewed", case_id=case.id)
        documents = tuple(db.session.scalars(select(Document).where(Document.case_id == case.id)
                                             .order_by(Document.id)))
        details = CaseDetails(case, procedures, ready, _entries(events), documents)
    return details


@dataclass(frozen=True)
class Diagram:
    """A procedure's BPMN, with the elements completed so far and those it waits on now."""

    bpmn: str
    completed: tuple[str, ...]
    current: tuple[str, ...]


def procedure_diagram(actor: Actor, case_id: int, procedure_id: int) -> Diagram:
    """The living diagram of a procedure of the case; the read is audited.

    :raises Forbidden, NotFound: role or scope, or not a procedure of this case.
    """
    with unit_of_work(actor) as uow:
        case = require_case(actor, db.session.get(Case, case_id))
        procedure = db.session.scalars(select(Procedure).where(
            Procedure.id == procedure_id, Procedure.case_id == case.id).options(undefer(Procedure.state))).first()
        if procedure is None:
            raise NotFound("Procédure introuvable dans ce dossier.")
        bundle, run = restore(procedure)
        diagram = Diagram(bundle.bpmn, tuple(dict.fromkeys(run.completed_path())), tuple(run.current_elements()))
        uow.record("diagram_viewed", case_id=case.id, procedure_id=procedure.id)
    return diagram


def download_document(actor: Actor, case_id: int, document_id: int) -> Document:
    """A document of the case, its content loaded; the download is recorded with its SHA-256.

    :raises Forbidden, NotFound: role or scope, or not a document of this case.
    """
    with unit_of_work(actor) as uow:
        case = require_case(actor, db.session.get(Case, case_id), "télécharger un document")
        document = db.session.scalars(select(Document).where(
            Document.id == document_id, Document.case_id == case.id).options(undefer(Document.content))).first()
        if document is None:
            raise NotFound("Document introuvable.")
        uow.record("document_downloaded", case_id=case.id, procedure_id=document.procedure_id,
                   document_id=document.id, sha256=document.sha256)
    return document


def case_timeline(actor: Actor, case_id: int, export: str | None = None) -> tuple[Case, tuple[TimelineEntry, ...]]:
    """Every audit event of the case, in order, with the data declared; the read is audited,
    with the file format when it is downloaded (`export`, e.g. "csv"): the data leaves Vigie.

    :raises Forbidden: roles that read no timeline (direction, admin); :raises NotFound:
    """
    require_role(actor, TIMELINE_READERS, "consulter la chronologie d'un dossier")
    with unit_of_work(actor) as uow:
        case = require_case(actor, db.session.get(Case, case_id))
        events = list(db.session.scalars(select(AuditEvent).where(AuditEvent.case_id == case.id)
                                         .order_by(AuditEvent.seq)))
        uow.record("timeline_viewed", case_id=case.id, **({"format": export} if export else {}))
        result = case, readable_timeline(case, events)
    return result


def readable_timeline(case: Case, events: list[AuditEvent]) -> tuple[TimelineEntry, ...]:
    """Events with their authors' names and the data declared, labelled as the person saw it."""
    forms = _forms_by_element(case)
    return tuple(_with_declared_data(entry, forms) for entry in _entries(events))


def _with_declared_data(entry: TimelineEntry,
                        forms: dict[tuple[int, str], dict[str, Any]]) -> TimelineEntry:
    """The form data of a `task_completed` event, labelled as the person saw it."""
    data = entry.payload.get("data")
    if not isinstance(data, dict):
        return entry
    form = forms.get((entry.event.procedure_id, entry.payload.get("element")), {})
    titles = {name: prop.get("title", name) for name, prop in form.get("properties", {}).items()}
    order = [name for name in titles if name in data] + sorted(set(data) - set(titles))
    return replace(entry, rows=tuple((titles.get(name, name), display_value(form, name, data[name]))
                                     for name in order))


def _forms_by_element(case: Case) -> dict[tuple[int, str], dict[str, Any]]:
    """The form of each human task of the case's procedures, at the version each one runs,
    by (procedure, task): two procedures may name a task alike (« ouvrir_dossier »)."""
    engine, forms = get_engine(), {}
    for procedure in case.procedures:
        bundle = bundle_of(procedure.process_version)
        for task in engine.human_tasks(bundle):
            if task.form_file:
                forms[(procedure.id, task.spec_id)] = bundle.form(task.form_file)
    return forms
