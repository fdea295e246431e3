"""The state of the audit trail, for auditors and administrators."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required

from ..usecases.audit import trail_status, trusted_key, verify_trail
from .context import current_actor

bp = Blueprint("audit", __name__, url_prefix="/audit")


@bp.get("")
@login_required
def index():
    """The whole trail recomputed, and confronted with the last signed checkpoint."""
    status = trail_status()
    checkpoints = (status.checkpoint,) if status.checkpoint else ()
    result = verify_trail(current_actor(), checkpoints, trusted_key())
    return render_template("audit/index.html", result=result, status=status,
                           checkpoint_ok=bool(result.checkpoints) and result.checkpoints[0].consistent)
