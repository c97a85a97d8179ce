"""Utilisation rows count an enterprise item's offered hours and the lapsed requests.

An enterprise's item is now available in its base's opening hours, like a school's; what its
approved offers open of that is `offered_hours`. Rows built before this revision held, for an
enterprise's item, only the offered part as available: that is what they offered, so it is
copied into `offered_hours` (a rebuild of the period gives the opening hours as available).
School items offer nothing: 0.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('utilisation_rows', sa.Column('offered_hours', sa.Numeric(precision=12, scale=4), server_default='0', nullable=False))
    op.add_column('utilisation_rows', sa.Column('lapses', sa.Integer(), server_default='0', nullable=False))
    op.execute("UPDATE utilisation_rows SET offered_hours = available_hours WHERE is_enterprise")


def downgrade() -> None:
    op.drop_column('utilisation_rows', 'lapses')
    op.drop_column('utilisation_rows', 'offered_hours')
