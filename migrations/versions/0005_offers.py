"""Offers: an enterprise's idle equipment, windows and conditions for one school; their events.

Notifications gain the offer kinds (offer notices carry no reservation).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

RESERVATION_KINDS = ("confirmed", "approved", "rejected", "cancelled", "reminder", "no_show",
                     "waitlist_offer", "pending_approval")
OFFER_KINDS = ("offer_submitted", "offer_approved", "offer_rejected", "offer_withdrawn",
               "offer_expired")


def _kinds(kinds) -> str:
    return f"kind IN ({', '.join(repr(k) for k in kinds)})"


def upgrade() -> None:
    op.create_table('offers',
    sa.Column('enterprise_id', sa.BigInteger(), nullable=False),
    sa.Column('school_id', sa.BigInteger(), nullable=False),
    sa.Column('created_by_id', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.String(length=20), server_default='draft', nullable=False),
    sa.Column('weekly_hours_budget', sa.Integer(), nullable=False),
    sa.Column('requires_approval', sa.Boolean(), server_default='false', nullable=False),
    sa.Column('approval_hours', sa.Integer(), server_default='48', nullable=False),
    sa.Column('supervisor_on_site', sa.Boolean(), server_default='false', nullable=False),
    sa.Column('supervisor_contact', sa.String(length=300), server_default='', nullable=False),
    sa.Column('allowed_uses', sa.Text(), server_default='', nullable=False),
    sa.Column('withdrawal_notice_days', sa.Integer(), nullable=False),
    sa.Column('asks_back', sa.String(length=30), nullable=False),
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("status IN ('draft', 'submitted', 'approved', 'rejected', 'withdrawn', 'expired')", name=op.f('ck_offers_status')),
    sa.CheckConstraint("asks_back IN ('outcome_per_session', 'monthly_summary')", name=op.f('ck_offers_asks_back')),
    sa.CheckConstraint('weekly_hours_budget > 0', name=op.f('ck_offers_weekly_hours_budget')),
    sa.CheckConstraint('approval_hours > 0', name=op.f('ck_offers_approval_hours')),
    sa.CheckConstraint('withdrawal_notice_days >= 0', name=op.f('ck_offers_withdrawal_notice_days')),
    sa.CheckConstraint("NOT supervisor_on_site OR supervisor_contact <> ''", name=op.f('ck_offers_supervisor_contact')),
    sa.CheckConstraint('enterprise_id <> school_id', name=op.f('ck_offers_two_organisations')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['organisations.id'], name=op.f('fk_offers_enterprise_id_organisations'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['school_id'], ['organisations.id'], name=op.f('fk_offers_school_id_organisations'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_offers_created_by_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_offers'))
    )
    op.create_index(op.f('ix_offers_enterprise_id'), 'offers', ['enterprise_id'], unique=False)
    op.create_index(op.f('ix_offers_school_id'), 'offers', ['school_id'], unique=False)
    # One live offer per enterprise and school: the promise behind 409 offer_exists.
    op.create_index('uq_offers_one_live_per_school', 'offers', ['enterprise_id', 'school_id'],
                    unique=True,
                    postgresql_where=sa.text("status IN ('draft', 'submitted', 'approved')"))

    op.create_table('offer_items',
    sa.Column('offer_id', sa.BigInteger(), nullable=False),
    sa.Column('equipment_id', sa.BigInteger(), nullable=False),
    sa.Column('value_per_hour', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.CheckConstraint('value_per_hour IS NULL OR value_per_hour >= 0', name=op.f('ck_offer_items_value_per_hour')),
    sa.ForeignKeyConstraint(['offer_id'], ['offers.id'], name=op.f('fk_offer_items_offer_id_offers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['equipment_id'], ['equipment.id'], name=op.f('fk_offer_items_equipment_id_equipment'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('offer_id', 'equipment_id', name=op.f('pk_offer_items'))
    )
    op.create_index(op.f('ix_offer_items_equipment_id'), 'offer_items', ['equipment_id'], unique=False)

    op.create_table('offer_windows',
    sa.Column('offer_id', sa.BigInteger(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('ends_on >= starts_on', name=op.f('ck_offer_windows_ends_on_after_start')),
    sa.ForeignKeyConstraint(['offer_id'], ['offers.id'], name=op.f('fk_offer_windows_offer_id_offers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_offer_windows'))
    )
    op.create_index(op.f('ix_offer_windows_offer_id'), 'offer_windows', ['offer_id'], unique=False)

    op.create_table('offer_window_spans',
    sa.Column('window_id', sa.BigInteger(), nullable=False),
    sa.Column('weekday', sa.SmallInteger(), nullable=False),
    sa.Column('opens', sa.Time(), nullable=False),
    sa.Column('closes', sa.Time(), nullable=False),
    sa.CheckConstraint('weekday BETWEEN 1 AND 7', name=op.f('ck_offer_window_spans_weekday')),
    sa.CheckConstraint('opens < closes', name=op.f('ck_offer_window_spans_opens_before_closes')),
    sa.ForeignKeyConstraint(['window_id'], ['offer_windows.id'], name=op.f('fk_offer_window_spans_window_id_offer_windows'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('window_id', 'weekday', 'opens', name=op.f('pk_offer_window_spans'))
    )

    op.create_table('offer_events',
    sa.Column('offer_id', sa.BigInteger(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('actor_id', sa.BigInteger(), nullable=True),
    sa.Column('from_status', sa.String(length=20), nullable=True),
    sa.Column('to_status', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.String(length=500), server_default='', nullable=False),
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['offer_id'], ['offers.id'], name=op.f('fk_offer_events_offer_id_offers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_offer_events_actor_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_offer_events'))
    )
    op.create_index(op.f('ix_offer_events_offer_id'), 'offer_events', ['offer_id'], unique=False)

    op.drop_constraint(op.f('ck_notifications_kind'), 'notifications', type_='check')
    op.create_check_constraint(op.f('ck_notifications_kind'), 'notifications',
                               _kinds((*RESERVATION_KINDS, *OFFER_KINDS)))


def downgrade() -> None:
    op.execute(f"DELETE FROM notifications WHERE kind IN ({', '.join(repr(k) for k in OFFER_KINDS)})")
    op.drop_constraint(op.f('ck_notifications_kind'), 'notifications', type_='check')
    op.create_check_constraint(op.f('ck_notifications_kind'), 'notifications',
                               _kinds(RESERVATION_KINDS))
    op.drop_index(op.f('ix_offer_events_offer_id'), table_name='offer_events')
    op.drop_table('offer_events')
    op.drop_table('offer_window_spans')
    op.drop_index(op.f('ix_offer_windows_offer_id'), table_name='offer_windows')
    op.drop_table('offer_windows')
    op.drop_index(op.f('ix_offer_items_equipment_id'), table_name='offer_items')
    op.drop_table('offer_items')
    op.drop_index('uq_offers_one_live_per_school', table_name='offers')
    op.drop_index(op.f('ix_offers_school_id'), table_name='offers')
    op.drop_index(op.f('ix_offers_enterprise_id'), table_name='offers')
    op.drop_table('offers')
