"""HTML blueprints. Each route authenticates, parses, calls one use case, picks a response."""
from __future__ import annotations

from flask import Flask, g
from flask_login import current_user
from werkzeug.routing import IntegerConverter

from ..extensions import login_manager
from . import account, audit, auth, cases, errors, inbox, presentation, protocols, tasks
from .context import current_actor_or_none

#: the largest row id a URL may name: a 32-bit column's (PostgreSQL `integer`); beyond, SQLite
#: cannot even bind the number (OverflowError, a 500): such a URL matches no route, a 404
MAX_ROW_ID = 2**31 - 1


class RowId(IntegerConverter):
    """`<int:…>` in every route: an integer from 0 to MAX_ROW_ID."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002  (werkzeug's name)
        kwargs.setdefault("max", MAX_ROW_ID)
        super().__init__(map, *args, **kwargs)


def register(app: Flask) -> None:
    app.url_map.converters["int"] = RowId  # before any blueprint adds its rules
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Connectez-vous pour accéder à cette page."
    login_manager.login_message_category = "info"
    login_manager.user_loader(auth.load_user)
    for module in (auth, account, inbox, cases, tasks, audit, protocols):
        app.register_blueprint(module.bp)
    errors.register(app)
    presentation.register(app)
    app.after_request(security_headers)
    app.context_processor(lambda: {"actor": current_actor_or_none(), "branding": app.config["VIGIE_BRANDING"]})


def security_headers(response):
    """A strict policy: no inline script or style anywhere; pages with case data are not cached
    (any answer to a signed-in user or an API token: `g.actor` is set for both)."""
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    response.headers.setdefault("X-Frame-Options", "DENY")
    if current_user.is_authenticated or g.get("actor") is not None:
        response.headers["Cache-Control"] = "no-store"
    return response
