"""Schedules with a history: opening hours in force on local days, retired items remembered.

Each opening_hours row gains `in_force` (a daterange of the base's local days); today's rows
are in force since the beginning, so no past figure moves. An exclusion constraint keeps one
week per day whatever edits and corrections write. Equipment gains `retired_at` (retired
items get their last change as the best record there is), and asset tags are unique only
among items in service. Report runs may be triggered by an operator's `correction`.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

_TRIGGERS_BEFORE = "trigger IN ('schedule', 'rebuild', 'backfill')"
_TRIGGERS_AFTER = "trigger IN ('schedule', 'rebuild', 'backfill', 'correction')"


def upgrade() -> None:
    op.add_column('opening_hours', sa.Column(
        'in_force', postgresql.DATERANGE(), server_default='(,)', nullable=False))
    op.create_check_constraint(op.f('ck_opening_hours_in_force_not_empty'), 'opening_hours',
                               'NOT isempty(in_force)')
    op.execute("""
        ALTER TABLE opening_hours ADD CONSTRAINT no_overlapping_hours_in_force
        EXCLUDE USING gist (base_id WITH =, weekday WITH =, in_force WITH &&,
                            numrange(extract(epoch FROM opens), extract(epoch FROM closes))
                            WITH &&)
    """)

    op.add_column('equipment', sa.Column('retired_at', sa.DateTime(timezone=True),
                                         nullable=True))
    op.execute("UPDATE equipment SET retired_at = updated_at WHERE status = 'retired'")
    op.create_check_constraint(op.f('ck_equipment_retired_at'), 'equipment',
                               "(status = 'retired') = (retired_at IS NOT NULL)")
    op.drop_constraint(op.f('uq_equipment_asset_tag'), 'equipment', type_='unique')
    op.create_index('uq_equipment_asset_tag_in_service', 'equipment', ['asset_tag'],
                    unique=True, postgresql_where=sa.text("status <> 'retired'"))

    op.drop_constraint(op.f('ck_report_runs_trigger'), 'report_runs', type_='check')
    op.create_check_constraint(op.f('ck_report_runs_trigger'), 'report_runs', _TRIGGERS_AFTER)


def downgrade() -> None:
    op.execute("DELETE FROM report_runs WHERE trigger = 'correction'")
    op.drop_constraint(op.f('ck_report_runs_trigger'), 'report_runs', type_='check')
    op.create_check_constraint(op.f('ck_report_runs_trigger'), 'report_runs', _TRIGGERS_BEFORE)

    op.drop_index('uq_equipment_asset_tag_in_service', table_name='equipment',
                  postgresql_where=sa.text("status <> 'retired'"))
    op.create_unique_constraint(op.f('uq_equipment_asset_tag'), 'equipment', ['asset_tag'])
    op.drop_constraint(op.f('ck_equipment_retired_at'), 'equipment', type_='check')
    op.drop_column('equipment', 'retired_at')

    # Only the week in force today survives: the history has nowhere to go.
    op.execute("""
        DELETE FROM opening_hours h USING training_bases b
        WHERE b.id = h.base_id
          AND NOT h.in_force @> (now() AT TIME ZONE b.timezone)::date
    """)
    op.execute("ALTER TABLE opening_hours DROP CONSTRAINT no_overlapping_hours_in_force")
    op.drop_constraint(op.f('ck_opening_hours_in_force_not_empty'), 'opening_hours',
                       type_='check')
    op.drop_column('opening_hours', 'in_force')
