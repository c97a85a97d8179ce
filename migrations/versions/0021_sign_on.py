"""Sign-on with an organisation's own accounts: its OpenID provider and the sign-ons under way.

Nothing changes for anyone until an organisation configures a provider; password sign-in
stays on by default. Downgrade drops both tables.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'identity_providers',
        sa.Column('organisation_id', sa.BigInteger(), nullable=False),
        sa.Column('issuer', sa.String(length=500), nullable=False),
        sa.Column('client_id', sa.String(length=255), nullable=False),
        sa.Column('client_secret', sa.String(length=500), nullable=False),
        sa.Column('email_claim', sa.String(length=100), server_default='email', nullable=False),
        sa.Column('role_claim', sa.String(length=100), nullable=True),
        sa.Column('class_claim', sa.String(length=100), nullable=True),
        sa.Column('language_claim', sa.String(length=100), server_default='locale',
                  nullable=True),
        sa.Column('create_users', sa.Boolean(), server_default='false', nullable=False),
        sa.Column('default_role', sa.String(length=20), nullable=True),
        sa.Column('password_sign_in', sa.Boolean(), server_default='true', nullable=False),
        sa.Column('id', sa.BigInteger(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'),
                  nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'),
                  nullable=False),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'],
                                name=op.f('fk_identity_providers_organisation_id_organisations'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_identity_providers')),
        sa.UniqueConstraint('organisation_id',
                            name=op.f('uq_identity_providers_organisation_id')),
    )
    op.create_table(
        'sign_on_attempts',
        sa.Column('state_hash', sa.String(length=64), nullable=False),
        sa.Column('nonce', sa.String(length=100), nullable=False),
        sa.Column('code_verifier', sa.String(length=128), nullable=False),
        sa.Column('organisation_id', sa.BigInteger(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'),
                  nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('id', sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'],
                                name=op.f('fk_sign_on_attempts_organisation_id_organisations'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_on_attempts')),
        sa.UniqueConstraint('state_hash', name=op.f('uq_sign_on_attempts_state_hash')),
    )
    op.create_index(op.f('ix_sign_on_attempts_organisation_id'), 'sign_on_attempts',
                    ['organisation_id'])


def downgrade() -> None:
    op.drop_index(op.f('ix_sign_on_attempts_organisation_id'), table_name='sign_on_attempts')
    op.drop_table('sign_on_attempts')
    op.drop_table('identity_providers')
