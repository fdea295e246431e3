"""The account page (/compte): the TOTP second factor, enrolled with a QR code and a first code."""
from __future__ import annotations

import segno
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..errors import Forbidden, ValidationFailed
from ..usecases.totp import begin_totp_enrolment, confirm_totp, pending_enrolment, totp_required
from .context import current_actor

bp = Blueprint("account", __name__, url_prefix="/compte")
#: what a user who must enrol may still reach
BEFORE_ENROLMENT = frozenset({"account.show", "account.enrol", "account.confirm", "auth.logout", "static"})


def must_enrol() -> bool:
    return (current_user.is_authenticated and not current_user.totp_secret
            and totp_required(current_user.role, current_app.config["VIGIE_TOTP_REQUIRED"]))


@bp.before_app_request
def require_second_factor():
    """Where the second factor is mandatory, nothing but enrolment until it is done."""
    if request.endpoint in BEFORE_ENROLMENT or request.endpoint is None or not must_enrol():
        return None
    if request.path.startswith("/api/"):
        raise Forbidden("Double authentification obligatoire pour votre rôle : activez-la depuis la page "
                        "« Mon compte ».")
    flash("La double authentification est obligatoire pour votre rôle : activez-la pour continuer.", "info")
    return redirect(url_for("account.show"))


def _qr_data_uri(uri: str) -> str:
    # an <img> with a data: URL: the CSP allows it, and the SVG carries no inline style or script
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=4)


def _show(errors: list[str], status: int = 200):
    enrolment = pending_enrolment(current_actor())
    return render_template(
        "account/show.html", enrolled=bool(current_user.totp_secret), mandatory=must_enrol(),
        enrolment=enrolment, qr=_qr_data_uri(enrolment.uri) if enrolment else None,
        grouped=" ".join(enrolment.secret[i:i + 4] for i in range(0, len(enrolment.secret), 4)) if enrolment else "",
        errors=errors), status


@bp.get("")
@login_required
def show():
    return _show([])


@bp.post("/double-authentification")
@login_required
def enrol():
    begin_totp_enrolment(current_actor())
    return redirect(url_for("account.show") + "#enrolement")


@bp.post("/double-authentification/confirmer")
@login_required
def confirm():
    try:
        confirm_totp(current_actor(), request.form.get("code", ""))
    except ValidationFailed as e:
        return _show(e.fields.get("code", [e.message]), 422)
    flash("Double authentification activée : le code vous sera demandé à chaque connexion.", "success")
    return redirect(url_for("account.show"))
