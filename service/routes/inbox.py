"""Home: the inbox of the logged-in user (the administrator's home lists accounts instead)."""
from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, redirect, render_template, url_for
from flask_login import login_required

from ..usecases.accounts import list_accounts
from ..usecases.tasks import inbox
from .context import current_actor

bp = Blueprint("inbox", __name__)


@bp.get("/")
@login_required
def index():
    actor = current_actor()
    if actor.role == "auditeur":
        return redirect(url_for("cases.index"))
    if actor.role == "admin":
        users, establishments = list_accounts(actor)
        return render_template("inbox/admin.html", users=users, establishments=establishments,
                               now=datetime.now(UTC))
    return render_template("inbox/index.html", tasks=inbox(actor))
