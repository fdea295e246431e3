"""API endpoints: parse with marshmallow, call one use case, dump with marshmallow."""
from __future__ import annotations

import json
from typing import Any

from flask import g, jsonify, request, url_for
from marshmallow import ValidationError

from ..audit import canonical_json
from ..errors import Forbidden, ValidationFailed, VigieError
from ..routes.auth import recently_reauthenticated
from ..routes.exports import document_response, export_response
from ..usecases.audit import export_case, verify_trail
from ..usecases.cases import Pupil, case_timeline, download_document, open_case, view_case
from ..usecases.notes import add_note, read_notes
from ..usecases.procedures import list_procedures, start_procedure
from ..usecases.protocols import PROTOCOL_SCHEMA, set_protocol, view_protocol
from ..usecases.tasks import complete_task, inbox, save_draft, view_task
from . import bp
from . import schemas as s
from .openapi import spec_dict


def body(schema: s.StrictSchema) -> dict[str, Any]:
    """The request's JSON body, loaded by `schema`. :raises VigieError (400), ValidationFailed:"""
    raw = request.get_data(cache=False)
    try:
        value = json.loads(raw)
        canonical_json(value).encode("utf-8")  # lone surrogates, NaN: refused before anything else
    except (ValueError, RecursionError, UnicodeError):
        raise VigieError("Corps de requête invalide : un objet JSON encodé en UTF-8 est attendu.") from None
    try:
        return schema.load(value)
    except ValidationError as e:
        raise ValidationFailed("Requête refusée.", _flatten(e.messages)) from None


def _flatten(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    if isinstance(messages, list):
        out[prefix or "_schema"] = [str(m) for m in messages]
    elif isinstance(messages, dict):
        for key, value in messages.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            if key == "_schema":
                name = prefix or "données"
            out.update(_flatten(value, name))
    return out


def _task(task) -> dict:
    return s.TaskOut().dump(task)


@bp.get("/openapi.json")
def openapi():
    return jsonify(spec_dict())


@bp.get("/procedures")
def procedures():
    items = [{"id": p.process_id, "name": p.name, "version": p.version, "documentation": p.documentation}
             for p in list_procedures(g.actor)]
    return jsonify(s.ProcessListOut().dump({"procedures": items}))


@bp.post("/cases")
def create_case():
    data = body(s.CaseIn())
    pupil = data["pupil"]
    case = open_case(g.actor, Pupil(pupil["last_name"], pupil["first_name"], pupil["birth_date"]),
                     data["establishment"])
    return jsonify(s.CreatedOut().dump({"id": case.id})), 201


@bp.get("/cases/<int:case_id>")
def get_case(case_id: int):
    details = view_case(g.actor, case_id)
    case = details.case
    out = {
        "id": case.id, "status": case.status, "opened_at": case.opened_at,
        "pupil": {"last_name": case.pupil_last_name, "first_name": case.pupil_first_name,
                  "birth_date": case.pupil_birth_date},
        "establishment": {"uai": case.establishment.uai, "name": case.establishment.name,
                          "departement": case.establishment.departement_code},
        "procedures": [{
            "id": p.id, "process_id": p.process_id, "name": p.process_version.name,
            "version": p.process_version.content_hash, "status": p.status,
            "next_timer_at": p.next_timer_at, "end_event": p.end_event, "outcome": p.outcome,
            "started_at": p.started_at,
            "completed_at": p.completed_at, "current_tasks": details.ready.get(p.id, ()),
            "parent_id": p.parent_id, "protocol_version": p.protocol_version}
            for p in details.procedures],
    }
    return jsonify(s.CaseOut().dump(out))


@bp.post("/cases/<int:case_id>/procedures")
def create_procedure(case_id: int):
    data = body(s.ProcedureIn())
    started = start_procedure(g.actor, case_id, data["procedure"])
    return jsonify(s.StartedOut().dump({"id": started.procedure_id, "status": started.status})), 201


@bp.get("/tasks")
def list_tasks():
    return jsonify(s.TaskListOut().dump({"tasks": inbox(g.actor)}))


@bp.get("/tasks/<task_id>")
def get_task(task_id: str):
    details = view_task(g.actor, task_id)
    out = s.TaskOut().dump(details.task)
    out.update(form=details.schema, data=details.data, instructions=details.spec.instructions,
               documentation=details.spec.documentation, procedure_version=details.procedure.version,
               review=s.ReviewOut(many=True).dump(details.review), protocol=details.protocol,
               draft_saved_at=details.draft_saved_at and details.draft_saved_at.isoformat())
    return jsonify(out)


@bp.post("/tasks/<task_id>/complete")
def complete(task_id: str):
    data = body(s.CompleteIn())
    done = complete_task(g.actor, task_id, data["data"], data.get("version"))
    out = {"status": done.status,
           "procedure": {"id": done.procedure_id, "status": done.status, "version": done.version},
           "next_tasks": done.next_tasks}
    return jsonify(s.CompletionOut().dump(out))


@bp.put("/tasks/<task_id>/draft")
def draft(task_id: str):
    data = body(s.DraftIn())
    saved_at = save_draft(g.actor, task_id, data["data"])
    return jsonify(s.DraftOut().dump({"task_id": task_id, "saved_at": saved_at}))


@bp.get("/cases/<int:case_id>/timeline")
def timeline(case_id: int):
    case, entries = case_timeline(g.actor, case_id)
    events = [{"seq": e.event.seq, "created_at": e.event.created_at, "event_type": e.event.event_type,
               "actor": e.actor, "actor_role": e.event.actor_role, "procedure_id": e.event.procedure_id,
               "task_id": e.event.task_id, "payload": e.payload, "prev_hash": e.event.prev_hash,
               "hash": e.event.hash} for e in entries]
    return jsonify(s.TimelineOut().dump({"case_id": case.id, "events": events}))


def _protocol(view) -> dict:
    return s.ProtocolOut().dump({
        "departement": view.departement, "departement_name": view.departement_name,
        "version": view.version, "protocol": view.values, "reason": view.reason,
        "created_at": view.created_at, "created_by": view.created_by, "schema": PROTOCOL_SCHEMA})


@bp.get("/departements/<code>/protocol")
def get_protocol(code: str):
    return jsonify(_protocol(view_protocol(g.actor, code)))


@bp.put("/departements/<code>/protocol")
def put_protocol(code: str):
    data = body(s.ProtocolIn())
    return jsonify(_protocol(set_protocol(g.actor, code, data["protocol"], data["reason"])))


@bp.get("/cases/<int:case_id>/documents")
def documents(case_id: int):
    details = view_case(g.actor, case_id)
    items = [{"id": d.id, "name": d.name, "kind": d.kind, "sha256": d.sha256, "created_at": d.created_at,
              "url": url_for("api.document", case_id=case_id, document_id=d.id)} for d in details.documents]
    return jsonify(s.DocumentListOut().dump({"documents": items}))


# one rule for both methods: with two, werkzeug answers 405 instead of 404 to an id out of range
@bp.route("/cases/<int:case_id>/notes", methods=["GET", "POST"])
def notes(case_id: int):
    if request.method == "POST":
        data = body(s.NoteIn())
        return jsonify(s.NoteOut().dump(_note(add_note(g.actor, case_id, data["kind"], data["body"])))), 201
    _, found = read_notes(g.actor, case_id)
    return jsonify(s.NoteListOut().dump({"notes": [_note(n) for n in found]}))


def _note(note) -> dict[str, Any]:
    return {"id": note.id, "kind": note.kind, "body": note.body, "sha256": note.sha256,
            "author": note.author.username, "created_at": note.created_at}


@bp.get("/cases/<int:case_id>/documents/<int:document_id>")
def document(case_id: int, document_id: int):
    return document_response(download_document(g.actor, case_id, document_id))


@bp.post("/cases/<int:case_id>/export")
def export(case_id: int):
    data = body(s.ExportIn())
    if not request.headers.get("Authorization") and not recently_reauthenticated():
        # through the browser session, the same re-authentication as the screen; a bearer token is
        # minted by the CLI for one user and revocable, it needs none
        raise Forbidden("Confirmez d'abord votre identité (mot de passe, et code si activé) depuis la "
                        "chronologie du dossier : l'export par la session est possible 5 minutes ensuite.")
    exported = export_case(g.actor, case_id, data["purpose"])
    if data["format"] == "pdf":
        return export_response(exported, "pdf")
    return jsonify(s.ExportOut().dump(exported))


@bp.get("/audit/verify")
def audit_verify():
    result = verify_trail(g.actor)
    return jsonify(s.VerifyOut().dump({"ok": result.ok, "events": result.events, "head": result.head,
                                       "broken_seq": result.broken_seq, "reason": result.reason}))
