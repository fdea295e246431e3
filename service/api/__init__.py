"""The JSON API under /api/v1: bearer tokens, or the browser session with the CSRF header."""
from __future__ import annotations

from flask import Blueprint, g, request
from flask_login import current_user

from ..access import Actor
from ..errors import NotAuthenticated
from ..extensions import csrf
from ..usecases.accounts import user_for_token

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # bearer calls carry no cookie; session calls are checked below
PUBLIC = {"api.openapi"}


@bp.before_request
def authenticate() -> None:
    if request.endpoint in PUBLIC:
        return
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        user = user_for_token(token.strip()) if scheme.lower() == "bearer" and token.strip() else None
        if user is None:
            raise NotAuthenticated("Jeton d'accès invalide ou révoqué.")
        g.actor = Actor.of(user)
        return
    if current_user.is_authenticated:
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            csrf.protect()  # same-origin session calls send X-CSRFToken
        g.actor = Actor.of(current_user)
        return
    raise NotAuthenticated("Authentification requise : jeton « Bearer » ou session.")


from . import views  # noqa: E402,F401  (routes attach to bp)
