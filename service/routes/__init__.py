"""HTML blueprints. Each route authenticates, parses, calls one use case, picks a response."""
from __future__ import annotations

from flask import Flask
from flask_login import current_user

from ..extensions import db, login_manager
from ..models import User
from . import audit, auth, cases, errors, inbox, presentation, tasks
from .context import current_actor_or_none


def register(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Connectez-vous pour accéder à cette page."
    login_manager.login_message_category = "info"
    login_manager.user_loader(_load_user)
    for module in (auth, inbox, cases, tasks, audit):
        app.register_blueprint(module.bp)
    errors.register(app)
    presentation.register(app)
    app.after_request(security_headers)
    app.context_processor(lambda: {"actor": current_actor_or_none()})


def _load_user(user_id: str) -> User | None:
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    return user if user is not None and user.active else None


def security_headers(response):
    """A strict policy: no inline script or style anywhere; pages with case data are not cached."""
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    response.headers.setdefault("X-Frame-Options", "DENY")
    if current_user.is_authenticated:
        response.headers["Cache-Control"] = "no-store"
    return response
