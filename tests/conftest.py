"""Fixtures: an isolated database per test, on SQLite by default or on the PostgreSQL of
`DATABASE_URL`. The schema comes from the Alembic migrations (triggers included), built once
per session; each test starts from an empty copy.

- SQLite: the migrated file is copied for each test.
- PostgreSQL: one schema per session (`search_path`), emptied between tests. If
  `VIGIE_EXPECT_DB=postgresql`, a test run that does not reach PostgreSQL fails instead of
  falling back to SQLite.
"""
from __future__ import annotations

import contextvars
import os
import shutil
import uuid

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from service import create_app
from service.extensions import db

BACKEND_URL = os.environ.get("DATABASE_URL", "")
ON_POSTGRES = BACKEND_URL.startswith(("postgres://", "postgresql"))


def _pg_url() -> str:
    from service.config import database_url
    return database_url(BACKEND_URL, "")


def _config(url: str, **extra) -> dict:
    config = {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "clé de test", "TESTING": True,
              "WTF_CSRF_ENABLED": False,
              # tests log in many times from 127.0.0.1; one test sets the real limit and gets its 429
              "VIGIE_LOGIN_RATE_LIMIT": "10000 per minute"}
    config.update(extra)
    return config


def _migrate(config: dict) -> None:
    from flask_migrate import upgrade
    app = create_app(config)
    with app.app_context():
        upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session")
def database(tmp_path_factory):
    """How to reach a freshly migrated, empty database: yields a function making a config."""
    expected = os.environ.get("VIGIE_EXPECT_DB")
    if expected and expected != ("postgresql" if ON_POSTGRES else "sqlite"):
        pytest.fail(f"VIGIE_EXPECT_DB={expected} but DATABASE_URL={BACKEND_URL!r}")
    if ON_POSTGRES:
        schema = f"vigie_test_{uuid.uuid4().hex[:10]}"
        url = _pg_url()
        admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:  # fails loudly when the server is missing
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        options = {"connect_args": {"options": f"-c search_path={schema}"}}
        _migrate(_config(url, SQLALCHEMY_ENGINE_OPTIONS=options))
        yield lambda tmp_path, **extra: _config(url, SQLALCHEMY_ENGINE_OPTIONS=options, **extra)
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
    else:
        template = tmp_path_factory.mktemp("db") / "template.db"
        _migrate(_config(f"sqlite:///{template}"))

        def fresh(tmp_path, **extra):
            path = tmp_path / "vigie.db"
            if not path.exists():
                shutil.copy(template, path)
            return _config(f"sqlite:///{path}", **extra)
        yield fresh


def _empty_postgres() -> None:
    tables = [t.name for t in db.metadata.sorted_tables]
    with db.engine.begin() as conn:
        conn.execute(sa.text("SET LOCAL session_replication_role = replica"))  # past the audit triggers
        conn.execute(sa.text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))


class FreshContextClient(FlaskClient):
    """Each request runs as in production: its own app context, `g` and database session.

    Without this, requests made while a test holds an app context share its `g`, so the user
    Flask-Login cached for one request would answer the next one.
    """

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture
def app(database, tmp_path):
    app = create_app(database(tmp_path))
    app.test_client_class = FreshContextClient
    with app.app_context():
        if ON_POSTGRES:
            _empty_postgres()
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class AuthActions:
    """Log a browser client in and out (flaskr's `auth` fixture)."""

    def __init__(self, client):
        self._client = client

    def login(self, username: str, password: str = "mot de passe de test"):
        return self._client.post("/login", data={"username": username, "password": password})

    def logout(self):
        return self._client.post("/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def world(app):
    """Two establishments in two départements, one user per role and two outsiders, committed
    (password `tests.factories.PASSWORD`): the requests of a test read them on their own sessions."""
    from tests.factories import World
    world = World()
    db.session.commit()
    return world
