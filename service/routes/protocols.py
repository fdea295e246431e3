"""The departmental protocol: read by everyone of the département, changed by its CTSD."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required

from workflows.protocol import PROTOCOL_SCHEMA

from ..errors import Forbidden, ValidationFailed
from ..usecases.protocols import PROTOCOL_EDITORS, set_protocol, view_protocol
from .context import current_actor

bp = Blueprint("protocols", __name__, url_prefix="/protocole")

LISTS = ("copies_ip", "copies_signalement")  # one recipient per line in the form


def decode(form) -> dict:
    """The HTML form as protocol values: lists from one line per item, text trimmed."""
    values = {}
    for name in PROTOCOL_SCHEMA["properties"]:
        raw = form.get(name, "")
        if name in LISTS:
            values[name] = [line.strip() for line in raw.splitlines() if line.strip()]
        elif raw.strip():
            values[name] = raw.strip()
    return values


@bp.get("")
@login_required
def mine():
    """The protocol of the actor's département (CTSD, auditeur)."""
    actor = current_actor()
    if not actor.departement:
        return redirect(url_for("inbox.index"))
    return redirect(url_for("protocols.show", code=actor.departement))


@bp.route("/<code>", methods=["GET", "POST"])
@login_required
def show(code: str):
    actor = current_actor()
    editable = actor.role in PROTOCOL_EDITORS
    if request.method == "POST":
        if not editable:
            raise Forbidden("Votre rôle ne permet pas de modifier le protocole départemental.")
        values = decode(request.form)
        try:
            view = set_protocol(actor, code, values, request.form.get("motif", ""))
        except ValidationFailed as e:
            view = view_protocol(actor, code)
            return render_template("protocols/show.html", view=view, schema=PROTOCOL_SCHEMA,
                                   editable=True, errors=e.fields, form=request.form), 422
        flash(f"Protocole publié (version {view.version}) : il s'applique aux procédures "
              "démarrées à partir de maintenant.", "success")
        return redirect(url_for("protocols.show", code=code))
    view = view_protocol(actor, code)
    return render_template("protocols/show.html", view=view, schema=PROTOCOL_SCHEMA,
                           editable=editable, errors={}, form=None)
