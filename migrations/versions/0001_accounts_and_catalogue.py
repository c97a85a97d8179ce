"""Accounts and catalogue: organisations, users, tokens, bases, categories, equipment, qualifications.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""
import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Exclusion constraints over (equipment, time span) need btree_gist; later revisions use it.
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    op.create_table('equipment_categories',
    sa.Column('code', sa.String(length=50), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), server_default='', nullable=False),
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("code ~ '^[a-z0-9][a-z0-9_-]*$'", name=op.f('ck_equipment_categories_code_slug')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_equipment_categories')),
    sa.UniqueConstraint('code', name=op.f('uq_equipment_categories_code')),
    sa.UniqueConstraint('name', name=op.f('uq_equipment_categories_name'))
    )
    op.create_table('login_failures',
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('remote_addr', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_failures'))
    )
    op.create_index('ix_login_failures_email_at', 'login_failures', ['email', 'at'], unique=False)
    op.create_index('ix_login_failures_remote_addr_at', 'login_failures', ['remote_addr', 'at'], unique=False)
    op.create_table('organisations',
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('description', sa.Text(), server_default='', nullable=False),
    sa.Column('contact_email', sa.String(length=254), nullable=True),
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("kind IN ('school', 'enterprise')", name=op.f('ck_organisations_kind')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisations')),
    sa.UniqueConstraint('name', name=op.f('uq_organisations_name'))
    )
    op.create_table('training_bases',
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('organisation_id', sa.BigInteger(), nullable=False),
    sa.Column('address', sa.Text(), server_default='', nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('description', sa.Text(), server_default='', nullable=False),
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("kind IN ('campus', 'enterprise', 'co_built')", name=op.f('ck_training_bases_kind')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_training_bases_organisation_id_organisations'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_bases')),
    sa.UniqueConstraint('name', name=op.f('uq_training_bases_name'))
    )
    op.create_index(op.f('ix_training_bases_organisation_id'), 'training_bases', ['organisation_id'], unique=False)
    op.create_table('users',
    sa.Column('organisation_id', sa.BigInteger(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('is_active', sa.Boolean(), server_default='true', nullable=False),
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("role IN ('student', 'instructor', 'enterprise_staff', 'admin')", name=op.f('ck_users_role')),
    sa.CheckConstraint('email = lower(email)', name=op.f('ck_users_email_lower_case')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_users_organisation_id_organisations'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email'))
    )
    op.create_index(op.f('ix_users_organisation_id'), 'users', ['organisation_id'], unique=False)
    op.create_table('access_tokens',
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_access_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_access_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_access_tokens_token_hash'))
    )
    op.create_index(op.f('ix_access_tokens_user_id'), 'access_tokens', ['user_id'], unique=False)
    op.create_table('closures',
    sa.Column('base_id', sa.BigInteger(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('ends_on >= starts_on', name=op.f('ck_closures_ends_after_start')),
    sa.ForeignKeyConstraint(['base_id'], ['training_bases.id'], name=op.f('fk_closures_base_id_training_bases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_closures'))
    )
    op.create_index(op.f('ix_closures_base_id'), 'closures', ['base_id'], unique=False)
    op.create_table('equipment',
    sa.Column('base_id', sa.BigInteger(), nullable=False),
    sa.Column('owner_organisation_id', sa.BigInteger(), nullable=False),
    sa.Column('category_id', sa.BigInteger(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('asset_tag', sa.String(length=64), nullable=False),
    sa.Column('description', sa.Text(), server_default='', nullable=False),
    sa.Column('status', sa.String(length=20), server_default='active', nullable=False),
    sa.Column('slot_minutes', sa.Integer(), server_default='30', nullable=False),
    sa.Column('min_duration_minutes', sa.Integer(), server_default='30', nullable=False),
    sa.Column('max_duration_minutes', sa.Integer(), server_default='240', nullable=False),
    sa.Column('setup_buffer_minutes', sa.Integer(), server_default='0', nullable=False),
    sa.Column('booking_horizon_days', sa.Integer(), server_default='30', nullable=False),
    sa.Column('requires_approval', sa.Boolean(), server_default='false', nullable=False),
    sa.Column('requires_qualification', sa.Boolean(), server_default='false', nullable=False),
    sa.Column('max_attendees', sa.Integer(), server_default='1', nullable=False),
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("status IN ('active', 'maintenance', 'retired')", name=op.f('ck_equipment_status')),
    sa.CheckConstraint('booking_horizon_days BETWEEN 1 AND 730', name=op.f('ck_equipment_booking_horizon')),
    sa.CheckConstraint('max_attendees BETWEEN 1 AND 500', name=op.f('ck_equipment_max_attendees')),
    sa.CheckConstraint('max_duration_minutes >= min_duration_minutes AND mod(max_duration_minutes, slot_minutes) = 0 AND max_duration_minutes <= 10080', name=op.f('ck_equipment_max_duration_in_slots')),
    sa.CheckConstraint('min_duration_minutes > 0 AND mod(min_duration_minutes, slot_minutes) = 0', name=op.f('ck_equipment_min_duration_in_slots')),
    sa.CheckConstraint('setup_buffer_minutes BETWEEN 0 AND 1440', name=op.f('ck_equipment_setup_buffer')),
    sa.CheckConstraint('slot_minutes BETWEEN 5 AND 1440 AND mod(1440, slot_minutes) = 0', name=op.f('ck_equipment_slot_divides_day')),
    sa.ForeignKeyConstraint(['base_id'], ['training_bases.id'], name=op.f('fk_equipment_base_id_training_bases'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['category_id'], ['equipment_categories.id'], name=op.f('fk_equipment_category_id_equipment_categories'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['owner_organisation_id'], ['organisations.id'], name=op.f('fk_equipment_owner_organisation_id_organisations'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_equipment')),
    sa.UniqueConstraint('asset_tag', name=op.f('uq_equipment_asset_tag'))
    )
    op.create_index(op.f('ix_equipment_base_id'), 'equipment', ['base_id'], unique=False)
    op.create_index(op.f('ix_equipment_category_id'), 'equipment', ['category_id'], unique=False)
    op.create_index('ix_equipment_name_lower', 'equipment', [sa.literal_column('lower(name)')], unique=False)
    op.create_index(op.f('ix_equipment_owner_organisation_id'), 'equipment', ['owner_organisation_id'], unique=False)
    op.create_index(op.f('ix_equipment_status'), 'equipment', ['status'], unique=False)
    op.create_table('opening_hours',
    sa.Column('base_id', sa.BigInteger(), nullable=False),
    sa.Column('weekday', sa.SmallInteger(), nullable=False),
    sa.Column('opens', sa.Time(), nullable=False),
    sa.Column('closes', sa.Time(), nullable=False),
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('opens < closes', name=op.f('ck_opening_hours_opens_before_closes')),
    sa.CheckConstraint('weekday BETWEEN 1 AND 7', name=op.f('ck_opening_hours_weekday')),
    sa.ForeignKeyConstraint(['base_id'], ['training_bases.id'], name=op.f('fk_opening_hours_base_id_training_bases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_opening_hours'))
    )
    op.create_index(op.f('ix_opening_hours_base_id'), 'opening_hours', ['base_id'], unique=False)
    op.create_table('qualifications',
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('category_id', sa.BigInteger(), nullable=False),
    sa.Column('granted_by_id', sa.BigInteger(), nullable=False),
    sa.Column('granted_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_by_id', sa.BigInteger(), nullable=True),
    sa.Column('note', sa.String(length=500), server_default='', nullable=False),
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['equipment_categories.id'], name=op.f('fk_qualifications_category_id_equipment_categories'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['granted_by_id'], ['users.id'], name=op.f('fk_qualifications_granted_by_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['revoked_by_id'], ['users.id'], name=op.f('fk_qualifications_revoked_by_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_qualifications_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qualifications'))
    )
    op.create_index(op.f('ix_qualifications_user_id'), 'qualifications', ['user_id'], unique=False)
    op.create_index('uq_qualifications_standing', 'qualifications', ['user_id', 'category_id'], unique=True, postgresql_where=sa.text('revoked_at IS NULL'))


def downgrade() -> None:
    op.drop_index('uq_qualifications_standing', table_name='qualifications', postgresql_where=sa.text('revoked_at IS NULL'))
    op.drop_index(op.f('ix_qualifications_user_id'), table_name='qualifications')
    op.drop_table('qualifications')
    op.drop_index(op.f('ix_opening_hours_base_id'), table_name='opening_hours')
    op.drop_table('opening_hours')
    op.drop_index(op.f('ix_equipment_status'), table_name='equipment')
    op.drop_index(op.f('ix_equipment_owner_organisation_id'), table_name='equipment')
    op.drop_index('ix_equipment_name_lower', table_name='equipment')
    op.drop_index(op.f('ix_equipment_category_id'), table_name='equipment')
    op.drop_index(op.f('ix_equipment_base_id'), table_name='equipment')
    op.drop_table('equipment')
    op.drop_index(op.f('ix_closures_base_id'), table_name='closures')
    op.drop_table('closures')
    op.drop_index(op.f('ix_access_tokens_user_id'), table_name='access_tokens')
    op.drop_table('access_tokens')
    op.drop_index(op.f('ix_users_organisation_id'), table_name='users')
    op.drop_table('users')
    op.drop_index(op.f('ix_training_bases_organisation_id'), table_name='training_bases')
    op.drop_table('training_bases')
    op.drop_table('organisations')
    op.drop_index('ix_login_failures_remote_addr_at', table_name='login_failures')
    op.drop_index('ix_login_failures_email_at', table_name='login_failures')
    op.drop_table('login_failures')
    op.drop_table('equipment_categories')
    op.execute("DROP EXTENSION IF EXISTS btree_gist")
