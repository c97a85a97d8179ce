"""Reservations: bookings with an exclusion constraint, events, series, blackouts, waitlist, quotas, idempotency keys, notifications.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('booking_quotas',
    sa.Column('organisation_id', sa.BigInteger(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('weekly_hours', sa.Integer(), nullable=True),
    sa.Column('active_reservations', sa.Integer(), nullable=True),
    sa.CheckConstraint("role IN ('student', 'admin')", name=op.f('ck_booking_quotas_role')),
    sa.CheckConstraint('active_reservations IS NULL OR active_reservations >= 0', name=op.f('ck_booking_quotas_active_reservations')),
    sa.CheckConstraint('weekly_hours IS NULL OR weekly_hours >= 0', name=op.f('ck_booking_quotas_weekly_hours')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_booking_quotas_organisation_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('organisation_id', 'role', name=op.f('pk_booking_quotas'))
    )
    op.create_table('idempotency_keys',
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('request_hash', sa.String(length=64), nullable=False),
    sa.Column('status_code', sa.SmallInteger(), nullable=False),
    sa.Column('response', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_idempotency_keys_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'key', name=op.f('pk_idempotency_keys'))
    )
    op.create_table('blackouts',
    sa.Column('equipment_id', sa.BigInteger(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('created_by_id', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_blackouts_ends_after_start')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_blackouts_created_by_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['equipment_id'], ['equipment.id'], name=op.f('fk_blackouts_equipment_id_equipment'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_blackouts'))
    )
    op.create_index('ix_blackouts_equipment_id_starts_at', 'blackouts', ['equipment_id', 'starts_at'], unique=False)
    op.create_table('series',
    sa.Column('equipment_id', sa.BigInteger(), nullable=False),
    sa.Column('holder_id', sa.BigInteger(), nullable=False),
    sa.Column('created_by_id', sa.BigInteger(), nullable=False),
    sa.Column('weekdays', postgresql.ARRAY(sa.SmallInteger()), nullable=False),
    sa.Column('local_start', sa.Time(), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('until_on', sa.Date(), nullable=False),
    sa.Column('purpose', sa.String(length=500), server_default='', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('duration_minutes > 0', name=op.f('ck_series_duration_positive')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_series_created_by_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['equipment_id'], ['equipment.id'], name=op.f('fk_series_equipment_id_equipment'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['holder_id'], ['users.id'], name=op.f('fk_series_holder_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_series'))
    )
    op.create_index(op.f('ix_series_equipment_id'), 'series', ['equipment_id'], unique=False)
    op.create_table('reservations',
    sa.Column('equipment_id', sa.BigInteger(), nullable=False),
    sa.Column('holder_id', sa.BigInteger(), nullable=False),
    sa.Column('created_by_id', sa.BigInteger(), nullable=False),
    sa.Column('series_id', sa.BigInteger(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('blocked_until', sa.DateTime(timezone=True), nullable=False),
    sa.Column('purpose', sa.String(length=500), server_default='', nullable=False),
    sa.Column('checked_in_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('checked_out_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('hold_expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    postgresql.ExcludeConstraint((sa.column('equipment_id'), '='), (sa.text('tstzrange(starts_at, blocked_until)'), '&&'), where=sa.text("status IN ('pending', 'confirmed', 'checked_in', 'completed')"), using='gist', name='no_overlapping_active_reservations'),
    sa.CheckConstraint("status IN ('pending', 'confirmed', 'checked_in', 'completed', 'cancelled', 'rejected', 'no_show')", name=op.f('ck_reservations_status')),
    sa.CheckConstraint('blocked_until > starts_at', name=op.f('ck_reservations_blocked_span_not_empty')),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_reservations_ends_after_start')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_reservations_created_by_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['equipment_id'], ['equipment.id'], name=op.f('fk_reservations_equipment_id_equipment'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['holder_id'], ['users.id'], name=op.f('fk_reservations_holder_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['series_id'], ['series.id'], name=op.f('fk_reservations_series_id_series'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reservations'))
    )
    op.create_index('ix_reservations_equipment_id_starts_at', 'reservations', ['equipment_id', 'starts_at'], unique=False)
    op.create_index('ix_reservations_holder_id_starts_at', 'reservations', ['holder_id', 'starts_at'], unique=False)
    op.create_index(op.f('ix_reservations_series_id'), 'reservations', ['series_id'], unique=False)
    op.create_index('ix_reservations_status_starts_at', 'reservations', ['status', 'starts_at'], unique=False)
    op.create_table('notifications',
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('reservation_id', sa.BigInteger(), nullable=True),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('body', sa.String(length=4000), nullable=False),
    sa.Column('data', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('delivery', sa.String(length=20), server_default='pending', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.CheckConstraint("delivery IN ('pending', 'sending', 'sent', 'failed')", name=op.f('ck_notifications_delivery')),
    sa.CheckConstraint("kind IN ('confirmed', 'approved', 'rejected', 'cancelled', 'reminder', 'no_show', 'waitlist_offer', 'pending_approval')", name=op.f('ck_notifications_kind')),
    sa.ForeignKeyConstraint(['reservation_id'], ['reservations.id'], name=op.f('fk_notifications_reservation_id_reservations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notifications_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications'))
    )
    op.create_index('ix_notifications_pending', 'notifications', ['id'], unique=False, postgresql_where=sa.text("delivery = 'pending'"))
    op.create_index('ix_notifications_user_id_created_at', 'notifications', ['user_id', 'created_at'], unique=False)
    op.create_index('uq_notifications_one_reminder', 'notifications', ['reservation_id'], unique=True, postgresql_where=sa.text("kind = 'reminder'"))
    op.create_table('reservation_attendees',
    sa.Column('reservation_id', sa.BigInteger(), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['reservation_id'], ['reservations.id'], name=op.f('fk_reservation_attendees_reservation_id_reservations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_reservation_attendees_user_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('reservation_id', 'user_id', name=op.f('pk_reservation_attendees'))
    )
    op.create_index(op.f('ix_reservation_attendees_user_id'), 'reservation_attendees', ['user_id'], unique=False)
    op.create_table('reservation_events',
    sa.Column('reservation_id', sa.BigInteger(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('actor_id', sa.BigInteger(), nullable=True),
    sa.Column('from_status', sa.String(length=20), nullable=True),
    sa.Column('to_status', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.String(length=500), server_default='', nullable=False),
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_reservation_events_actor_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['reservation_id'], ['reservations.id'], name=op.f('fk_reservation_events_reservation_id_reservations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reservation_events'))
    )
    op.create_index(op.f('ix_reservation_events_reservation_id'), 'reservation_events', ['reservation_id'], unique=False)
    op.create_table('waitlist_entries',
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('equipment_id', sa.BigInteger(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('purpose', sa.String(length=500), server_default='', nullable=False),
    sa.Column('status', sa.String(length=20), server_default='waiting', nullable=False),
    sa.Column('reservation_id', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.CheckConstraint("status IN ('waiting', 'offered', 'fulfilled', 'expired', 'cancelled')", name=op.f('ck_waitlist_entries_status')),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_waitlist_entries_ends_after_start')),
    sa.ForeignKeyConstraint(['equipment_id'], ['equipment.id'], name=op.f('fk_waitlist_entries_equipment_id_equipment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reservation_id'], ['reservations.id'], name=op.f('fk_waitlist_entries_reservation_id_reservations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_waitlist_entries_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_waitlist_entries'))
    )
    op.create_index('ix_waitlist_entries_equipment_id_status', 'waitlist_entries', ['equipment_id', 'status'], unique=False)
    op.create_index(op.f('ix_waitlist_entries_user_id'), 'waitlist_entries', ['user_id'], unique=False)
    op.create_index(op.f('ix_waitlist_entries_reservation_id'), 'waitlist_entries', ['reservation_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_waitlist_entries_reservation_id'), table_name='waitlist_entries')
    op.drop_index(op.f('ix_waitlist_entries_user_id'), table_name='waitlist_entries')
    op.drop_index('ix_waitlist_entries_equipment_id_status', table_name='waitlist_entries')
    op.drop_table('waitlist_entries')
    op.drop_index(op.f('ix_reservation_events_reservation_id'), table_name='reservation_events')
    op.drop_table('reservation_events')
    op.drop_index(op.f('ix_reservation_attendees_user_id'), table_name='reservation_attendees')
    op.drop_table('reservation_attendees')
    op.drop_index('uq_notifications_one_reminder', table_name='notifications', postgresql_where=sa.text("kind = 'reminder'"))
    op.drop_index('ix_notifications_user_id_created_at', table_name='notifications')
    op.drop_index('ix_notifications_pending', table_name='notifications', postgresql_where=sa.text("delivery = 'pending'"))
    op.drop_table('notifications')
    op.drop_index('ix_reservations_status_starts_at', table_name='reservations')
    op.drop_index(op.f('ix_reservations_series_id'), table_name='reservations')
    op.drop_index('ix_reservations_holder_id_starts_at', table_name='reservations')
    op.drop_index('ix_reservations_equipment_id_starts_at', table_name='reservations')
    op.drop_table('reservations')
    op.drop_index(op.f('ix_series_equipment_id'), table_name='series')
    op.drop_table('series')
    op.drop_index('ix_blackouts_equipment_id_starts_at', table_name='blackouts')
    op.drop_table('blackouts')
    op.drop_table('idempotency_keys')
    op.drop_table('booking_quotas')
