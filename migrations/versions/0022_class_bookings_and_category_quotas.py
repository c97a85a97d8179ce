"""Classes booked by name, quotas per role and category.

Reservations and series name the class they were booked for (`class_id`, NULL otherwise and
once the class is deleted). A quota binds a role on every category (`category_id` NULL, as
every quota so far) or on one category; instructors and an enterprise's staff may now have
quotas too. The quotas' key becomes an id, with one quota per organisation, role and
category. Downgrade drops the category quotas and those of the new roles.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None

OLD_ROLES = "role IN ('student', 'admin')"
NEW_ROLES = "role IN ('student', 'instructor', 'admin', 'enterprise_staff')"


def upgrade() -> None:
    for table, index in (('reservations', True), ('series', False)):
        op.add_column(table, sa.Column('class_id', sa.BigInteger(), nullable=True))
        op.create_foreign_key(op.f(f'fk_{table}_class_id_classes'), table, 'classes',
                              ['class_id'], ['id'], ondelete='SET NULL')
        if index:
            op.create_index(op.f(f'ix_{table}_class_id'), table, ['class_id'])
    op.drop_constraint(op.f('pk_booking_quotas'), 'booking_quotas', type_='primary')
    # bigserial, as every other table's id: existing rows are numbered as they are.
    op.execute("ALTER TABLE booking_quotas ADD COLUMN id BIGSERIAL NOT NULL")
    op.create_primary_key(op.f('pk_booking_quotas'), 'booking_quotas', ['id'])
    op.add_column('booking_quotas', sa.Column('category_id', sa.BigInteger(), nullable=True))
    op.create_foreign_key(op.f('fk_booking_quotas_category_id_equipment_categories'),
                          'booking_quotas', 'equipment_categories', ['category_id'], ['id'],
                          ondelete='CASCADE')
    op.create_index('uq_booking_quotas_organisation_id_role_category_id', 'booking_quotas',
                    ['organisation_id', 'role', sa.text('coalesce(category_id, 0)')],
                    unique=True)
    op.drop_constraint(op.f('ck_booking_quotas_role'), 'booking_quotas', type_='check')
    op.create_check_constraint(op.f('ck_booking_quotas_role'), 'booking_quotas', NEW_ROLES)


def downgrade() -> None:
    op.execute("DELETE FROM booking_quotas WHERE category_id IS NOT NULL "
               f"OR NOT ({OLD_ROLES})")
    op.drop_constraint(op.f('ck_booking_quotas_role'), 'booking_quotas', type_='check')
    op.create_check_constraint(op.f('ck_booking_quotas_role'), 'booking_quotas', OLD_ROLES)
    op.drop_index('uq_booking_quotas_organisation_id_role_category_id', 'booking_quotas')
    op.drop_constraint(op.f('fk_booking_quotas_category_id_equipment_categories'),
                       'booking_quotas', type_='foreignkey')
    op.drop_column('booking_quotas', 'category_id')
    op.drop_constraint(op.f('pk_booking_quotas'), 'booking_quotas', type_='primary')
    op.drop_column('booking_quotas', 'id')
    op.create_primary_key(op.f('pk_booking_quotas'), 'booking_quotas', ['organisation_id', 'role'])
    for table, index in (('series', False), ('reservations', True)):
        if index:
            op.drop_index(op.f(f'ix_{table}_class_id'), table)
        op.drop_constraint(op.f(f'fk_{table}_class_id_classes'), table, type_='foreignkey')
        op.drop_column(table, 'class_id')
