"""A request its owner never decided in time lapses: status 'lapsed', and its own notice.

Until now such a request became 'cancelled' and counted as the student's (late) cancellation.
The requests that lapsed before this revision are found by the event the scheduler wrote
(pending to cancelled, by nobody, with the owner's-deadline reasons) and become 'lapsed';
waitlist offers nobody took up stay 'cancelled' (the holder's own doing). Downgrade turns
them back into cancellations.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07
"""
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

OLD_STATUSES = ("pending", "confirmed", "checked_in", "completed", "cancelled", "rejected",
                "no_show")
OLD_KINDS = ("confirmed", "approved", "rejected", "cancelled", "reminder", "no_show",
             "waitlist_offer", "pending_approval", "offer_submitted", "offer_approved",
             "offer_rejected", "offer_withdrawn", "offer_expired", "impact_summary",
             "outcomes_owed", "contribution_confirmed", "idle_equipment", "request_received",
             "request_lapsing", "class_booked", "class_moved", "class_cancelled",
             "waitlist_passed_over", "qualification_revoked")
# The reasons the lapsing job wrote (service/reservations/jobs.py before this revision).
LAPSE_REASONS = ("the owner did not decide in time", "not approved before the start")


def _one_of(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _lapsed_events() -> str:
    return ("SELECT reservation_id FROM reservation_events WHERE from_status = 'pending' "
            f"AND to_status = 'cancelled' AND actor_id IS NULL AND "
            f"{_one_of('reason', LAPSE_REASONS)}")


def upgrade() -> None:
    op.drop_constraint(op.f('ck_reservations_status'), 'reservations', type_='check')
    op.create_check_constraint(op.f('ck_reservations_status'), 'reservations',
                               _one_of('status', (*OLD_STATUSES, 'lapsed')))
    op.drop_constraint(op.f('ck_notifications_kind'), 'notifications', type_='check')
    op.create_check_constraint(op.f('ck_notifications_kind'), 'notifications',
                               _one_of('kind', (*OLD_KINDS, 'lapsed')))
    op.execute(f"UPDATE reservations SET status = 'lapsed' WHERE status = 'cancelled' "
               f"AND id IN ({_lapsed_events()})")
    op.execute("UPDATE reservation_events SET to_status = 'lapsed' WHERE from_status = "
               f"'pending' AND to_status = 'cancelled' AND actor_id IS NULL AND "
               f"{_one_of('reason', LAPSE_REASONS)}")


def downgrade() -> None:
    op.execute("UPDATE reservation_events SET to_status = 'cancelled' "
               "WHERE to_status = 'lapsed'")
    op.execute("UPDATE reservations SET status = 'cancelled' WHERE status = 'lapsed'")
    op.execute("DELETE FROM notifications WHERE kind = 'lapsed'")
    op.drop_constraint(op.f('ck_notifications_kind'), 'notifications', type_='check')
    op.create_check_constraint(op.f('ck_notifications_kind'), 'notifications',
                               _one_of('kind', OLD_KINDS))
    op.drop_constraint(op.f('ck_reservations_status'), 'reservations', type_='check')
    op.create_check_constraint(op.f('ck_reservations_status'), 'reservations',
                               _one_of('status', OLD_STATUSES))
