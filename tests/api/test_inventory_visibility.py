"""Who sees which equipment and bases, on every read that lists or shows them: two schools, two
enterprises and the operator (docs/tenancy.md#who-sees-what).

The world, built once: enterprise E offers its `offered` item to school A (approved, open) and
keeps `unoffered` to itself; enterprise F's `withdrawn` item was offered to school A until the
offer's withdrawal (A's student booked it before), its `expired` item to school B until the
offer ran out; school A co-builds a base with F.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from service.offers.models import OfferEvent

from .problems import assert_problem
from .tenancy import ACTORS

SHANGHAI = ZoneInfo("Asia/Shanghai")
SIGNED_IN = tuple(a for a in ACTORS if a != "anonymous")
EVERY_DAY = [{"weekday": d, "opens": time(6), "closes": time(22)} for d in range(1, 8)]


@pytest.fixture(scope="module")
def vis(shared_make, shared_session):
    """The world (see the module's docstring), with the names each actor should see."""
    make, session = shared_make, shared_session
    w = make.world()
    e, f = w.enterprise, w.other_enterprise
    offered = make.equipment(w.enterprise_base, w.category, e, name="Offered mill")
    unoffered = make.equipment(w.enterprise_base, w.category, e, name="Unoffered mill")
    f_second = make.base(f, kind="enterprise", name="F's second hall")
    withdrawn = make.equipment(w.other_enterprise_base, w.category, f, name="Withdrawn lathe")
    expired = make.equipment(f_second, w.category, f, name="Expired lathe")
    co_built = make.base(w.school, kind="co_built", co_owner_ids=[f.id], name="Joint lab")
    staff, other_staff = w.users["enterprise_staff"], w.users["other_staff"]
    make.offer(e, w.school, [offered], created_by=staff)
    gone = make.offer(f, w.school, [withdrawn], created_by=other_staff, status="withdrawn")
    session.add(OfferEvent(offer_id=gone.id, actor_id=other_staff.id, from_status="approved",
                           to_status="withdrawn", at=datetime.now(SHANGHAI) - timedelta(days=5)))
    today = date.today()
    make.offer(f, w.other_school, [expired], created_by=other_staff, status="expired",
               windows=[{"starts_on": today - timedelta(days=60),
                         "ends_on": today - timedelta(days=10),
                         "spans": [(d, time(8), time(18)) for d in range(1, 8)]}])
    past = datetime.now(SHANGHAI).replace(minute=0, second=0, microsecond=0) - timedelta(days=9)
    make.reservation(withdrawn, w.users["student"], past, past + timedelta(hours=1),
                     offer=gone)
    session.commit()
    items = {"equipment": w.equipment.id, "other_equipment": w.other_equipment.id,
             "enterprise_equipment": w.enterprise_equipment.id,
             "other_enterprise_equipment": w.other_enterprise_equipment.id,
             "offered": offered.id, "unoffered": unoffered.id, "withdrawn": withdrawn.id,
             "expired": expired.id}
    bases = {"base": w.base.id, "other_base": w.other_base.id,
             "enterprise_base": w.enterprise_base.id,
             "other_enterprise_base": w.other_enterprise_base.id, "f_second": f_second.id,
             "co_built": co_built.id}
    a_staff_items = {"equipment", "offered"}
    a_staff_bases = {"base", "co_built", "enterprise_base"}
    e_items = {"enterprise_equipment", "offered", "unoffered"}
    f_items = {"other_enterprise_equipment", "withdrawn", "expired"}
    f_bases = {"other_enterprise_base", "f_second", "co_built"}
    seen_items = {
        # Their school's, the open offer's, and the item they booked under the closed offer.
        "student": a_staff_items | {"withdrawn"},
        "instructor": a_staff_items, "admin": a_staff_items,
        "other_student": {"other_equipment"}, "other_admin": {"other_equipment"},
        "enterprise_staff": e_items, "manager": e_items,
        "other_staff": f_items, "other_manager": f_items,
        "operator": set(items)}
    seen_bases = {
        "student": a_staff_bases | {"other_enterprise_base"},
        "instructor": a_staff_bases, "admin": a_staff_bases,
        "other_student": {"other_base"}, "other_admin": {"other_base"},
        "enterprise_staff": {"enterprise_base"}, "manager": {"enterprise_base"},
        "other_staff": f_bases, "other_manager": f_bases,
        "operator": set(bases)}
    return {"world": w, "items": items, "bases": bases, "seen_items": seen_items,
            "seen_bases": seen_bases}


def headers(vis, actor):
    return vis["world"].headers(actor)


def ids(response) -> set[int]:
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["total"] == len(body["items"]), body
    return {item["id"] for item in body["items"]}


def named(table: dict, names: set[str]) -> set[int]:
    return {table[name] for name in names}


def next_weekday_at(hour: int) -> datetime:
    """A Wednesday to come, at `hour` in Shanghai (every base of the world is open then)."""
    day = datetime.now(SHANGHAI).date() + timedelta(days=1)
    while day.isoweekday() != 3:
        day += timedelta(days=1)
    return datetime.combine(day, time(hour), SHANGHAI)


# ---------------------------------------------------------------- equipment

@pytest.mark.parametrize("actor", SIGNED_IN)
def test_the_catalogue_lists_exactly_what_each_actor_may_see(shared_client, vis, actor):
    listed = ids(shared_client.get("/api/v1/equipment", query_string={"page_size": 100},
                                   headers=headers(vis, actor)))
    expected = named(vis["items"], vis["seen_items"][actor])
    if actor == "operator":  # the platform's whole inventory, ours among it
        assert expected <= listed
    else:
        assert listed == expected


@pytest.mark.parametrize("actor", SIGNED_IN)
def test_an_item_unseen_is_404_on_every_read_of_it(shared_client, vis, actor):
    client, since = shared_client, next_weekday_at(0)
    window = {"from": since.isoformat(), "to": (since + timedelta(days=1)).isoformat()}
    for name, item_id in vis["items"].items():
        reads = {"item": client.get(f"/api/v1/equipment/{item_id}",
                                    headers=headers(vis, actor)),
                 "availability": client.get(f"/api/v1/equipment/{item_id}/availability",
                                            query_string=window, headers=headers(vis, actor)),
                 "blackouts": client.get(f"/api/v1/equipment/{item_id}/blackouts",
                                         headers=headers(vis, actor))}
        for read, response in reads.items():
            if name in vis["seen_items"][actor]:
                assert response.status_code == 200, (name, read, response.get_json())
                body = response.get_json()
                assert {"item": body.get("id"), "availability": body.get("equipment_id"),
                        "blackouts": item_id if "items" in body else None}[read] == item_id
            else:
                body = assert_problem(response, 404, "not_found")
                assert "Mill" not in str(body) and "lathe" not in str(body)


@pytest.mark.parametrize("actor", ("student", "admin", "other_student", "other_admin",
                                   "enterprise_staff", "other_staff"))
def test_free_search_never_finds_an_item_the_actor_may_not_see(shared_client, vis, actor):
    start = next_weekday_at(10)
    found = ids(shared_client.get("/api/v1/equipment", query_string={
        "free_from": start.isoformat(), "free_to": (start + timedelta(hours=1)).isoformat(),
        "page_size": 100}, headers=headers(vis, actor)))
    assert found <= named(vis["items"], vis["seen_items"][actor])
    # Free for the span: a school finds its own and the offered item; nobody another school's.
    if actor == "student":
        assert named(vis["items"], {"equipment", "offered"}) <= found
    assert vis["items"]["other_equipment" if actor in ("student", "admin")
                        else "equipment"] not in found


@pytest.mark.parametrize("actor", ("student", "other_admin", "enterprise_staff"))
def test_filters_on_an_unseen_owner_or_base_find_nothing(shared_client, vis, actor):
    world = vis["world"]
    # F's items: the student still reads the one they booked, nothing else of F's.
    booked = {vis["items"]["withdrawn"]} if actor == "student" else set()
    assert ids(shared_client.get("/api/v1/equipment", query_string={
        "owner_organisation_id": world.other_enterprise.id},
        headers=headers(vis, actor))) == booked
    assert ids(shared_client.get("/api/v1/equipment", query_string={
        "base_id": vis["bases"]["f_second"]}, headers=headers(vis, actor))) == set()


# ---------------------------------------------------------------- bases

@pytest.mark.parametrize("actor", SIGNED_IN)
def test_the_bases_listed_are_exactly_those_each_actor_may_see(shared_client, vis, actor):
    listed = ids(shared_client.get("/api/v1/training-bases", query_string={"page_size": 100},
                                   headers=headers(vis, actor)))
    expected = named(vis["bases"], vis["seen_bases"][actor])
    if actor == "operator":
        assert expected <= listed
    else:
        assert listed == expected


@pytest.mark.parametrize("actor", SIGNED_IN)
def test_a_base_unseen_is_404_and_so_are_its_closures(shared_client, vis, actor):
    for name, base_id in vis["bases"].items():
        shown = shared_client.get(f"/api/v1/training-bases/{base_id}",
                                  headers=headers(vis, actor))
        closures = shared_client.get(f"/api/v1/training-bases/{base_id}/closures",
                                     headers=headers(vis, actor))
        if name in vis["seen_bases"][actor]:
            assert shown.status_code == 200 and shown.get_json()["id"] == base_id
            assert closures.status_code == 200 and closures.get_json()["total"] == 0
        else:
            assert_problem(shown, 404, "not_found")
            assert_problem(closures, 404, "not_found")


def test_signed_out_callers_see_no_equipment_and_no_base(shared_client, vis):
    for url in ("/api/v1/equipment", "/api/v1/training-bases",
                f"/api/v1/equipment/{vis['items']['equipment']}",
                f"/api/v1/training-bases/{vis['bases']['base']}"):
        assert_problem(shared_client.get(url), 401, "not_authenticated")


# ---------------------------------------------------------------- an offer's lifecycle

def test_approval_shows_the_items_to_exactly_the_addressed_school_and_withdrawal_hides_them(
        shared_client, shared_make, shared_session, vis):
    client, world = shared_client, vis["world"]
    lathe = shared_make.equipment(world.other_enterprise_base, world.category,
                                  world.other_enterprise, name="Fresh lathe")
    offer = shared_make.offer(world.other_enterprise, world.other_school, [lathe],
                              created_by=world.users["other_staff"], status="submitted")
    shared_session.commit()
    url = f"/api/v1/equipment/{lathe.id}"

    def seen_by() -> set[str]:
        return {a for a in SIGNED_IN if client.get(url, headers=headers(vis, a)).status_code
                == 200}

    owners = {"other_staff", "other_manager", "operator"}
    assert seen_by() == owners  # submitted: not yet the school's to see
    approved = client.post(f"/api/v1/offers/{offer.id}/approve", json={},
                           headers=headers(vis, "other_admin"))
    assert approved.status_code == 200 and approved.get_json()["status"] == "approved"
    assert seen_by() == owners | {"other_student", "other_admin"}
    assert lathe.id in ids(client.get("/api/v1/equipment", query_string={"page_size": 100},
                                      headers=headers(vis, "other_student")))
    assert lathe.id not in ids(client.get("/api/v1/equipment", query_string={
        "page_size": 100}, headers=headers(vis, "admin")))
    withdrawn = client.post(f"/api/v1/offers/{offer.id}/withdraw",
                            json={"reason": "Needed back"},
                            headers=headers(vis, "other_manager"))
    assert withdrawn.status_code == 200 and withdrawn.get_json()["status"] == "withdrawn"
    assert seen_by() == owners


def test_a_withdrawn_offers_items_stay_visible_through_its_notice_period(
        shared_client, shared_make, shared_session, vis):
    world = vis["world"]
    press = shared_make.equipment(world.enterprise_base, world.category, world.enterprise)
    offer = shared_make.offer(world.enterprise, world.other_school, [press],
                              created_by=world.users["manager"], withdrawal_notice_days=7)
    shared_session.add(OfferEvent(offer_id=offer.id, actor_id=None, from_status="approved",
                                  to_status="withdrawn", at=datetime.now(SHANGHAI)))
    offer.status = "withdrawn"
    shared_session.commit()
    shown = shared_client.get(f"/api/v1/equipment/{press.id}",
                              headers=headers(vis, "other_student"))
    assert shown.status_code == 200 and shown.get_json()["id"] == press.id
    assert_problem(shared_client.get(f"/api/v1/equipment/{press.id}",
                                     headers=headers(vis, "student")), 404, "not_found")


def test_an_offer_past_its_last_window_hides_its_items_even_before_the_expiry_job(
        shared_client, shared_make, shared_session, vis):
    world = vis["world"]
    drill = shared_make.equipment(world.enterprise_base, world.category, world.enterprise)
    today = date.today()
    shared_make.offer(world.enterprise, world.other_school, [drill],
                      created_by=world.users["manager"],
                      windows=[{"starts_on": today - timedelta(days=20),
                                "ends_on": today - timedelta(days=3),
                                "spans": [(d, time(8), time(18)) for d in range(1, 8)]}])
    shared_session.commit()
    assert_problem(shared_client.get(f"/api/v1/equipment/{drill.id}",
                                     headers=headers(vis, "other_admin")), 404, "not_found")


# ---------------------------------------------------------------- reports and idle

@pytest.mark.parametrize("actor", ("admin", "other_admin", "enterprise_staff", "other_staff"))
def test_reports_name_only_the_actors_own_items_and_unseen_filters_give_nothing(
        shared_client, vis, actor):
    days = {"from": (date.today() - timedelta(days=7)).isoformat(),
            "to": date.today().isoformat()}
    week = {**days, "granularity": "week", "group_by": "item"}
    listed = shared_client.get("/api/v1/reports/utilisation", query_string=week,
                               headers=headers(vis, actor))
    assert listed.status_code == 200, listed.get_json()
    reported = {row["group_id"] for row in listed.get_json()["rows"]}
    assert reported <= named(vis["items"], vis["seen_items"][actor])
    unseen_base = {"admin": "other_enterprise_base", "other_admin": "base",
                   "enterprise_staff": "f_second", "other_staff": "enterprise_base"}[actor]
    for query in ({"base_id": vis["bases"][unseen_base]},
                  {"owner_id": vis["world"].other_school.id}, {"base_id": 99999999}):
        if actor == "other_admin" and "owner_id" in query:
            query = {"owner_id": vis["world"].school.id}
        for url, asked in (("/api/v1/reports/utilisation", week),
                           ("/api/v1/reports/heatmap", days)):
            answer = shared_client.get(url, query_string={**asked, **query},
                                       headers=headers(vis, actor))
            assert answer.status_code == 200, answer.get_json()
            body = answer.get_json()
            assert body.get("rows", []) == [] and body.get("booked_hours", 0) == 0, body
    idle = shared_client.get("/api/v1/reports/idle", headers=headers(vis, actor))
    assert idle.status_code == 200, idle.get_json()
    assert {i["equipment_id"] for i in idle.get_json()["items"]} <= named(
        vis["items"], vis["seen_items"][actor])
