"""The whole permission matrix: every role against every guarded action."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from labelwright.services.context import Platform
from tests.builders import TEXT_SCHEMA, MadeUser, add_member, import_jsonl, make_project, make_user

POSITIVE = {"sentiment": "positive"}
ROLES = ["admin", "manager", "annotator", "reviewer", "expert", "outsider"]


@dataclass
class World:
    client: TestClient
    users: dict[str, MadeUser]
    project_id: int
    task_id: int
    manager_annotation: int


@pytest.fixture
def world(client: TestClient, platform: Platform) -> World:
    manager = make_user(platform, prefix="manager")
    users = {"manager": manager, "admin": make_user(platform, admin=True, prefix="admin")}
    project = make_project(platform, manager)
    for role in ("annotator", "reviewer", "expert"):
        users[role] = make_user(platform, prefix=role)
        add_member(platform, manager, project.id, users[role], role)
    users["outsider"] = make_user(platform, prefix="outsider")
    task_id = import_jsonl(
        client, manager, project.id, [{"text": "hello"}, {"text": "bye"}]
    ).json()["first_id"]
    ann = client.post(
        f"/api/v1/tasks/{task_id}/annotations",
        json={"results": {"sentiment": "neutral"}},
        headers=manager.headers,
    )
    return World(client, users, project.id, task_id, ann.json()["id"])


def _call(w: World, role: str, method: str, path: str, **kwargs: object) -> int:
    return w.client.request(method, path, headers=w.users[role].headers, **kwargs).status_code  # type: ignore[arg-type]


ACTIONS: dict[str, Callable[[World, str], int]] = {
    "view project": lambda w, r: _call(w, r, "GET", f"/api/v1/projects/{w.project_id}"),
    "list tasks": lambda w, r: _call(w, r, "GET", f"/api/v1/projects/{w.project_id}/tasks"),
    "read task": lambda w, r: _call(w, r, "GET", f"/api/v1/tasks/{w.task_id}"),
    "annotate": lambda w, r: _call(
        w,
        r,
        "POST",
        f"/api/v1/tasks/{w.task_id}/annotations",
        json={"results": {"sentiment": "positive"}},
    ),
    "read others' annotation": lambda w, r: _call(
        w, r, "GET", f"/api/v1/annotations/{w.manager_annotation}"
    ),
    "delete others' annotation": lambda w, r: _call(
        w, r, "DELETE", f"/api/v1/annotations/{w.manager_annotation}"
    ),
    "rename project": lambda w, r: _call(
        w, r, "PATCH", f"/api/v1/projects/{w.project_id}", json={"name": "x"}
    ),
    "change schema": lambda w, r: _call(
        w, r, "PUT", f"/api/v1/projects/{w.project_id}/schema", json={"schema": TEXT_SCHEMA}
    ),
    "change guidelines": lambda w, r: _call(
        w, r, "PUT", f"/api/v1/projects/{w.project_id}/guidelines", json={"text": "x"}
    ),
    "add member": lambda w, r: _call(
        w,
        r,
        "POST",
        f"/api/v1/projects/{w.project_id}/members",
        json={"user_id": w.users["outsider"].actor.id, "role": "annotator"},
    ),
    "import tasks": lambda w, r: (
        w.client.post(
            f"/api/v1/projects/{w.project_id}/tasks",
            content=b'{"text": "new"}\n',
            headers={**w.users[r].headers, "Content-Type": "application/x-ndjson"},
        ).status_code
    ),
    "import predictions": lambda w, r: (
        w.client.post(
            f"/api/v1/projects/{w.project_id}/predictions",
            content=json.dumps({"task_id": w.task_id, "results": POSITIVE}).encode(),
            headers={**w.users[r].headers, "Content-Type": "application/x-ndjson"},
        ).status_code
    ),
    "export": lambda w, r: _call(w, r, "GET", f"/api/v1/projects/{w.project_id}/export"),
    "read audit": lambda w, r: _call(
        w, r, "GET", "/api/v1/audit", params={"project_id": w.project_id}
    ),
    "delete task": lambda w, r: _call(w, r, "DELETE", f"/api/v1/tasks/{w.task_id}"),
    "delete project": lambda w, r: _call(w, r, "DELETE", f"/api/v1/projects/{w.project_id}"),
}

OK = {200, 201, 204}
MANAGE = {
    "admin": OK,
    "manager": OK,
    "annotator": {403},
    "reviewer": {403},
    "expert": {403},
    "outsider": {404},
}
MEMBERS = {
    "admin": OK,
    "manager": OK,
    "annotator": OK,
    "reviewer": OK,
    "expert": OK,
    "outsider": {404},
}
SEE_ALL = {
    "admin": OK,
    "manager": OK,
    "annotator": {404},
    "reviewer": OK,
    "expert": OK,
    "outsider": {404},
}
EXPECTED: dict[str, dict[str, set[int]]] = {
    "view project": MEMBERS,
    "list tasks": MEMBERS,
    "read task": MEMBERS,
    "annotate": MEMBERS,
    "read others' annotation": SEE_ALL,
    "delete others' annotation": {**MANAGE, "annotator": {404}},
    "rename project": MANAGE,
    "change schema": MANAGE,
    "change guidelines": MANAGE,
    "add member": MANAGE,
    "import tasks": MANAGE,
    "import predictions": MANAGE,
    "export": MANAGE,
    "read audit": {**MANAGE, "outsider": {403}},
    "delete task": MANAGE,
    "delete project": MANAGE,
}


@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(world: World, action: str, role: str) -> None:
    status = ACTIONS[action](world, role)
    assert status in EXPECTED[action][role], f"{role} / {action}: got {status}"


def test_outsider_cannot_see_the_project_in_lists(world: World) -> None:
    listed = world.client.get("/api/v1/projects", headers=world.users["outsider"].headers).json()[
        "items"
    ]
    assert world.project_id not in {p["id"] for p in listed}
    admin_listed = world.client.get(
        "/api/v1/projects", headers=world.users["admin"].headers, params={"limit": 500}
    ).json()
    assert (
        world.project_id in {p["id"] for p in admin_listed["items"]} or admin_listed["next_cursor"]
    )


def test_annotator_sees_only_their_own_annotations(world: World) -> None:
    annotator = world.users["annotator"]
    own = world.client.post(
        f"/api/v1/tasks/{world.task_id}/annotations",
        json={"results": {"sentiment": "negative"}},
        headers=annotator.headers,
    ).json()
    visible = world.client.get(
        f"/api/v1/tasks/{world.task_id}/annotations", headers=annotator.headers
    ).json()
    assert [a["id"] for a in visible] == [own["id"]]
    everything = world.client.get(
        f"/api/v1/tasks/{world.task_id}/annotations", headers=world.users["reviewer"].headers
    ).json()
    assert {a["id"] for a in everything} == {own["id"], world.manager_annotation}
