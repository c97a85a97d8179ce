"""Tenancy: the platform and its operators, enterprise managers, explicit base owners.

Equipment now refers to a (base, owner) row of training_base_owners, so PostgreSQL refuses
an item at a base its owner neither runs nor co-owns. Existing data moves over: every base is
owned by the organisation that runs it, and every other organisation that already has an item
at a base becomes a co-owner of it (nothing already placed is refused).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_constraint(op.f('ck_organisations_kind'), 'organisations', type_='check')
    op.create_check_constraint(op.f('ck_organisations_kind'), 'organisations',
                               "kind IN ('school', 'enterprise', 'platform')")
    op.drop_constraint(op.f('ck_users_role'), 'users', type_='check')
    op.create_check_constraint(
        op.f('ck_users_role'), 'users',
        "role IN ('student', 'instructor', 'enterprise_staff', 'admin', 'operator')")
    op.add_column('users', sa.Column('is_manager', sa.Boolean(), server_default='false',
                                     nullable=False))
    op.create_check_constraint(op.f('ck_users_manager_is_staff'), 'users',
                               "NOT is_manager OR role = 'enterprise_staff'")

    op.create_table('training_base_owners',
    sa.Column('base_id', sa.BigInteger(), nullable=False),
    sa.Column('organisation_id', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['base_id'], ['training_bases.id'], name=op.f('fk_training_base_owners_base_id_training_bases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_training_base_owners_organisation_id_organisations'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('base_id', 'organisation_id', name=op.f('pk_training_base_owners'))
    )
    op.create_index(op.f('ix_training_base_owners_organisation_id'), 'training_base_owners', ['organisation_id'], unique=False)
    op.execute("""
        INSERT INTO training_base_owners (base_id, organisation_id)
        SELECT id, organisation_id FROM training_bases
        UNION
        SELECT base_id, owner_organisation_id FROM equipment
    """)
    op.create_foreign_key('fk_equipment_placed_at_owned_base', 'equipment', 'training_base_owners',
                          ['base_id', 'owner_organisation_id'], ['base_id', 'organisation_id'],
                          ondelete='RESTRICT')


def downgrade() -> None:
    op.drop_constraint('fk_equipment_placed_at_owned_base', 'equipment', type_='foreignkey')
    op.drop_index(op.f('ix_training_base_owners_organisation_id'), table_name='training_base_owners')
    op.drop_table('training_base_owners')
    op.execute("DELETE FROM users WHERE role = 'operator'")
    op.execute("DELETE FROM organisations WHERE kind = 'platform'")
    op.drop_constraint(op.f('ck_users_manager_is_staff'), 'users', type_='check')
    op.drop_column('users', 'is_manager')
    op.drop_constraint(op.f('ck_users_role'), 'users', type_='check')
    op.create_check_constraint(
        op.f('ck_users_role'), 'users',
        "role IN ('student', 'instructor', 'enterprise_staff', 'admin')")
    op.drop_constraint(op.f('ck_organisations_kind'), 'organisations', type_='check')
    op.create_check_constraint(op.f('ck_organisations_kind'), 'organisations',
                               "kind IN ('school', 'enterprise')")
