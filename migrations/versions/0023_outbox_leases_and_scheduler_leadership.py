"""Leases on claimed notices, and one scheduler leader at a time.

A notice taken for delivery ('sending') now carries who claimed it (`claimed_by`, one value
per claim) and until when (`lease_expires_at`); `attempts` counts its claims. A notice whose
lease ran out (its sender died) is found by `ix_notifications_sending` and claimed again; failed ones are counted
through `ix_notifications_failed`.
`scheduler_leases` holds one row per leadership (the scheduler's): who leads, since when, and
until when the lead holds unless renewed. Downgrade puts claimed notices back to 'pending'.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('notifications', sa.Column('claimed_by', sa.String(length=100), nullable=True))
    op.add_column('notifications',
                  sa.Column('lease_expires_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('notifications', sa.Column('attempts', sa.SmallInteger(), nullable=False,
                                             server_default='0'))
    # Notices claimed before this revision had no lease: they are due again at once.
    op.execute("UPDATE notifications SET lease_expires_at = now() WHERE delivery = 'sending'")
    op.create_index('ix_notifications_sending', 'notifications', ['lease_expires_at'],
                    postgresql_where=sa.text("delivery = 'sending'"))
    # Failed notices are counted on every readiness probe and metrics scrape.
    op.create_index('ix_notifications_failed', 'notifications', ['id'],
                    postgresql_where=sa.text("delivery = 'failed'"))
    op.create_table(
        'scheduler_leases',
        sa.Column('name', sa.String(length=40), nullable=False),
        sa.Column('holder', sa.String(length=200), nullable=False),
        sa.Column('acquired_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('renewed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_scheduler_leases')),
    )


def downgrade() -> None:
    op.drop_table('scheduler_leases')
    op.drop_index('ix_notifications_failed', 'notifications')
    op.drop_index('ix_notifications_sending', 'notifications')
    op.execute("UPDATE notifications SET delivery = 'pending' WHERE delivery = 'sending'")
    op.drop_column('notifications', 'attempts')
    op.drop_column('notifications', 'lease_expires_at')
    op.drop_column('notifications', 'claimed_by')
