"""Who changes whose language through PATCH /me: everyone their own, nobody anyone else's."""

from __future__ import annotations

from .problems import assert_problem


def test_every_role_changes_its_own_language_and_nobody_elses(client, world):
    assert len(world.tokens) >= 5
    for role, user in world.users.items():
        changed = client.patch("/api/v1/me", headers=world.headers(role),
                               json={"language": "zh-Hans"})
        assert changed.status_code == 200, (role, changed.get_json())
        assert (changed.get_json()["id"], changed.get_json()["language"]) == (user.id, "zh-Hans")
    others = {role: client.get("/api/v1/me", headers=world.headers(role)).get_json()["language"]
              for role in world.users}
    assert set(others.values()) == {"zh-Hans"}
    refused = client.patch("/api/v1/me", headers=world.headers("student"),
                           json={"language": "en", "id": world.users["admin"].id})
    assert list(assert_problem(refused, 422, "validation_error")["errors"]) == ["id"]
    assert client.get("/api/v1/me", headers=world.headers("admin")).get_json()["language"] \
        == "zh-Hans"


def test_signed_out_nobody_changes_a_language(client):
    assert_problem(client.patch("/api/v1/me", json={"language": "en"}), 401, "not_authenticated")
