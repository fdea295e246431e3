"""PostgreSQL: the application role may read and append to the audit trail, never rewrite it.

Migration 0004 grants `vigie_app` (a NOLOGIN role the application's LOGIN user belongs to) the
usual rights on every table but SELECT and INSERT only on `audit_event`, which stays owned by the
migrating role. The triggers of 0001 already refuse UPDATE, DELETE and TRUNCATE to everyone: the
tests below tell the two guards apart by their messages ("permission denied" is the privilege,
"append-only" the trigger).
"""
from __future__ import annotations

import copy
import uuid

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade
from sqlalchemy.exc import DatabaseError

from service import create_app
from service.audit import verify_chain
from service.extensions import db
from service.usecases.procedures import start_procedure
from service.usecases.tasks import complete_task
from tests.conftest import ON_POSTGRES
from tests.factories import World, make_case
from tests.helpers import ready_task
from tests.ip_samples import sample

pytestmark = pytest.mark.skipif(not ON_POSTGRES, reason="roles and grants exist on PostgreSQL only")

ROLE = "vigie_app"
FORBIDDEN_ON_AUDIT = ("UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER")
AUDIT_ROW = ("INSERT INTO audit_event (seq, created_at, event_type, payload, prev_hash, hash) "
             "VALUES (:seq, now(), 'case_viewed', '{}', :prev, :hash)")


def privilege(conn, table: str, kind: str, role: str = ROLE) -> bool:
    return conn.execute(sa.text("SELECT has_table_privilege(:role, :table, :kind)"),
                        {"role": role, "table": table, "kind": kind}).scalar_one()


def insert_audit_row(conn, seq: int = 1) -> None:
    conn.execute(sa.text(AUDIT_ROW), {"seq": seq, "prev": "0" * 64, "hash": f"{seq:064x}"})


def test_the_role_exists_and_cannot_log_in(app):
    with db.engine.connect() as conn:
        row = conn.execute(sa.text("SELECT rolcanlogin, rolsuper FROM pg_roles WHERE rolname = :r"),
                           {"r": ROLE}).one()
    assert row == (False, False)


def test_the_audit_trail_is_owned_by_the_migrating_role_not_the_app_role(app):
    with db.engine.connect() as conn:
        owner, me = conn.execute(sa.text(
            "SELECT tableowner, current_user FROM pg_tables "
            "WHERE schemaname = current_schema() AND tablename = 'audit_event'")).one()
    assert owner == me != ROLE


def test_the_app_role_may_only_read_and_append_to_the_audit_trail(app):
    with db.engine.connect() as conn:
        assert privilege(conn, "audit_event", "SELECT") and privilege(conn, "audit_event", "INSERT")
        for kind in FORBIDDEN_ON_AUDIT:
            assert not privilege(conn, "audit_event", kind), kind
        for table in ("procedure", "user_account", "human_task", "departmental_protocol"):
            for kind in ("SELECT", "INSERT", "UPDATE", "DELETE"):
                assert privilege(conn, table, kind), (table, kind)
            assert not privilege(conn, table, "TRUNCATE"), table
        assert privilege(conn, "alembic_version", "SELECT")
        assert not privilege(conn, "alembic_version", "UPDATE")
        sequences = conn.execute(sa.text(
            "SELECT sequence_name FROM information_schema.sequences "
            "WHERE sequence_schema = current_schema()")).scalars().all()
        assert "user_account_id_seq" in sequences
        for name in sequences:
            assert conn.execute(sa.text("SELECT has_sequence_privilege(:r, :s, 'USAGE')"),
                                {"r": ROLE, "s": name}).scalar_one(), name


def test_as_the_app_role_an_insert_into_the_audit_trail_works(app):
    with db.engine.connect() as conn:
        conn.execute(sa.text(f"SET LOCAL ROLE {ROLE}"))
        insert_audit_row(conn)
        assert conn.execute(sa.text("SELECT count(*) FROM audit_event")).scalar_one() == 1
        conn.rollback()


@pytest.mark.parametrize("statement", [
    "UPDATE audit_event SET event_type = 'case_opened' WHERE seq = 1",
    "DELETE FROM audit_event WHERE seq = 1",
    "TRUNCATE audit_event",
])
def test_as_the_app_role_rewriting_the_trail_is_refused_by_privilege_not_by_trigger(app, statement):
    with db.engine.begin() as conn:
        insert_audit_row(conn)  # a row the UPDATE and DELETE would reach, so the trigger would fire
    with db.engine.connect() as conn:
        conn.execute(sa.text(f"SET LOCAL ROLE {ROLE}"))
        with pytest.raises(DatabaseError, match="permission denied for table audit_event") as refused:
            conn.execute(sa.text(statement))
        assert "append-only" not in str(refused.value)
        conn.rollback()
    with db.engine.connect() as conn:  # the owner still meets the trigger: both guards hold
        with pytest.raises(DatabaseError, match="append-only"):
            conn.execute(sa.text(statement))
        conn.rollback()


def test_as_the_app_role_other_tables_can_be_updated_and_deleted(app):
    with db.engine.connect() as conn:
        conn.execute(sa.text(f"SET LOCAL ROLE {ROLE}"))
        conn.execute(sa.text("INSERT INTO departement (code, name) VALUES ('75', 'Paris')"))
        user_id = conn.execute(sa.text(  # the id comes from a sequence
            "INSERT INTO user_account (username, role, password_hash, active, created_at) "
            "VALUES ('ass1', 'ass', 'x', true, now()) RETURNING id")).scalar_one()
        updated = conn.execute(sa.text("UPDATE user_account SET active = false, departement_code = '75' "
                                       "WHERE id = :id"), {"id": user_id})
        assert updated.rowcount == 1
        assert conn.execute(sa.text("UPDATE procedure SET status = status")).rowcount == 0
        assert conn.execute(sa.text("DELETE FROM user_account WHERE id = :id"), {"id": user_id}).rowcount == 1
        with pytest.raises(DatabaseError, match="permission denied for table alembic_version"):
            conn.execute(sa.text("UPDATE alembic_version SET version_num = version_num"))
        conn.rollback()


@pytest.fixture
def app_as_role(app, database, tmp_path):
    """The application connected as a member of the app role (`-c role=…`), as in production."""
    config = copy.deepcopy(database(tmp_path))
    connect_args = config["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"]
    connect_args["options"] += f" -c role={ROLE}"
    role_app = create_app(config)
    with role_app.app_context():
        assert db.session.execute(sa.text("SELECT current_user")).scalar_one() == ROLE
        db.session.rollback()
        yield role_app
        db.session.remove()
        db.engine.dispose()


def test_the_application_works_as_the_app_role(app_as_role):
    world = World()
    case = make_case(world.ass)
    started = start_procedure(world.actor("ass"), case.id, "information_preoccupante")
    task = ready_task(world.actor("ass"), "recueillir_faits", started.procedure_id)
    complete_task(world.actor("ass"), task.id, sample("recueillir_faits"))  # locks and updates rows
    result = verify_chain()
    assert result.ok and result.events >= 3


# -- the migration itself, in a schema of its own ------------------------------------------------

@pytest.fixture
def own_schema(database, tmp_path):
    """A new empty schema, a config reaching it, an owner connection, and a list of roles to
    drop once the schema (and so the grants that depend on the roles) is gone."""
    config = copy.deepcopy(database(tmp_path))
    schema = f"vigie_roles_{uuid.uuid4().hex[:10]}"
    config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"options": f"-c search_path={schema}"}}
    admin = sa.create_engine(config["SQLALCHEMY_DATABASE_URI"], isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    roles: list[str] = []
    yield schema, config, admin, roles
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        for role in roles:
            conn.execute(sa.text(f"DROP ROLE IF EXISTS {role}"))
    admin.dispose()


def _audit_privileges(admin, schema: str, role: str) -> dict[str, bool]:
    with admin.connect() as conn:
        return {kind: privilege(conn, f"{schema}.audit_event", kind, role)
                for kind in ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE")}


@pytest.mark.parametrize("how", ["x_arg", "env"])
def test_the_role_name_is_configurable_and_the_downgrade_revokes_but_keeps_the_role(own_schema, monkeypatch, how):
    schema, config, admin, roles = own_schema
    role = f"vigie_app_{uuid.uuid4().hex[:8]}"
    roles.append(role)
    x_arg = [f"app_role={role}"] if how == "x_arg" else None
    if how == "env":
        monkeypatch.setenv("VIGIE_APP_ROLE", role)
    appended = {"SELECT": True, "INSERT": True, "UPDATE": False, "DELETE": False, "TRUNCATE": False}
    with create_app(config).app_context():
        upgrade(x_arg=x_arg)
        assert _audit_privileges(admin, schema, role) == appended
        assert not any(_audit_privileges(admin, schema, ROLE).values())  # the default role got nothing here
        downgrade(revision="0003", x_arg=x_arg)
        assert not any(_audit_privileges(admin, schema, role).values())
        with admin.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM pg_roles WHERE rolname = :r"),
                                {"r": role}).scalar_one() == 1
            assert not conn.execute(sa.text("SELECT has_schema_privilege(:r, :s, 'USAGE')"),
                                    {"r": role, "s": schema}).scalar_one()
        upgrade(x_arg=x_arg)  # the role exists now: the migration reuses it
        assert _audit_privileges(admin, schema, role) == appended
        db.engine.dispose()


def test_an_invalid_role_name_is_refused(own_schema):
    config = own_schema[1]
    with create_app(config).app_context():
        with pytest.raises(ValueError, match="invalid application role name"):
            upgrade(x_arg=['app_role=vigie"; DROP TABLE audit_event; --'])
        db.engine.dispose()
