"""Idle equipment findings, attendees checked in one by one, the idle-equipment notice.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

OLD_KINDS = ("confirmed", "approved", "rejected", "cancelled", "reminder", "no_show",
             "waitlist_offer", "pending_approval", "offer_submitted", "offer_approved",
             "offer_rejected", "offer_withdrawn", "offer_expired", "impact_summary",
             "outcomes_owed", "contribution_confirmed")
NEW_KINDS = ("idle_equipment",)


def _kinds(kinds) -> str:
    return f"kind IN ({', '.join(repr(k) for k in kinds)})"


def upgrade() -> None:
    op.create_table('idle_findings',
    sa.Column('week_start', sa.Date(), nullable=False),
    sa.Column('equipment_id', sa.BigInteger(), nullable=False),
    sa.Column('owner_organisation_id', sa.BigInteger(), nullable=False),
    sa.Column('weeks', sa.Integer(), nullable=False),
    sa.Column('threshold', sa.Numeric(precision=5, scale=4), nullable=False),
    sa.Column('available_hours', sa.Numeric(precision=12, scale=4), nullable=False),
    sa.Column('booked_hours', sa.Numeric(precision=12, scale=4), nullable=False),
    sa.Column('free_hours', sa.Numeric(precision=12, scale=4), nullable=False),
    sa.Column('found_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('threshold >= 0 AND threshold <= 1', name=op.f('ck_idle_findings_threshold_ratio')),
    sa.CheckConstraint('weeks > 0', name=op.f('ck_idle_findings_weeks_positive')),
    sa.ForeignKeyConstraint(['equipment_id'], ['equipment.id'], name=op.f('fk_idle_findings_equipment_id_equipment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['owner_organisation_id'], ['organisations.id'], name=op.f('fk_idle_findings_owner_organisation_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idle_findings')),
    sa.UniqueConstraint('week_start', 'equipment_id', name='uq_idle_findings_week_item')
    )
    op.create_index('ix_idle_findings_owner_week', 'idle_findings', ['owner_organisation_id', 'week_start'], unique=False)
    op.add_column('reservation_attendees', sa.Column('checked_in_at', sa.DateTime(timezone=True), nullable=True))
    op.drop_constraint(op.f('ck_notifications_kind'), 'notifications', type_='check')
    op.create_check_constraint(op.f('ck_notifications_kind'), 'notifications',
                               _kinds((*OLD_KINDS, *NEW_KINDS)))


def downgrade() -> None:
    op.execute(f"DELETE FROM notifications WHERE {_kinds(NEW_KINDS)}")
    op.drop_constraint(op.f('ck_notifications_kind'), 'notifications', type_='check')
    op.create_check_constraint(op.f('ck_notifications_kind'), 'notifications', _kinds(OLD_KINDS))
    op.drop_column('reservation_attendees', 'checked_in_at')
    op.drop_index('ix_idle_findings_owner_week', table_name='idle_findings')
    op.drop_table('idle_findings')
