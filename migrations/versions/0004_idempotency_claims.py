"""Idempotency keys are claimed with the work they guard: the answer comes after the claim.

A claim row has no status or response yet; the answer's replayed headers (ETag, Location) are
kept beside it.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.alter_column('idempotency_keys', 'status_code', existing_type=sa.SmallInteger(), nullable=True)
    op.alter_column('idempotency_keys', 'response', existing_type=postgresql.JSONB(astext_type=sa.Text()), nullable=True)
    op.add_column('idempotency_keys', sa.Column('headers', postgresql.JSONB(astext_type=sa.Text()), server_default='{}', nullable=False))
    # Answers stored before kept their ETag in the body only.
    op.execute("""UPDATE idempotency_keys SET headers = jsonb_build_object('ETag', '"' || (response->>'version') || '"')
                  WHERE status_code < 300 AND response ? 'version'""")


def downgrade() -> None:
    op.execute("DELETE FROM idempotency_keys WHERE status_code IS NULL")
    op.drop_column('idempotency_keys', 'headers')
    op.alter_column('idempotency_keys', 'response', existing_type=postgresql.JSONB(astext_type=sa.Text()), nullable=False)
    op.alter_column('idempotency_keys', 'status_code', existing_type=sa.SmallInteger(), nullable=False)
