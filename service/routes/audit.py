"""The state of the audit trail, for auditors and administrators."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required

from ..usecases.audit import verify_trail
from .context import current_actor

bp = Blueprint("audit", __name__, url_prefix="/audit")


@bp.get("")
@login_required
def index():
    return render_template("audit/index.html", result=verify_trail(current_actor()))
