"""The Alembic migrations build exactly the schema the models describe, and can be undone."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from service import create_app
from service.extensions import db


def test_migrations_match_the_models(app):
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"render_as_batch": True})
        assert compare_metadata(context, db.metadata) == []


def test_downgrade_then_upgrade_on_a_fresh_sqlite_file(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.db'}", "SECRET_KEY": "x"})
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        assert set(db.inspect(db.engine).get_table_names()) == {"alembic_version"}
        upgrade()
        names = {t["name"] for t in db.session.execute(db.text(
            "SELECT name FROM sqlite_master WHERE type = 'trigger'")).mappings()}
        assert names == {"audit_event_no_update", "audit_event_no_delete", "case_note_no_update", "case_note_no_delete"}
        db.engine.dispose()
