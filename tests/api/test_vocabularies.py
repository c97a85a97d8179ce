"""The shared vocabularies in English and Chinese: categories' name_zh, skill tags added and
renamed by operators with If-Match."""

from __future__ import annotations

import pytest

from .problems import assert_problem

CATEGORIES = "/api/v1/equipment-categories"
SKILLS = "/api/v1/skills"


def test_an_operator_adds_a_category_with_its_chinese_name_and_renames_it(client, world):
    headers = world.headers("operator")
    created = client.post(CATEGORIES, json={"code": "lasers", "name": "Laser cutters",
                                            "name_zh": "激光切割机"}, headers=headers)
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert (body["code"], body["name"], body["name_zh"]) == ("lasers", "Laser cutters",
                                                             "激光切割机")
    path = f"{CATEGORIES}/{body['id']}"
    renamed = client.patch(path, json={"name_zh": "激光切割设备"},
                           headers={**headers, "If-Match": created.headers["ETag"]})
    assert renamed.status_code == 200, renamed.get_json()
    assert renamed.get_json()["name_zh"] == "激光切割设备"
    stale = client.patch(path, json={"name_zh": "旧"},
                         headers={**headers, "If-Match": created.headers["ETag"]})
    assert_problem(stale, 412, "stale_etag")
    listed = client.get(CATEGORIES, headers=world.headers("student")).get_json()["items"]
    assert {c["code"]: c["name_zh"] for c in listed}["lasers"] == "激光切割设备"


def test_a_category_without_a_chinese_name_answers_an_empty_one(client, world):
    body = client.get(f"{CATEGORIES}/{world.category.id}", headers=world.headers("admin"))
    assert body.status_code == 200 and body.get_json()["name_zh"] == ""


def test_only_operators_name_categories(client, world):
    assert_problem(client.patch(f"{CATEGORIES}/{world.category.id}", json={"name_zh": "x"},
                                headers=world.headers("admin")), 403, "role_not_allowed")


def test_an_operator_adds_a_skill_tag_and_renames_it_with_if_match(client, world):
    headers = world.headers("operator")
    created = client.post(SKILLS, json={"tag": "laser-cutting", "label_en": "Laser cutting",
                                        "label_zh": "激光切割"}, headers=headers)
    assert created.status_code == 201, created.get_json()
    assert created.get_json() == {"tag": "laser-cutting", "label_en": "Laser cutting",
                                  "label_zh": "激光切割", "label": "Laser cutting", "version": 1}
    assert created.headers["ETag"] == '"1"'
    path = f"{SKILLS}/laser-cutting"
    shown = client.get(path, headers=world.headers("student"))
    assert (shown.status_code, shown.headers["ETag"]) == (200, '"1"')
    renamed = client.patch(path, json={"label_zh": "激光切割加工"},
                           headers={**headers, "If-Match": '"1"'})
    assert renamed.status_code == 200, renamed.get_json()
    assert (renamed.get_json()["label_zh"], renamed.get_json()["label_en"],
            renamed.headers["ETag"]) == ("激光切割加工", "Laser cutting", '"2"')
    stale = client.patch(path, json={"label_en": "Lasers"}, headers={**headers, "If-Match": '"1"'})
    assert_problem(stale, 412, "stale_etag")
    listed = client.get(SKILLS, query_string={"page_size": 100},
                        headers=world.headers("student")).get_json()["items"]
    assert {s["tag"]: s["label_zh"] for s in listed}["laser-cutting"] == "激光切割加工"


def test_a_tag_already_in_the_vocabulary_is_409(client, world):
    existing = client.get(SKILLS, headers=world.headers("operator")).get_json()["items"][0]
    body = assert_problem(client.post(SKILLS, json={**{k: existing[k] for k in (
        "tag", "label_en", "label_zh")}}, headers=world.headers("operator")), 409, "name_taken")
    assert "tag" in body["errors"]


@pytest.mark.parametrize("role", ["student", "admin", "manager"])
def test_only_operators_keep_the_skill_vocabulary(client, world, role):
    assert_problem(client.post(SKILLS, json={"tag": "x", "label_en": "X", "label_zh": "X"},
                               headers=world.headers(role)), 403, "role_not_allowed")
    assert_problem(client.patch(f"{SKILLS}/welding", json={"label_zh": "X"},
                                headers=world.headers(role)), 403, "role_not_allowed")


@pytest.mark.parametrize("body, field", [
    ({"tag": "Not A Slug", "label_en": "A", "label_zh": "甲"}, "tag"),
    ({"tag": "ok", "label_en": "", "label_zh": "甲"}, "label_en"),
    ({"tag": "ok", "label_en": "A"}, "label_zh"),
    ({"tag": "ok", "label_en": "A", "label_zh": "甲", "extra": 1}, "extra"),
])
def test_bad_skill_bodies_are_422_on_the_field(client, world, body, field):
    problem = assert_problem(client.post(SKILLS, json=body, headers=world.headers("operator")),
                             422, "validation_error")
    assert field in problem["errors"]


def test_an_unknown_tag_is_404(client, world):
    assert_problem(client.get(f"{SKILLS}/no-such-tag", headers=world.headers("operator")),
                   404, "not_found")
    assert_problem(client.patch(f"{SKILLS}/no-such-tag", json={"label_zh": "无"},
                                headers=world.headers("operator")), 404, "not_found")


@pytest.mark.parametrize("label", ["label_en", "label_zh"])
def test_a_skill_label_of_spaces_alone_is_422_on_the_field(client, world, label):
    headers = world.headers("operator")
    body = {"tag": "blank-label", "label_en": "Blank", "label_zh": "空", label: "  \t "}
    created = assert_problem(client.post(SKILLS, json=body, headers=headers), 422,
                             "validation_error")
    assert created["errors"] == {label: ["Must not be blank."]}
    good = client.post(SKILLS, json={**body, label: "Fine"}, headers=headers)
    assert good.status_code == 201, good.get_json()
    renamed = client.patch(f"{SKILLS}/blank-label", json={label: "   "},
                           headers={**headers, "If-Match": good.headers["ETag"]})
    assert assert_problem(renamed, 422, "validation_error")["errors"] == {
        label: ["Must not be blank."]}


@pytest.mark.parametrize("tag", ["nul%00byte", "x" * 5000, "Upper", "%E6%BF%80"])
def test_a_path_that_cannot_be_a_tag_is_404_as_a_missing_one(client, world, tag):
    read = assert_problem(client.get(f"{SKILLS}/{tag}", headers=world.headers("student")),
                          404, "not_found")
    assert len(read["detail"]) < 100
    assert_problem(client.patch(f"{SKILLS}/{tag}", json={"label_en": "x"}, headers={
        **world.headers("operator"), "If-Match": '"1"'}), 404, "not_found")
