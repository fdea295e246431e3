"""One screen per human task, rendered from its JSON Schema."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required

from ..errors import ValidationFailed
from ..forms import fields, from_html
from ..usecases.tasks import complete_task, save_draft, task_form, view_task
from .context import current_actor

bp = Blueprint("tasks", __name__, url_prefix="/tasks")


def _render(details, values, errors, status=200, adding: str | None = None):
    return render_template("tasks/show.html", details=details, fields=fields(details.schema),
                           values=values, errors=errors, adding=adding), status


@bp.get("/<task_id>")
@login_required
def show(task_id: str):
    details = view_task(current_actor(), task_id)
    return _render(details, details.data, {})


@bp.post("/<task_id>")
@login_required
def submit(task_id: str):
    actor = current_actor()
    form = task_form(actor, task_id)
    data = from_html(form.schema, request.form)
    if request.form.get("_ajouter"):  # one more block of a repeatable field: nothing is saved
        return _render(view_task(actor, task_id), data, {}, adding=request.form["_ajouter"])
    if request.form.get("_brouillon"):  # kept as typed, not validated, not submitted
        save_draft(actor, task_id, data)
        flash("Brouillon enregistré : vous pourrez reprendre cette étape plus tard.", "success")
        return redirect(url_for("tasks.show", task_id=task_id))
    # no procedure version here: a step done meanwhile on a parallel branch does not conflict
    # with this one; completing the same step twice is refused under the row lock
    try:
        done = complete_task(actor, task_id, data)
    except ValidationFailed as e:  # the summary at the top of the form says it, with links to the fields
        return _render(view_task(actor, task_id), data, e.fields, 422)
    flash(f"Étape « {form.name} » enregistrée.", "success")
    mine = [t for t in done.next_tasks if t.role == actor.role]
    if mine:
        return redirect(url_for("tasks.show", task_id=mine[0].id))
    return redirect(url_for("cases.show", case_id=form.case_id))
