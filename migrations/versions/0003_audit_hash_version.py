"""audit trail: the hash scheme of each event (1: plain chain; 2: RFC 6962 leaf with domain separation)

Rows written before this migration keep their scheme 1 hash: the table refuses UPDATE, and the
verification recomputes each row with the scheme it was written with. Adding a column is DDL, not
an UPDATE of the rows, so the append-only triggers stay in place.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_event', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('hash_version', sa.Integer(), server_default='1', nullable=False))


def downgrade():
    with op.batch_alter_table('audit_event', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('hash_version')
