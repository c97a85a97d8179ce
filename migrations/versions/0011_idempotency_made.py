"""A key's claim names the reservation its work made, and each claim has its own id.

A booking whose process died between its commit and keeping its answer left a claim with no
answer for ever; the reservation it names lets a retry rebuild the answer instead.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('idempotency_keys', sa.Column('claim_id', sa.Uuid(), server_default=sa.text('gen_random_uuid()'), nullable=False))
    op.add_column('idempotency_keys', sa.Column('reservation_id', sa.BigInteger(), nullable=True))
    op.create_foreign_key(op.f('fk_idempotency_keys_reservation_id_reservations'), 'idempotency_keys', 'reservations', ['reservation_id'], ['id'], ondelete='CASCADE')


def downgrade() -> None:
    op.drop_constraint(op.f('fk_idempotency_keys_reservation_id_reservations'), 'idempotency_keys', type_='foreignkey')
    op.drop_column('idempotency_keys', 'reservation_id')
    op.drop_column('idempotency_keys', 'claim_id')
