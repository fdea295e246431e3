"""audit trail: an application role that may only read and append to it (PostgreSQL)

The tables stay owned by the role that runs the migrations (the owner). The application connects
as a LOGIN user member of a NOLOGIN group role, `vigie_app` by default, which this migration
creates if it does not exist yet and grants:

- USAGE on the current schema;
- SELECT, INSERT, UPDATE, DELETE on every table of the schema, and USAGE, SELECT on its sequences;
- on `audit_event`, SELECT and INSERT only: UPDATE, DELETE, TRUNCATE, REFERENCES and TRIGGER are
  revoked, so the trail is append-only by privilege, not only by trigger (a trigger can be
  disabled by the owner, a missing privilege cannot be bypassed by the application);
- on `alembic_version`, SELECT only: the schema version belongs to the owner.

The name comes from `flask db -x app_role=NAME upgrade`, else from the environment variable
`VIGIE_APP_ROLE`, else `vigie_app`. Roles are cluster-wide: the role is created only when
missing, and a concurrent creation by another schema's migration is tolerated. A migration run
by an owner without CREATEROLE works if an administrator created the role beforehand.

Grants cover the tables that exist now: a later migration that creates a table grants it to the
application role itself. The downgrade revokes the grants of this schema and keeps the role,
which other schemas or databases may use. No-op on SQLite, which has no roles.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""
import os
import re

from alembic import context, op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

DEFAULT_APP_ROLE = 'vigie_app'
AUDIT_TABLE = 'audit_event'
VERSION_TABLE = 'alembic_version'
_ROLE_NAME = re.compile(r'[a-z_][a-z0-9_]{0,62}')


def app_role() -> str:
    """The application role: `-x app_role=…`, else `VIGIE_APP_ROLE`, else `vigie_app`.

    Restricted to lower-case identifiers, so the name needs no quoting in the SQL below.
    """
    name = (context.get_x_argument(as_dictionary=True).get('app_role')
            or os.environ.get('VIGIE_APP_ROLE') or DEFAULT_APP_ROLE)
    if not _ROLE_NAME.fullmatch(name):
        raise ValueError(f"invalid application role name {name!r}: expected [a-z_][a-z0-9_]*, 63 characters at most")
    return name


def upgrade():
    if op.get_context().dialect.name != 'postgresql':
        return
    role = app_role()
    op.execute(f"""
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = '{role}') THEN
        BEGIN
            CREATE ROLE {role} NOLOGIN;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL;  -- created meanwhile by the migration of another schema
        END;
    END IF;
END
$$""")
    # no `%` below: offline mode (`flask db upgrade --sql`) would double it inside format()
    op.execute(f"""
DO $$
DECLARE
    schema_name text := quote_ident(current_schema());
BEGIN
    IF schema_name IS NULL THEN
        RAISE EXCEPTION 'no current schema: check search_path';
    END IF;
    EXECUTE 'GRANT USAGE ON SCHEMA ' || schema_name || ' TO {role}';
    EXECUTE 'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ' || schema_name || ' TO {role}';
    EXECUTE 'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA ' || schema_name || ' TO {role}';
    EXECUTE 'REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON ' || schema_name
            || '.{AUDIT_TABLE} FROM {role}';
    EXECUTE 'GRANT SELECT, INSERT ON ' || schema_name || '.{AUDIT_TABLE} TO {role}';
    EXECUTE 'REVOKE ALL ON ' || schema_name || '.{VERSION_TABLE} FROM {role}';
    EXECUTE 'GRANT SELECT ON ' || schema_name || '.{VERSION_TABLE} TO {role}';
END
$$""")


def downgrade():
    if op.get_context().dialect.name != 'postgresql':
        return
    role = app_role()
    # the role is kept: other schemas or databases of the cluster may use it
    op.execute(f"""
DO $$
DECLARE
    schema_name text := quote_ident(current_schema());
BEGIN
    IF schema_name IS NULL OR NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = '{role}') THEN
        RETURN;
    END IF;
    EXECUTE 'REVOKE ALL ON ALL TABLES IN SCHEMA ' || schema_name || ' FROM {role}';
    EXECUTE 'REVOKE ALL ON ALL SEQUENCES IN SCHEMA ' || schema_name || ' FROM {role}';
    EXECUTE 'REVOKE ALL ON SCHEMA ' || schema_name || ' FROM {role}';
END
$$""")
