"""Login (password, then the TOTP code if enrolled), logout, and the session check of each request."""
from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from ..extensions import limiter
from ..usecases.accounts import Login, authenticate, verify_login_code
from ..usecases.sessions import end_session, session_user
from .context import current_actor

bp = Blueprint("auth", __name__)
#: the password step is valid this long for entering the code
CODE_STEP_SECONDS = 300
#: a sensitive action (a case export) needs the password entered again within this delay
REAUTH_WINDOW = timedelta(minutes=5)
REFUSED = ("Identifiant ou mot de passe incorrect. Après 5 échecs consécutifs, le compte est verrouillé "
           "15 minutes.")


def login_rate() -> str:
    return current_app.config["VIGIE_LOGIN_RATE_LIMIT"]


def safe_next(target: str | None) -> str:
    """Only a path on this site: no scheme, no host, no `//` or backslash tricks."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("inbox.index")


def load_user(user_id: str):
    """Flask-Login's loader: the user of an open server-side session, else nobody."""
    config = current_app.config
    found = session_user(session.get("sid", ""), user_id,
                         timedelta(minutes=config["VIGIE_SESSION_IDLE_MINUTES"]),
                         timedelta(hours=config["VIGIE_SESSION_MAX_HOURS"]))
    if found is None:
        if session.pop("sid", None):
            flash("Votre session a pris fin : reconnectez-vous.", "info")
        session.pop("_user_id", None)
        return None
    g.reauthenticated_at = found.reauthenticated_at
    return found.user


def recently_reauthenticated() -> bool:
    at = g.get("reauthenticated_at")
    return at is not None and datetime.now(UTC) - at <= REAUTH_WINDOW


def _open(login: Login, target: str):
    session.clear()  # a new session: nothing from before the login carries over
    session["sid"] = login.session_id
    login_user(login.user)
    return redirect(target)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(login_rate, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("inbox.index"))
    if request.method == "POST":
        result = authenticate(request.form.get("username", ""), request.form.get("password", ""))
        if result is None:
            flash(REFUSED, "error")
            return render_template("auth/login.html", username=request.form.get("username", "")), 401
        target = safe_next(request.args.get("next"))
        if result.session_id is None:  # the TOTP code is awaited
            session.clear()
            session.update(pending_user_id=result.user.id, pending_at=time.time(), pending_next=target)
            return redirect(url_for("auth.code"))
        return _open(result, target)
    return render_template("auth/login.html", username="")


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit(login_rate, methods=["POST"])
def code():
    if current_user.is_authenticated:  # a link from another site must not sign anyone out
        return redirect(url_for("inbox.index"))
    user_id = session.get("pending_user_id")
    if not user_id or time.time() - session.get("pending_at", 0) > CODE_STEP_SECONDS:
        session.clear()
        flash("Saisissez à nouveau votre identifiant et votre mot de passe.", "info")
        return redirect(url_for("auth.login"))
    if request.method == "POST":
        result = verify_login_code(user_id, request.form.get("code", ""))
        if result is None:
            return render_template("auth/code.html", errors=[
                "Code incorrect ou déjà utilisé : saisissez le code à 6 chiffres affiché maintenant par "
                "votre application."]), 401
        return _open(result, session.get("pending_next") or url_for("inbox.index"))
    return render_template("auth/code.html", errors=[])


@bp.post("/logout")
@login_required
def logout():
    end_session(current_actor(), session.get("sid", ""))
    logout_user()
    session.clear()
    flash("Vous êtes déconnecté·e.", "info")
    return redirect(url_for("auth.login"))
