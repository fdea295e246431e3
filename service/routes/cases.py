"""Cases: list and search, opening, the case page, starting a procedure, the timeline."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, flash, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from ..access import require_role
from ..errors import ValidationFailed
from ..models import NOTE_KINDS
from ..usecases.accounts import reauthenticate
from ..usecases.audit import CASE_EXPORTERS, export_case, trail_status
from ..usecases.cases import (
    Pupil,
    case_timeline,
    download_document,
    establishments_for,
    list_cases,
    open_case,
    procedure_diagram,
    view_case,
)
from ..usecases.notes import add_note, read_notes
from ..usecases.procedures import list_procedures, start_procedure
from .auth import recently_reauthenticated
from .context import current_actor
from .exports import document_response, export_response, timeline_csv_response
from .timeline import filtered, form_diffs, parse_day, viewers

bp = Blueprint("cases", __name__, url_prefix="/cases")
PAGE_SIZE = 50


@bp.route("", methods=["GET", "POST"])
@login_required
def index():
    # the search is POSTed: a pupil's name never goes into a URL or an access log
    actor = current_actor()
    form = request.form if request.method == "POST" else {}
    search = form.get("q", "")
    chosen = {name: form.get(name, "")[:100] for name in ("etablissement", "procedure", "statut")}
    page = int(form["page"]) if form.get("page", "").isdigit() and 0 < int(form["page"]) < 10_000 else 1
    found = list_cases(actor, search[:100], PAGE_SIZE, establishment=chosen["etablissement"],
                       process_id=chosen["procedure"], status=chosen["statut"], offset=(page - 1) * PAGE_SIZE)
    return render_template("cases/list.html", cases=found.cases, search=search, chosen=chosen,
                           page=page, has_next=found.has_next,
                           establishments=establishments_for(actor) if actor.role == "ass" else [],
                           catalogue=list_procedures(actor))


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    actor = current_actor()
    form = request.form
    if request.method == "POST":
        try:
            birth = date.fromisoformat(form.get("birth_date", ""))
        except ValueError:
            birth = None
        errors = {}
        for name in ("last_name", "first_name"):
            if not form.get(name, "").strip():
                errors[name] = ["Ce champ est obligatoire."]
        if birth is None:
            errors["birth_date"] = ["Date de naissance invalide (JJ/MM/AAAA)."]
        try:
            if errors:
                raise ValidationFailed("Le formulaire contient des erreurs.", errors)
            case = open_case(actor, Pupil(form["last_name"][:100], form["first_name"][:100], birth),
                             form.get("establishment", ""))
        except ValidationFailed as e:
            return _new_form(actor, form, e.fields), 422
        flash("Dossier ouvert.", "success")
        return redirect(url_for("cases.show", case_id=case.id))
    return _new_form(actor, form, {})


NEW_CASE_LABELS = {"last_name": "Nom", "first_name": "Prénom", "birth_date": "Date de naissance",
                   "establishment": "Établissement", "pupil.birth_date": "Date de naissance"}


def _new_form(actor, form, errors):
    errors = {name.removeprefix("pupil."): messages for name, messages in errors.items()}
    return render_template("cases/new.html", form=form, errors=errors, labels=NEW_CASE_LABELS,
                           establishments=establishments_for(actor))


@bp.get("/<int:case_id>")
@login_required
def show(case_id: int):
    actor = current_actor()
    details = view_case(actor, case_id)
    catalogue = list_procedures(actor) if actor.role == "ass" else []
    return render_template("cases/show.html", details=details, catalogue=catalogue)


@bp.post("/<int:case_id>/procedures")
@login_required
def start(case_id: int):
    started = start_procedure(current_actor(), case_id, request.form.get("procedure", ""))
    flash("Procédure démarrée.", "success")
    if started.ready:
        return redirect(url_for("tasks.show", task_id=started.ready[0]))
    return redirect(url_for("cases.show", case_id=case_id))


@bp.get("/<int:case_id>/procedures/<int:procedure_id>/diagram")
@login_required
def diagram(case_id: int, procedure_id: int):
    """What the case page's living diagram draws: the BPMN, the path taken, the current steps."""
    found = procedure_diagram(current_actor(), case_id, procedure_id)
    return jsonify(bpmn=found.bpmn, completed=list(found.completed), current=list(found.current))


@bp.route("/<int:case_id>/dossier-social", methods=["GET", "POST"])
@login_required
def notes(case_id: int):
    """The ASS's confidential social file: her notes of interviews and family information."""
    actor = current_actor()
    errors, form = {}, {}
    if request.method == "POST":
        form = request.form
        try:
            add_note(actor, case_id, form.get("kind", ""), form.get("body", ""))
        except ValidationFailed as e:
            errors = e.fields
        else:
            flash("Note ajoutée au dossier social confidentiel.", "success")
            return redirect(url_for("cases.notes", case_id=case_id), 303)
    case, found = read_notes(actor, case_id)
    return render_template("cases/notes.html", case=case, notes=found, errors=errors, form=form,
                           kinds=NOTE_KINDS), 422 if errors else 200


@bp.get("/<int:case_id>/timeline")
@login_required
def timeline(case_id: int):
    actor = current_actor()
    case, entries = case_timeline(actor, case_id)
    user = request.args.get("utilisateur") or None
    start, end = parse_day(request.args.get("du")), parse_day(request.args.get("au"))
    shown = filtered(entries, user, start, end)
    return render_template(
        "cases/timeline.html", case=case, entries=shown, total=len(entries),
        users=sorted({e.actor for e in entries if e.actor}), user=user, start=start, end=end,
        viewers=viewers(entries), diffs=form_diffs(entries), status=trail_status(),
        can_export=actor.role in CASE_EXPORTERS, reauth_fresh=recently_reauthenticated(),
        has_totp=bool(current_user.totp_secret))


@bp.get("/<int:case_id>/timeline.csv")
@login_required
def timeline_csv(case_id: int):
    """The timeline as a spreadsheet, with the screen's filters; the download is audited."""
    _case, entries = case_timeline(current_actor(), case_id, export="csv")
    start, end = parse_day(request.args.get("du")), parse_day(request.args.get("au"))
    return timeline_csv_response(case_id, filtered(entries, request.args.get("utilisateur") or None, start, end))


@bp.get("/<int:case_id>/documents/<int:document_id>")
@login_required
def document(case_id: int, document_id: int):
    return document_response(download_document(current_actor(), case_id, document_id))


@bp.post("/<int:case_id>/export")
@login_required
def export(case_id: int):
    """The case with the inclusion proof of each event (JSON), or its readable PDF; the password
    (and TOTP code) must have been entered again within the last five minutes."""
    actor = current_actor()
    require_role(actor, CASE_EXPORTERS, "exporter un dossier avec ses preuves")
    purpose = request.form.get("motif", "").strip()
    kind = request.form.get("format", "json")
    if not 5 <= len(purpose) <= 300 or kind not in ("json", "pdf"):
        flash("Indiquez le motif de l'export (5 à 300 caractères) : il est conservé dans la piste "
              "d'audit.", "error")
        return redirect(url_for("cases.timeline", case_id=case_id)), 303
    password = request.form.get("password", "")
    if not recently_reauthenticated() and not (password and reauthenticate(
            actor, session.get("sid", ""), password, request.form.get("code", ""))):
        flash("Confirmez votre identité pour exporter : mot de passe (et code de vérification) incorrect. "
              "Il est demandé avant chaque export, sauf dans les 5 minutes qui suivent une confirmation.", "error")
        return redirect(url_for("cases.timeline", case_id=case_id)), 303
    data = export_case(actor, case_id, purpose)
    return export_response(data, kind)
