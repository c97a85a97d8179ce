"""The exchange: bookings under an offer (with the enterprise's decision deadline), teaching
outcomes with a shared skill vocabulary, monthly impact summaries and confirmed contribution
periods; notifications gain the exchange's kinds.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

OLD_KINDS = ("confirmed", "approved", "rejected", "cancelled", "reminder", "no_show",
             "waitlist_offer", "pending_approval", "offer_submitted", "offer_approved",
             "offer_rejected", "offer_withdrawn", "offer_expired")
EXCHANGE_KINDS = ("impact_summary", "outcomes_owed", "contribution_confirmed")

# The shared vocabulary outcomes tag their skills with (free tags are allowed beside it).
SKILLS = [
    ("cnc-turning", "CNC turning", "数控车削"),
    ("cnc-milling", "CNC milling", "数控铣削"),
    ("cnc-programming", "CNC programming (G-code)", "数控编程"),
    ("cad-modelling", "CAD modelling", "CAD 建模"),
    ("additive-manufacturing", "Additive manufacturing (3D printing)", "增材制造（3D 打印）"),
    ("metrology", "Measurement and metrology", "测量与计量"),
    ("quality-inspection", "Quality inspection", "质量检测"),
    ("robot-programming", "Industrial robot programming", "工业机器人编程"),
    ("robot-operation", "Industrial robot operation", "工业机器人操作"),
    ("plc-programming", "PLC programming", "PLC 编程"),
    ("process-control", "Process control", "过程控制"),
    ("pneumatics-hydraulics", "Pneumatics and hydraulics", "气动与液压"),
    ("electrical-wiring", "Electrical wiring", "电气接线"),
    ("welding", "Welding", "焊接"),
    ("ev-battery-diagnostics", "EV battery diagnostics", "新能源汽车电池诊断"),
    ("high-voltage-safety", "High-voltage safety", "高压安全"),
    ("maintenance", "Preventive maintenance", "预防性维护"),
    ("workplace-safety", "Workplace safety procedures", "安全操作规程"),
    ("teamwork", "Teamwork on the shop floor", "车间团队协作"),
]


def _kinds(kinds) -> str:
    return f"kind IN ({', '.join(repr(k) for k in kinds)})"


def upgrade() -> None:
    skill_tags = op.create_table('skill_tags',
    sa.Column('tag', sa.String(length=60), nullable=False),
    sa.Column('label_en', sa.String(length=120), nullable=False),
    sa.Column('label_zh', sa.String(length=120), nullable=False),
    sa.PrimaryKeyConstraint('tag', name=op.f('pk_skill_tags'))
    )
    op.bulk_insert(skill_tags, [{"tag": t, "label_en": en, "label_zh": zh}
                                for t, en, zh in SKILLS])
    op.create_table('impact_summaries',
    sa.Column('enterprise_id', sa.BigInteger(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('figures', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['enterprise_id'], ['organisations.id'], name=op.f('fk_impact_summaries_enterprise_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_impact_summaries')),
    sa.UniqueConstraint('enterprise_id', 'month', name=op.f('uq_impact_summaries_enterprise_id'))
    )
    op.create_table('contribution_periods',
    sa.Column('enterprise_id', sa.BigInteger(), nullable=False),
    sa.Column('school_id', sa.BigInteger(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('confirmed_by_id', sa.BigInteger(), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('figures', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.ForeignKeyConstraint(['confirmed_by_id'], ['users.id'], name=op.f('fk_contribution_periods_confirmed_by_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['enterprise_id'], ['organisations.id'], name=op.f('fk_contribution_periods_enterprise_id_organisations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['school_id'], ['organisations.id'], name=op.f('fk_contribution_periods_school_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('enterprise_id', 'school_id', 'month', name=op.f('pk_contribution_periods'))
    )
    op.create_table('outcomes',
    sa.Column('reservation_id', sa.BigInteger(), nullable=False),
    sa.Column('author_id', sa.BigInteger(), nullable=False),
    sa.Column('trainee_count', sa.Integer(), nullable=False),
    sa.Column('hours', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('result', sa.String(length=2000), nullable=False),
    sa.Column('links', postgresql.ARRAY(sa.String(length=500)), server_default=sa.text("'{}'"), nullable=False),
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('hours > 0', name=op.f('ck_outcomes_hours')),
    sa.CheckConstraint('trainee_count >= 1', name=op.f('ck_outcomes_trainee_count')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_outcomes_author_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['reservation_id'], ['reservations.id'], name=op.f('fk_outcomes_reservation_id_reservations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outcomes')),
    sa.UniqueConstraint('reservation_id', name=op.f('uq_outcomes_reservation_id'))
    )
    op.create_index(op.f('ix_outcomes_author_id'), 'outcomes', ['author_id'], unique=False)
    op.create_table('outcome_skills',
    sa.Column('outcome_id', sa.BigInteger(), nullable=False),
    sa.Column('tag', sa.String(length=60), nullable=False),
    sa.Column('in_vocabulary', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['outcome_id'], ['outcomes.id'], name=op.f('fk_outcome_skills_outcome_id_outcomes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('outcome_id', 'tag', name=op.f('pk_outcome_skills'))
    )
    op.create_table('outcome_trainees',
    sa.Column('outcome_id', sa.BigInteger(), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['outcome_id'], ['outcomes.id'], name=op.f('fk_outcome_trainees_outcome_id_outcomes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_outcome_trainees_user_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('outcome_id', 'user_id', name=op.f('pk_outcome_trainees'))
    )
    op.create_index(op.f('ix_outcome_trainees_user_id'), 'outcome_trainees', ['user_id'], unique=False)
    op.add_column('reservations', sa.Column('offer_id', sa.BigInteger(), nullable=True))
    op.add_column('reservations', sa.Column('decide_by', sa.DateTime(timezone=True), nullable=True))
    op.create_index(op.f('ix_reservations_offer_id_starts_at'), 'reservations',
                    ['offer_id', 'starts_at'], unique=False)
    op.create_foreign_key(op.f('fk_reservations_offer_id_offers'), 'reservations', 'offers', ['offer_id'], ['id'], ondelete='RESTRICT')
    op.drop_constraint(op.f('ck_notifications_kind'), 'notifications', type_='check')
    op.create_check_constraint(op.f('ck_notifications_kind'), 'notifications',
                               _kinds((*OLD_KINDS, *EXCHANGE_KINDS)))


def downgrade() -> None:
    op.execute("DELETE FROM notifications WHERE "
               f"kind IN ({', '.join(repr(k) for k in EXCHANGE_KINDS)})")
    op.drop_constraint(op.f('ck_notifications_kind'), 'notifications', type_='check')
    op.create_check_constraint(op.f('ck_notifications_kind'), 'notifications', _kinds(OLD_KINDS))
    op.drop_constraint(op.f('fk_reservations_offer_id_offers'), 'reservations', type_='foreignkey')
    op.drop_index(op.f('ix_reservations_offer_id_starts_at'), table_name='reservations')
    op.drop_column('reservations', 'decide_by')
    op.drop_column('reservations', 'offer_id')
    op.drop_index(op.f('ix_outcome_trainees_user_id'), table_name='outcome_trainees')
    op.drop_table('outcome_trainees')
    op.drop_table('outcome_skills')
    op.drop_index(op.f('ix_outcomes_author_id'), table_name='outcomes')
    op.drop_table('outcomes')
    op.drop_table('contribution_periods')
    op.drop_table('impact_summaries')
    op.drop_table('skill_tags')
