from __future__ import annotations

from fastapi.testclient import TestClient

from labelwright.services.context import Platform
from tests.builders import import_jsonl, make_project, make_user


def test_every_mutation_writes_one_event(client: TestClient, platform: Platform) -> None:
    user = make_user(platform)
    pid = make_project(platform, user).id
    import_jsonl(client, user, pid, [{"text": str(i)} for i in range(300)])
    events = client.get("/api/v1/audit", headers=user.headers, params={"project_id": pid}).json()[
        "items"
    ]
    actions = [e["action"] for e in events]
    assert actions == ["project.create", "tasks.import"]
    imported = events[1]["payload"]
    assert imported["created"] == 300 and len(imported["sha256"]) == 64
    assert all(e["actor"] == user.actor.email for e in events)
    assert events[0]["hash"] != events[1]["hash"]


def test_manager_sees_only_their_projects_events(client: TestClient, platform: Platform) -> None:
    alice, bob = make_user(platform), make_user(platform)
    alice_project = make_project(platform, alice).id
    bob_project = make_project(platform, bob).id
    events = client.get("/api/v1/audit", headers=alice.headers, params={"limit": 1000}).json()[
        "items"
    ]
    projects = {e["project_id"] for e in events}
    assert alice_project in projects and bob_project not in projects
    assert (
        client.get(
            "/api/v1/audit", headers=alice.headers, params={"project_id": bob_project}
        ).status_code
        == 403
    )


def test_newest_first_pages_backwards(client: TestClient, platform: Platform) -> None:
    user = make_user(platform)
    pid = make_project(platform, user).id
    for i in range(3):
        client.put(
            f"/api/v1/projects/{pid}/guidelines", json={"text": str(i)}, headers=user.headers
        )
    params = {"project_id": pid, "order": "desc", "limit": 2}
    first = client.get("/api/v1/audit", headers=user.headers, params=params).json()
    seqs = [e["seq"] for e in first["items"]]
    assert seqs == sorted(seqs, reverse=True) and first["items"][0]["payload"]["text"] == "2"
    rest = client.get(
        "/api/v1/audit", headers=user.headers, params={**params, "cursor": first["next_cursor"]}
    ).json()
    assert [e["action"] for e in rest["items"]] == ["project.guidelines.update", "project.create"]
