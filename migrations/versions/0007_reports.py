"""Utilisation reports: one row per item and period (a rebuild replaces it), and every run.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('report_runs',
    sa.Column('granularity', sa.String(length=10), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('trigger', sa.String(length=10), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('rows', sa.Integer(), server_default='0', nullable=False),
    sa.Column('error', sa.Text(), server_default='', nullable=False),
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.CheckConstraint("granularity IN ('day', 'week', 'month')", name=op.f('ck_report_runs_granularity')),
    sa.CheckConstraint("status IN ('running', 'succeeded', 'failed')", name=op.f('ck_report_runs_status')),
    sa.CheckConstraint("trigger IN ('schedule', 'rebuild', 'backfill')", name=op.f('ck_report_runs_trigger')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_runs'))
    )
    op.create_index('ix_report_runs_granularity_period_start', 'report_runs', ['granularity', 'period_start'], unique=False)
    op.create_table('utilisation_rows',
    sa.Column('granularity', sa.String(length=10), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('equipment_id', sa.BigInteger(), nullable=False),
    sa.Column('base_id', sa.BigInteger(), nullable=False),
    sa.Column('category_id', sa.BigInteger(), nullable=False),
    sa.Column('owner_organisation_id', sa.BigInteger(), nullable=False),
    sa.Column('is_enterprise', sa.Boolean(), nullable=False),
    sa.Column('available_hours', sa.Numeric(precision=12, scale=4), nullable=False),
    sa.Column('booked_hours', sa.Numeric(precision=12, scale=4), nullable=False),
    sa.Column('used_hours', sa.Numeric(precision=12, scale=4), nullable=False),
    sa.Column('no_shows', sa.Integer(), nullable=False),
    sa.Column('cancellations', sa.Integer(), nullable=False),
    sa.Column('late_cancellations', sa.Integer(), nullable=False),
    sa.Column('built_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.CheckConstraint("granularity IN ('day', 'week', 'month')", name=op.f('ck_utilisation_rows_granularity')),
    sa.ForeignKeyConstraint(['equipment_id'], ['equipment.id'], name=op.f('fk_utilisation_rows_equipment_id_equipment'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_utilisation_rows')),
    sa.UniqueConstraint('granularity', 'period_start', 'equipment_id', name='uq_utilisation_rows_period_item')
    )
    op.create_index('ix_utilisation_rows_equipment_id', 'utilisation_rows', ['equipment_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_utilisation_rows_equipment_id', table_name='utilisation_rows')
    op.drop_table('utilisation_rows')
    op.drop_index('ix_report_runs_granularity_period_start', table_name='report_runs')
    op.drop_table('report_runs')
