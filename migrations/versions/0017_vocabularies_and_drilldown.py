"""The shared vocabularies in Chinese too: equipment categories gain `name_zh` (the seeded
categories' Chinese names filled in; others empty until an operator names them), and skill
tags gain a row version (for If-Match edits) with their times. And an index of each item's
booked reservations by length: the longest tells the drill-down of a heat-map cell how far
before each wall hour to look with the (equipment_id, starts_at) index.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

BOOKED = "status IN ('confirmed', 'checked_in', 'completed', 'no_show')"
# The seeded categories (seeds/categories.json) by code.
SEEDED_ZH = {
    "cnc": "数控加工",
    "industrial-robot": "工业机器人",
    "3d-printer": "3D 打印机",
    "ev-battery": "新能源电池实训台",
    "process-simulator": "过程仿真装置",
    "plc": "PLC 实训台",
    "welding": "焊接实训台",
}


def upgrade() -> None:
    op.add_column('equipment_categories', sa.Column('name_zh', sa.String(length=200),
                                                    server_default='', nullable=False))
    categories = sa.table('equipment_categories', sa.column('code', sa.String),
                          sa.column('name_zh', sa.String))
    for code, name in SEEDED_ZH.items():
        op.execute(categories.update().where(categories.c.code == code)
                   .values(name_zh=name))
    op.add_column('skill_tags', sa.Column('version', sa.Integer(), server_default='1',
                                          nullable=False))
    op.add_column('skill_tags', sa.Column('created_at', sa.DateTime(timezone=True),
                                          server_default=sa.text('now()'), nullable=False))
    op.add_column('skill_tags', sa.Column('updated_at', sa.DateTime(timezone=True),
                                          server_default=sa.text('now()'), nullable=False))
    op.create_index('ix_reservations_equipment_id_booked_length', 'reservations',
                    ['equipment_id', sa.text('(ends_at - starts_at)')], unique=False,
                    postgresql_where=sa.text(BOOKED))


def downgrade() -> None:
    op.drop_index('ix_reservations_equipment_id_booked_length', table_name='reservations',
                  postgresql_where=sa.text(BOOKED))
    op.drop_column('skill_tags', 'updated_at')
    op.drop_column('skill_tags', 'created_at')
    op.drop_column('skill_tags', 'version')
    op.drop_column('equipment_categories', 'name_zh')
