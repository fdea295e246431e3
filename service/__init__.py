"""Vigie, the Flask application: `create_app` binds configuration, extensions, blueprints and CLI."""
from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from workflows import WorkflowEngine

from . import config as settings
from .extensions import configure_sqlite, csrf, db, limiter, login_manager, migrate


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build an application. `config` overrides the environment (tests). No migration, no prompt."""
    root = settings.PROJECT_ROOT
    app = Flask(__name__, template_folder=str(root / "templates"), static_folder=str(root / "static"),
                instance_path=str(root / "instance"))
    given = dict(config or {})
    if {"SECRET_KEY", "SQLALCHEMY_DATABASE_URI"} <= given.keys():
        app.config.update(settings.static_settings(), VIGIE_ENV="test")
    else:
        Path(app.instance_path).mkdir(exist_ok=True)
        app.config.update(settings.load(app.instance_path))
    app.config.update(given)
    if app.config["VIGIE_PROXY_COUNT"]:  # the client's address, for the per-IP login limit, from the proxy
        from werkzeug.middleware.proxy_fix import ProxyFix
        hops = app.config["VIGIE_PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(root / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)
    with app.app_context():
        configure_sqlite(db.engine)
    app.extensions["workflows"] = WorkflowEngine(app.config["VIGIE_BPMN_DIR"])
    logging.getLogger("spiff").setLevel(logging.WARNING)  # its INFO records carry task data

    from .api import bp as api_bp
    from .cli import register as register_cli
    from .routes import register as register_routes

    register_routes(app)
    app.register_blueprint(api_bp)
    register_cli(app)
    return app

