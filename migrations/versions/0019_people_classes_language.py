"""Going live at a school: each person's language and student number, and the schools'
classes with their members.

Everyone keeps reading English (`language` defaults to `en`) until they or an import say
otherwise. Downgrade drops the classes and both columns.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('users', sa.Column('language', sa.String(length=10), server_default='en',
                                     nullable=False))
    op.add_column('users', sa.Column('student_number', sa.String(length=40), nullable=True))
    op.create_check_constraint(op.f('ck_users_language'), 'users',
                               "language IN ('en', 'zh-Hans')")
    op.create_unique_constraint('uq_users_organisation_id_student_number', 'users',
                                ['organisation_id', 'student_number'])
    op.create_table(
        'classes',
        sa.Column('organisation_id', sa.BigInteger(), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('id', sa.BigInteger(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'),
                  nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'),
                  nullable=False),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'],
                                name=op.f('fk_classes_organisation_id_organisations'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_classes')),
    )
    op.create_index(op.f('ix_classes_organisation_id'), 'classes', ['organisation_id'])
    op.create_index('uq_classes_organisation_id_name', 'classes',
                    ['organisation_id', sa.text('lower(name)')], unique=True)
    op.create_table(
        'class_members',
        sa.Column('class_id', sa.BigInteger(), nullable=False),
        sa.Column('user_id', sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(['class_id'], ['classes.id'],
                                name=op.f('fk_class_members_class_id_classes'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_class_members_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('class_id', 'user_id', name=op.f('pk_class_members')),
    )
    op.create_index(op.f('ix_class_members_user_id'), 'class_members', ['user_id'])


def downgrade() -> None:
    op.drop_table('class_members')
    op.drop_table('classes')
    op.drop_constraint('uq_users_organisation_id_student_number', 'users', type_='unique')
    op.drop_constraint(op.f('ck_users_language'), 'users', type_='check')
    op.drop_column('users', 'student_number')
    op.drop_column('users', 'language')
