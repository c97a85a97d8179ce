"""The wording of the notices to approvers, attendees, waiting users and holders of a revoked
qualification: every time with its offset (issue 10, sections 2 and 3)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from service.notifications.models import TRUST_KINDS
from service.notifications.services import SUBJECTS, AtRisk, Occasion, notice, revocation_notice

BERLIN = "Europe/Berlin"
FIRST_0230 = datetime(2027, 10, 31, 0, 30, tzinfo=UTC)  # 02:30 (UTC+02:00)
SECOND_0230 = datetime(2027, 10, 31, 1, 30, tzinfo=UTC)  # 02:30 (UTC+01:00)


def _occasion(starts_at, ends_at, **fields) -> Occasion:
    return Occasion(equipment_id=1, equipment_name="Lathe", asset_tag="L-1", base_name="Werk",
                    timezone=BERLIN, starts_at=starts_at, ends_at=ends_at, **fields)


def test_every_trust_kind_but_the_revocation_has_a_subject():
    assert set(TRUST_KINDS) - set(SUBJECTS) == {"qualification_revoked"}


def test_a_request_names_who_asked_and_the_earlier_of_deadline_and_start():
    occasion = _occasion(SECOND_0230, SECOND_0230 + timedelta(hours=1), decide_by=FIRST_0230)
    body = notice(occasion, "request_lapsing", holder="Ada Student")["body"]
    assert "Requested by Ada Student." in body
    assert "Approve or reject it by 2027-10-31 02:30 (UTC+02:00)" in body
    body = notice(_occasion(SECOND_0230, SECOND_0230 + timedelta(hours=1)),
                  "request_received", holder="Ada")["body"]
    assert "Approve or reject it by 2027-10-31 02:30 (UTC+01:00)" in body


def test_a_moved_class_gives_the_new_and_the_old_span_with_offsets():
    message = notice(_occasion(SECOND_0230, SECOND_0230 + timedelta(hours=1)), "class_moved",
                     holder="Mr Teach", previous=(FIRST_0230, FIRST_0230 + timedelta(hours=1)))
    assert ("2027-10-31 02:30 (UTC+01:00) to 03:30 (UTC+01:00), Europe/Berlin. You attend "
            "this class, held by Mr Teach. It was 2027-10-31 02:30 (UTC+02:00) to "
            "02:30 (UTC+01:00), Europe/Berlin "
            "before.") in message["body"]
    assert message["data"]["previous_starts_at"] == FIRST_0230.isoformat()


def test_a_passed_over_wish_says_which_quota_and_that_it_is_closed():
    body = notice(_occasion(FIRST_0230, SECOND_0230), "waitlist_passed_over",
                  reason="your weekly hours quota: At most 4 hours")["body"]
    assert "Reason: your weekly hours quota: At most 4 hours" in body
    assert "your wish is closed" in body


def test_a_revocation_lists_each_booking_at_risk_and_stays_short():
    risks = [AtRisk(reservation_id=n, status="confirmed", holder="Ada",
                    occasion=_occasion(FIRST_0230 + timedelta(days=n),
                                       SECOND_0230 + timedelta(days=n)))
             for n in range(30)]
    message = revocation_notice(category="CNC", user="Ada", revoked_by="Mr Teach",
                                at_risk=risks, to_holder=True)
    assert message["body"].startswith("Your 'CNC' qualification was revoked by Mr Teach.")
    assert ("#0 Lathe (L-1) at Werk, 2027-10-31 02:30 (UTC+02:00) to 02:30 (UTC+01:00)"
            in message["body"])
    assert "... and 10 more." in message["body"]
    assert len(message["data"]["reservations"]) == 30
    assert len(message["body"]) <= 4000
    to_approver = revocation_notice(category="CNC", user="Ada", revoked_by="Mr Teach",
                                    at_risk=risks[:1], to_holder=False)["body"]
    assert to_approver.startswith("Ada's 'CNC' qualification") and "(held by Ada)" in to_approver
