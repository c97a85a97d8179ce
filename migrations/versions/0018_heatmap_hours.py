"""The heat map's hours kept with the daily reports: `utilisation_hours` (open and booked
seconds per local day, wall hour, base, category and owner) and `report_runs.hours_kept`.

Days built before this revision have no hours (`hours_kept` false): the heat map computes them
live until they are rebuilt (`benchshare reports build --granularity day`). Downgrade drops the
hours.

Revision ID: 0018
Revises: 0016
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'utilisation_hours',
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('hour', sa.SmallInteger(), nullable=False),
        sa.Column('base_id', sa.BigInteger(), nullable=False),
        sa.Column('category_id', sa.BigInteger(), nullable=False),
        sa.Column('owner_organisation_id', sa.BigInteger(), nullable=False),
        sa.Column('open_seconds', sa.Numeric(), nullable=False),
        sa.Column('booked_seconds', sa.Numeric(), nullable=False),
        sa.Column('id', sa.BigInteger(), nullable=False),
        sa.CheckConstraint('hour BETWEEN 0 AND 23',
                           name=op.f('ck_utilisation_hours_hour')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_utilisation_hours')),
        sa.UniqueConstraint('day', 'base_id', 'category_id', 'owner_organisation_id', 'hour',
                            name='uq_utilisation_hours_day_group_hour'),
    )
    op.add_column('report_runs', sa.Column('hours_kept', sa.Boolean(),
                                           server_default='false', nullable=False))


def downgrade() -> None:
    op.drop_column('report_runs', 'hours_kept')
    op.drop_table('utilisation_hours')
