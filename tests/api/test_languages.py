"""Every message in the reader's language: refusals follow Accept-Language, notices the
person's own language, names kept in two languages give the asked one as `label`."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from service.notifications.models import Notification
from service.outcomes.models import SkillTag

from .problems import assert_problem

SHANGHAI = ZoneInfo("Asia/Shanghai")
CHINESE = {"Accept-Language": "zh-Hans"}


def _day_after_tomorrow(hour: int) -> datetime:
    return (datetime.now(SHANGHAI) + timedelta(days=2)).replace(hour=hour, minute=0, second=0,
                                                               microsecond=0)


def _span(item, start: datetime, hours: int = 1) -> dict:
    return {"equipment_id": item.id, "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=hours)).isoformat()}


@pytest.fixture
def lathe(make, world, session):
    """A school's lathe at a Shanghai base open every day 06:00-22:00."""
    item = make.equipment(make.open_base(world.school), world.category, world.school,
                          name="Lathe")
    session.commit()
    return item


def _headers(world, role: str, language: str | None) -> dict:
    return world.headers(role) | ({"Accept-Language": language} if language else {})


def _same_but_words(chinese: dict, english: dict) -> None:
    """Only title, detail and the errors' messages are words: code, status, type, every other
    member and the errors' fields stay as they are."""
    words = ("title", "detail", "errors")
    assert {k: v for k, v in chinese.items() if k not in words} \
        == {k: v for k, v in english.items() if k not in words}
    assert set(chinese.get("errors", {})) == set(english.get("errors", {}))


def test_a_chinese_reading_students_confirmation_is_written_in_chinese_with_local_times(
        client, world, lathe, session):
    student = world.users["student"]
    student.language = "zh-Hans"
    session.commit()
    start = _day_after_tomorrow(10)
    booked = client.post("/api/v1/reservations", headers=world.headers("student"),
                         json=_span(lathe, start))
    assert booked.status_code == 201, booked.get_json()
    notice = session.scalar(select(Notification).where(
        Notification.reservation_id == booked.get_json()["id"],
        Notification.user_id == student.id))
    assert (notice.kind, notice.subject) == ("confirmed", "预约已确认：Lathe")
    assert notice.body == (f"预约已确认：Lathe（{lathe.asset_tag}），{lathe.base.name}，"
                           f"{start:%Y-%m-%d} 10:00 (UTC+08:00) 至 11:00 (UTC+08:00)，"
                           "Asia/Shanghai。")


def test_an_english_reading_students_confirmation_stays_english_whatever_the_request_asked(
        client, world, lathe, session):
    start = _day_after_tomorrow(12)
    booked = client.post("/api/v1/reservations", headers=_headers(world, "student", "zh-Hans"),
                         json=_span(lathe, start))
    assert booked.status_code == 201, booked.get_json()
    notice = session.scalar(select(Notification).where(
        Notification.reservation_id == booked.get_json()["id"]))
    assert notice.subject == "Reservation confirmed: Lathe"
    assert notice.body.startswith(f"Reservation confirmed: Lathe ({lathe.asset_tag}) at ")
    assert f"{start:%Y-%m-%d} 12:00 (UTC+08:00) to 13:00 (UTC+08:00), Asia/Shanghai." \
        in notice.body


def test_a_booking_conflict_is_refused_in_chinese_with_local_times_and_the_same_members(
        client, world, lathe):
    start = _day_after_tomorrow(10)
    booked = client.post("/api/v1/reservations", headers=world.headers("instructor"),
                         json=_span(lathe, start))
    assert booked.status_code == 201, booked.get_json()
    english = assert_problem(client.post("/api/v1/reservations", headers=world.headers(
        "student"), json=_span(lathe, start)), 409, "reservation_conflict")
    chinese = assert_problem(client.post("/api/v1/reservations", headers=_headers(
        world, "student", "zh-Hans"), json=_span(lathe, start)), 409, "reservation_conflict")
    assert chinese["title"] == "该设备此时段已被预约"
    assert chinese["detail"] == (f"该设备在 {start:%Y-%m-%d} 10:00 (UTC+08:00) 至 "
                                 "11:00 (UTC+08:00) 已被预约（11:00 (UTC+08:00) 起空闲）。")
    assert english["title"] == "The item is already booked then"
    _same_but_words(chinese, english)


def test_a_span_outside_opening_hours_is_refused_in_chinese_with_local_times(
        client, world, lathe):
    late = _day_after_tomorrow(21)  # the base closes at 22:00
    english = assert_problem(client.post("/api/v1/reservations", headers=world.headers(
        "student"), json=_span(lathe, late, 2)), 422, "outside_opening_hours")
    chinese = assert_problem(client.post("/api/v1/reservations", headers=_headers(
        world, "student", "zh-CN,zh;q=0.9,en;q=0.5"), json=_span(lathe, late, 2)), 422,
        "outside_opening_hours")
    assert chinese["title"] == "基地在此时段内并非全程开放"
    assert chinese["detail"] == (f"基地在 {late:%Y-%m-%d} 21:00 (UTC+08:00) 至 "
                                 "23:00 (UTC+08:00) 期间并非全程开放。")
    assert english["detail"] == (f"The base is not open for all of {late:%Y-%m-%d} 21:00 "
                                 "(UTC+08:00) to 23:00 (UTC+08:00).")
    _same_but_words(chinese, english)


@pytest.mark.parametrize("language", [None, "en", "en-GB,en;q=0.8", "xx-garbage;;q=?", "*"])
def test_english_garbage_or_no_accept_language_is_answered_in_english(client, world, lathe,
                                                                      language):
    start = _day_after_tomorrow(10)
    late = _day_after_tomorrow(21)
    refused = client.post("/api/v1/reservations", headers=_headers(world, "student", language),
                          json=_span(lathe, late, 2) | {"starts_at": late.isoformat()})
    body = assert_problem(refused, 422, "outside_opening_hours")
    assert body["title"] == "The base is not open for all of this span"
    assert start  # the same day as the other tests


def test_common_validation_messages_are_in_chinese_with_the_same_fields(client, world):
    english = assert_problem(client.post("/api/v1/reservations", headers=world.headers(
        "student"), json={"starts_at": "soon", "purpose": "x" * 2001}), 422, "validation_error")
    chinese = assert_problem(client.post("/api/v1/reservations", headers=_headers(
        world, "student", "zh-Hans"), json={"starts_at": "soon", "purpose": "x" * 2001}), 422,
        "validation_error")
    assert english["errors"]["equipment_id"] == ["Missing data for required field."]
    assert chinese["errors"]["equipment_id"] == ["缺少必填字段。"]
    assert chinese["errors"]["purpose"] == [
        message.replace("Longer than maximum length ", "超过最大长度 ").replace(".", "。")
        for message in english["errors"]["purpose"]]
    assert (chinese["title"], chinese["detail"]) == ("请求无法处理", "部分字段无效，详见 errors。")
    _same_but_words(chinese, english)


def test_sign_in_refusals_follow_accept_language(client, world):
    wrong = {"email": world.users["student"].email, "password": "not the password"}
    english = assert_problem(client.post("/api/v1/auth/token", json=wrong), 401,
                             "invalid_credentials")
    chinese = assert_problem(client.post("/api/v1/auth/token", json=wrong, headers=CHINESE),
                             401, "invalid_credentials")
    assert (english["title"], chinese["title"]) == ("E-mail or password is wrong", "邮箱或密码错误")
    assert chinese["detail"] == "邮箱或密码错误"
    unsigned = assert_problem(client.get("/api/v1/me", headers=CHINESE), 401, "not_authenticated")
    assert unsigned["detail"] == "请先登录，并发送“Authorization: Bearer <token>”。"


def test_categories_skills_and_equipment_give_the_label_in_the_asked_language(
        client, world, make, lathe, session):
    category = make.category(name="CNC machining", name_zh="数控加工")
    bare = make.category(name="Welding")
    session.add(SkillTag(tag="lang-cnc", label_en="CNC setup", label_zh="数控调机"))
    item = make.equipment(lathe.base, category, world.school)
    session.commit()

    def labels(language):
        listed = client.get("/api/v1/equipment-categories", headers=_headers(
            world, "student", language), query_string={"page_size": 100}).get_json()["items"]
        return {c["id"]: (c["name"], c["name_zh"], c["label"]) for c in listed}

    assert labels("zh-Hans")[category.id] == ("CNC machining", "数控加工", "数控加工")
    assert labels("zh-Hans")[bare.id] == ("Welding", "", "Welding"), "no Chinese: the English"
    assert labels("en")[category.id] == ("CNC machining", "数控加工", "CNC machining")
    skill = client.get("/api/v1/skills/lang-cnc", headers=_headers(world, "student", "zh"))
    assert (skill.status_code, skill.get_json()["label"]) == (200, "数控调机")
    skill = client.get("/api/v1/skills/lang-cnc", headers=world.headers("student"))
    assert skill.get_json()["label"] == "CNC setup"
    shown = client.get(f"/api/v1/equipment/{item.id}", headers=_headers(world, "student",
                                                                         "zh-Hans"))
    assert (shown.status_code, shown.get_json()["category_label"]) == (200, "数控加工")


def test_a_person_chooses_their_own_language(client, world):
    me = client.get("/api/v1/me", headers=world.headers("student"))
    assert me.status_code == 200 and me.get_json()["language"] == "en"
    etag = me.headers["ETag"]
    changed = client.patch("/api/v1/me", headers=world.headers("student") | {"If-Match": etag},
                           json={"language": "zh-Hans"})
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["language"] == "zh-Hans" and changed.headers["ETag"] != etag
    assert client.get("/api/v1/me", headers=world.headers("student")).get_json()["language"] \
        == "zh-Hans"
    stale = client.patch("/api/v1/me", headers=world.headers("student") | {"If-Match": etag},
                         json={"language": "en"})
    assert_problem(stale, 412, "stale_etag")
    unknown = client.patch("/api/v1/me", headers=world.headers("student"),
                           json={"language": "fr"})
    assert list(assert_problem(unknown, 422, "validation_error")["errors"]) == ["language"]
    nothing_else = client.patch("/api/v1/me", headers=world.headers("student"),
                                json={"language": "en", "role": "admin"})
    assert list(assert_problem(nothing_else, 422, "validation_error")["errors"]) == ["role"]
    assert_problem(client.patch("/api/v1/me", json={"language": "en"}), 401,
                   "not_authenticated")


def test_each_person_told_of_a_class_reads_it_in_their_own_language(client, world, lathe,
                                                                    session):
    student, instructor = world.users["student"], world.users["instructor"]
    student.language = "zh-Hans"
    lathe.max_attendees = 4
    session.commit()
    start = _day_after_tomorrow(15)
    booked = client.post("/api/v1/reservations", headers=_headers(world, "instructor", "zh"),
                         json=_span(lathe, start) | {"attendees": [student.id]})
    assert booked.status_code == 201, booked.get_json()
    told = {n.user_id: n for n in session.scalars(select(Notification).where(
        Notification.reservation_id == booked.get_json()["id"]))}
    assert told[student.id].subject == "课程已预约：Lathe"
    assert told[student.id].body.endswith(
        f"{start:%Y-%m-%d} 15:00 (UTC+08:00) 至 16:00 (UTC+08:00)，Asia/Shanghai。"
        f"你参加这节课，授课人：{instructor.full_name}。")
    assert told[instructor.id].subject == "Reservation confirmed: Lathe"
