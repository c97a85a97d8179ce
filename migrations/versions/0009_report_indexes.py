"""Reports: a GiST index on each reservation's span, per item, for the reports' range scans.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Every status, unlike the exclusion constraint's partial index: reports count cancelled
    # and no-show reservations too. `tstzrange(starts_at, ends_at) && period` finds the
    # reservations touching a period without reading the item's earlier history.
    op.execute("CREATE INDEX ix_reservations_equipment_id_span ON reservations"
               " USING gist (equipment_id, tstzrange(starts_at, ends_at))")


def downgrade() -> None:
    op.drop_index('ix_reservations_equipment_id_span', table_name='reservations')
