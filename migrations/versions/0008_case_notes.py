"""the ASS's confidential social file: case notes, append-only, read by the ASS and the CTSD only

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23

"""
import importlib.util
from pathlib import Path

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

APPEND_ONLY = {
    "sqlite": [
        "CREATE TRIGGER case_note_no_update BEFORE UPDATE ON case_note "
        "BEGIN SELECT RAISE(ABORT, 'case_note is append-only'); END",
        "CREATE TRIGGER case_note_no_delete BEFORE DELETE ON case_note "
        "BEGIN SELECT RAISE(ABORT, 'case_note is append-only'); END",
    ],
    "postgresql": [
        "CREATE FUNCTION case_note_refuse() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'case_note is append-only (%)', TG_OP; END $$",
        "CREATE TRIGGER case_note_no_update_delete BEFORE UPDATE OR DELETE ON case_note "
        "FOR EACH ROW EXECUTE FUNCTION case_note_refuse()",
    ],
}


def upgrade():
    op.create_table('case_note',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_case_note_author_id_user_account')),
    sa.ForeignKeyConstraint(['case_id'], ['pupil_case.id'], name=op.f('fk_case_note_case_id_pupil_case')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_note'))
    )
    with op.batch_alter_table('case_note', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_note_case_id'), ['case_id'], unique=False)
    dialect = op.get_context().dialect.name
    for statement in APPEND_ONLY.get(dialect, []):
        op.execute(statement)
    if dialect == 'postgresql':  # the application role of 0004 may read and add, nothing else
        op.execute(f"GRANT SELECT, INSERT ON case_note TO {_app_role()}")
        op.execute(f"GRANT USAGE, SELECT ON SEQUENCE case_note_id_seq TO {_app_role()}")


def _app_role() -> str:
    """The role name exactly as migration 0004 resolves it (`-x app_role`, VIGIE_APP_ROLE…)."""
    path = Path(__file__).with_name('0004_audit_app_role.py')
    spec = importlib.util.spec_from_file_location('migration_0004', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.app_role()


def downgrade():
    if op.get_context().dialect.name == 'postgresql':
        op.execute("DROP TRIGGER case_note_no_update_delete ON case_note")
        op.execute("DROP FUNCTION case_note_refuse()")
    with op.batch_alter_table('case_note', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_note_case_id'))
    op.drop_table('case_note')
