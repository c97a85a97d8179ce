"""Invitations and password resets: single-use, expiring links whose tokens are kept only as
SHA-256, the reset requests counted to throttle them, and the two e-mail-only notice kinds.

Downgrade drops both tables and the notices of the new kinds.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None

OLD_KINDS = ("confirmed", "approved", "rejected", "cancelled", "reminder", "no_show",
             "waitlist_offer", "pending_approval", "offer_submitted", "offer_approved",
             "offer_rejected", "offer_withdrawn", "offer_expired", "impact_summary",
             "outcomes_owed", "contribution_confirmed", "idle_equipment", "request_received",
             "request_lapsing", "class_booked", "class_moved", "class_cancelled",
             "waitlist_passed_over", "qualification_revoked", "lapsed")
NEW_KINDS = ("invitation", "password_reset")


def _one_of(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    op.create_table(
        'account_tokens',
        sa.Column('user_id', sa.BigInteger(), nullable=False),
        sa.Column('purpose', sa.String(length=20), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'),
                  nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('id', sa.BigInteger(), nullable=False),
        sa.CheckConstraint("purpose IN ('invitation', 'reset')",
                           name=op.f('ck_account_tokens_purpose')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_account_tokens_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_account_tokens')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_account_tokens_token_hash')),
    )
    op.create_index(op.f('ix_account_tokens_user_id'), 'account_tokens', ['user_id'])
    op.create_table(
        'password_reset_requests',
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('remote_addr', sa.String(length=64), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), server_default=sa.text('now()'),
                  nullable=False),
        sa.Column('id', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_password_reset_requests')),
    )
    op.create_index('ix_password_reset_requests_email_at', 'password_reset_requests',
                    ['email', 'at'])
    op.create_index('ix_password_reset_requests_remote_addr_at', 'password_reset_requests',
                    ['remote_addr', 'at'])
    op.drop_constraint(op.f('ck_notifications_kind'), 'notifications', type_='check')
    op.create_check_constraint(op.f('ck_notifications_kind'), 'notifications',
                               _one_of('kind', (*OLD_KINDS, *NEW_KINDS)))


def downgrade() -> None:
    op.execute(f"DELETE FROM notifications WHERE {_one_of('kind', NEW_KINDS)}")
    op.drop_constraint(op.f('ck_notifications_kind'), 'notifications', type_='check')
    op.create_check_constraint(op.f('ck_notifications_kind'), 'notifications',
                               _one_of('kind', OLD_KINDS))
    op.drop_index('ix_password_reset_requests_remote_addr_at',
                  table_name='password_reset_requests')
    op.drop_index('ix_password_reset_requests_email_at', table_name='password_reset_requests')
    op.drop_table('password_reset_requests')
    op.drop_index(op.f('ix_account_tokens_user_id'), table_name='account_tokens')
    op.drop_table('account_tokens')
