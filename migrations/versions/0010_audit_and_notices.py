"""Audit history of every write; the notices approvers, attendees and waiting users get.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

OLD_KINDS = ("confirmed", "approved", "rejected", "cancelled", "reminder", "no_show",
             "waitlist_offer", "pending_approval", "offer_submitted", "offer_approved",
             "offer_rejected", "offer_withdrawn", "offer_expired", "impact_summary",
             "outcomes_owed", "contribution_confirmed", "idle_equipment")
NEW_KINDS = ("request_received", "request_lapsing", "class_booked", "class_moved",
             "class_cancelled", "waitlist_passed_over", "qualification_revoked")


def _kinds(kinds) -> str:
    return f"kind IN ({', '.join(repr(k) for k in kinds)})"


def upgrade() -> None:
    op.create_table('audit_entries',
    sa.Column('organisation_id', sa.BigInteger(), nullable=True),
    sa.Column('actor_id', sa.BigInteger(), nullable=True),
    sa.Column('entity', sa.String(length=40), nullable=False),
    sa.Column('entity_id', sa.BigInteger(), nullable=False),
    sa.Column('action', sa.String(length=10), nullable=False),
    sa.Column('changes', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.CheckConstraint("action IN ('created', 'updated', 'deleted')", name=op.f('ck_audit_entries_action')),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_audit_entries_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_audit_entries_organisation_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entries'))
    )
    op.create_index('ix_audit_entries_entity', 'audit_entries', ['entity', 'entity_id', 'at'], unique=False)
    op.create_index('ix_audit_entries_organisation_id_at', 'audit_entries', ['organisation_id', 'at'], unique=False)
    op.drop_constraint(op.f('ck_notifications_kind'), 'notifications', type_='check')
    op.create_check_constraint(op.f('ck_notifications_kind'), 'notifications',
                               _kinds((*OLD_KINDS, *NEW_KINDS)))


def downgrade() -> None:
    op.execute(f"DELETE FROM notifications WHERE {_kinds(NEW_KINDS)}")
    op.drop_constraint(op.f('ck_notifications_kind'), 'notifications', type_='check')
    op.create_check_constraint(op.f('ck_notifications_kind'), 'notifications', _kinds(OLD_KINDS))
    op.drop_index('ix_audit_entries_organisation_id_at', table_name='audit_entries')
    op.drop_index('ix_audit_entries_entity', table_name='audit_entries')
    op.drop_table('audit_entries')
