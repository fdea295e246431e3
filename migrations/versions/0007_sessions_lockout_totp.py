"""server-side sessions, per-account lockout, TOTP second factor

`user_session`: one row per browser session (SHA-256 of the random id the signed cookie carries),
ended by logout, timeout or the disabling of the user. `user_account` gains the failed-login
counter, the lock deadline and the (encrypted) TOTP secrets.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23
"""
import importlib.util
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('user_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('id_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reauthenticated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('end_reason', sa.String(length=20), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_user_session_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_session')),
    sa.UniqueConstraint('id_hash', name=op.f('uq_user_session_id_hash'))
    )
    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_session_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failed_logins', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('totp_secret', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('totp_pending_secret', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('totp_last_step', sa.BigInteger(), nullable=True))

    if op.get_context().dialect.name == 'postgresql':  # the application role of 0004 may use it
        role = _app_role()
        op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON user_session TO {role}")
        op.execute(f"GRANT USAGE, SELECT ON SEQUENCE user_session_id_seq TO {role}")


def _app_role() -> str:
    """The role name exactly as migration 0004 resolves it (`-x app_role`, VIGIE_APP_ROLE…)."""
    path = Path(__file__).with_name('0004_audit_app_role.py')
    spec = importlib.util.spec_from_file_location('migration_0004', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.app_role()


def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('totp_last_step')
        batch_op.drop_column('totp_pending_secret')
        batch_op.drop_column('totp_secret')
        batch_op.drop_column('locked_until')
        batch_op.drop_column('failed_logins')

    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_session_user_id'))

    op.drop_table('user_session')
