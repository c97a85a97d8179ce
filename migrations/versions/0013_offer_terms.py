"""Offer terms with a history: items and replaced weekly budgets in force on local days, and
the day a change of the terms takes effect from.

Today's items are in force since the beginning; no budget has been replaced yet.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('offer_events', sa.Column('effective_from', sa.Date(), nullable=True))

    # offer_items: a surrogate id, and the days each row is in force.
    op.drop_constraint(op.f('pk_offer_items'), 'offer_items', type_='primary')
    # bigserial, as create_table makes every other table's id
    op.execute("ALTER TABLE offer_items ADD COLUMN id bigserial NOT NULL")
    op.create_primary_key(op.f('pk_offer_items'), 'offer_items', ['id'])
    op.add_column('offer_items', sa.Column(
        'in_force', postgresql.DATERANGE(), server_default=sa.text("'(,)'::daterange"),
        nullable=False))
    op.create_check_constraint(op.f('ck_offer_items_in_force_not_empty'), 'offer_items',
                               'NOT isempty(in_force)')
    op.create_exclude_constraint('one_item_row_a_day', 'offer_items',
                                 (sa.column('offer_id'), '='), (sa.column('equipment_id'), '='),
                                 (sa.column('in_force'), '&&'), using='gist')

    op.create_table('offer_budgets',
    sa.Column('offer_id', sa.BigInteger(), nullable=False),
    sa.Column('weekly_hours_budget', sa.Integer(), nullable=False),
    sa.Column('in_force', postgresql.DATERANGE(), nullable=False),
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('weekly_hours_budget > 0', name=op.f('ck_offer_budgets_weekly_hours_budget')),
    sa.CheckConstraint('NOT isempty(in_force) AND NOT upper_inf(in_force)', name=op.f('ck_offer_budgets_in_force_ended')),
    sa.ForeignKeyConstraint(['offer_id'], ['offers.id'], name=op.f('fk_offer_budgets_offer_id_offers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_offer_budgets')),
    postgresql.ExcludeConstraint((sa.column('offer_id'), '='), (sa.column('in_force'), '&&'), using='gist', name='one_budget_a_day'),
    )


def downgrade() -> None:
    op.drop_table('offer_budgets')
    # Only the terms from the last change on survive the way back (one row per item).
    op.execute("DELETE FROM offer_items WHERE NOT upper_inf(in_force)")
    op.drop_constraint('one_item_row_a_day', 'offer_items')
    op.drop_constraint(op.f('ck_offer_items_in_force_not_empty'), 'offer_items', type_='check')
    op.drop_column('offer_items', 'in_force')
    op.drop_constraint(op.f('pk_offer_items'), 'offer_items', type_='primary')
    op.drop_column('offer_items', 'id')
    op.create_primary_key(op.f('pk_offer_items'), 'offer_items', ['offer_id', 'equipment_id'])
    op.drop_column('offer_events', 'effective_from')
