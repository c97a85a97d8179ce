"""Notifications have a read state: `read_at` (null while unread) and an index of the unread.

Notices written before this revision start unread: nobody could mark them read before, and
the app shows them with "mark all read". Downgrade forgets the read state.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('notifications', sa.Column('read_at', sa.DateTime(timezone=True),
                                             nullable=True))
    op.create_index('ix_notifications_unread', 'notifications', ['user_id'], unique=False,
                    postgresql_where=sa.text('read_at IS NULL'))


def downgrade() -> None:
    op.drop_index('ix_notifications_unread', table_name='notifications',
                  postgresql_where=sa.text('read_at IS NULL'))
    op.drop_column('notifications', 'read_at')
