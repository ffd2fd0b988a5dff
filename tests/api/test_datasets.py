"""Dataset versions over HTTP: create, list, read, verify, diff, and export by version."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient

from labelwright.services.context import Platform
from tests.builders import MadeUser, add_member, import_jsonl, make_project, make_user


def _project(client: TestClient, platform: Platform) -> tuple[MadeUser, int, list[int]]:
    user = make_user(platform)
    pid = make_project(platform, user).id
    rows = [
        {"data": {"text": f"t{i}"}, "annotations": [{"results": {"sentiment": "positive"}}]}
        for i in range(3)
    ]
    made = import_jsonl(client, user, pid, rows).json()
    return user, pid, list(range(made["first_id"], made["last_id"] + 1))


def _final(client: TestClient, user: MadeUser, task_id: int) -> Any:
    return client.get(f"/api/v1/tasks/{task_id}", headers=user.headers).json()[
        "final_annotation_id"
    ]


def test_create_list_get_and_verify_versions(client: TestClient, platform: Platform) -> None:
    user, pid, _ = _project(client, platform)
    base = f"/api/v1/projects/{pid}/dataset-versions"
    created = client.post(base, json={"note": "for training run 1"}, headers=user.headers)
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["version"], body["task_count"], body["note"]) == (1, 3, "for training run 1")
    assert len(body["content_sha256"]) == 64 and body["created_by"] == user.actor.id
    assert client.post(base, json={}, headers=user.headers).json()["version"] == 2
    page = client.get(base, params={"limit": 1}, headers=user.headers).json()
    assert [v["version"] for v in page["items"]] == [1] and page["next_cursor"] == "1"
    rest = client.get(base, params={"cursor": "1"}, headers=user.headers).json()
    assert [v["version"] for v in rest["items"]] == [2] and rest["next_cursor"] is None
    assert client.get(f"{base}/1", headers=user.headers).json() == body
    check = client.get(f"{base}/1/verify", headers=user.headers).json()
    assert check["intact"] is True and check["recomputed_sha256"] == body["content_sha256"]
    assert client.get(f"{base}/7", headers=user.headers).status_code == 404
    events = client.get(
        "/api/v1/audit",
        params={"project_id": pid, "action": "dataset_version.create"},
        headers=user.headers,
    ).json()["items"]
    assert [e["payload"]["version"] for e in events] == [1, 2]


def test_versions_are_immutable(client: TestClient, platform: Platform) -> None:
    user, pid, _ = _project(client, platform)
    base = f"/api/v1/projects/{pid}/dataset-versions"
    client.post(base, json={}, headers=user.headers)
    assert client.delete(f"{base}/1", headers=user.headers).status_code == 405
    assert client.put(f"{base}/1", json={}, headers=user.headers).status_code == 405
    assert client.patch(f"{base}/1", json={}, headers=user.headers).status_code == 405


def test_deleting_a_task_in_a_version_is_a_409_naming_the_versions(
    client: TestClient, platform: Platform
) -> None:
    user, pid, (a, _, _) = _project(client, platform)
    base = f"/api/v1/projects/{pid}/dataset-versions"
    client.post(base, json={}, headers=user.headers)
    client.post(base, json={}, headers=user.headers)
    refused = client.delete(f"/api/v1/tasks/{a}", headers=user.headers)
    assert refused.status_code == 409
    assert refused.headers["content-type"] == "application/problem+json"
    problem = refused.json()
    assert problem["type"] == "/problems/conflict"
    assert f"Task {a} is in dataset versions 1, 2 of project {pid}" in problem["detail"]
    assert problem["errors"][0]["versions"] == [1, 2]
    assert client.get(f"/api/v1/tasks/{a}", headers=user.headers).status_code == 200
    fresh = import_jsonl(client, user, pid, [{"data": {"text": "new"}}]).json()["first_id"]
    assert client.delete(f"/api/v1/tasks/{fresh}", headers=user.headers).status_code == 204
    check = client.get(f"{base}/2/verify", headers=user.headers).json()
    assert check["intact"] is True and check["task_count"] == 3


def test_diff_counts_and_streamed_tasks(client: TestClient, platform: Platform) -> None:
    user, pid, (a, b, _) = _project(client, platform)
    base = f"/api/v1/projects/{pid}/dataset-versions"
    client.post(base, json={}, headers=user.headers)
    old_a, old_b = _final(client, user, a), _final(client, user, b)
    fixed = client.post(
        f"/api/v1/tasks/{a}/annotations",
        json={"results": {"sentiment": "negative"}, "parent_id": old_a},
        headers=user.headers,
    ).json()
    client.delete(f"/api/v1/annotations/{old_b}", headers=user.headers)
    client.post(base, json={}, headers=user.headers)
    diff = client.get(f"{base}/diff", params={"from": 1, "to": 2}, headers=user.headers)
    assert diff.json() == {
        "base": 1,
        "target": 2,
        "added": 0,
        "removed": 1,
        "changed": 1,
        "unchanged": 1,
    }
    tasks = client.get(f"{base}/diff/tasks", params={"from": 1, "to": 2}, headers=user.headers)
    assert tasks.headers["content-type"].startswith("application/x-ndjson")
    assert [json.loads(line) for line in tasks.text.splitlines()] == [
        {
            "task_id": a,
            "change": "changed",
            "base_annotation_id": old_a,
            "target_annotation_id": fixed["id"],
        },
        {
            "task_id": b,
            "change": "removed",
            "base_annotation_id": old_b,
            "target_annotation_id": None,
        },
    ]
    missing = client.get(f"{base}/diff", params={"from": 1, "to": 5}, headers=user.headers)
    assert missing.status_code == 404
    assert client.get(f"{base}/diff", params={"from": 1}, headers=user.headers).status_code == 422


def test_export_a_version_and_since_a_version(client: TestClient, platform: Platform) -> None:
    user, pid, (a, b, c) = _project(client, platform)
    client.post(f"/api/v1/projects/{pid}/dataset-versions", json={}, headers=user.headers)
    old_a = _final(client, user, a)
    client.post(
        f"/api/v1/tasks/{a}/annotations",
        json={"results": {"sentiment": "negative"}, "parent_id": old_a},
        headers=user.headers,
    )
    url = f"/api/v1/projects/{pid}/export"
    snapshot = client.get(url, params={"format": "jsonl", "version": 1}, headers=user.headers)
    lines = [json.loads(line) for line in snapshot.text.splitlines()]
    assert [(x["id"], x["annotations"][0]["results"]["sentiment"]) for x in lines] == [
        (a, "positive"),
        (b, "positive"),
        (c, "positive"),
    ]
    for since in ("v1", "1"):
        changed = client.get(url, params={"format": "jsonl", "since": since}, headers=user.headers)
        [line] = [json.loads(x) for x in changed.text.splitlines()]
        assert line["id"] == a and line["annotations"][0]["results"] == {"sentiment": "negative"}
    by_time = client.get(
        url, params={"format": "jsonl", "since": "2000-01-01T00:00:00Z"}, headers=user.headers
    )
    assert len(by_time.text.splitlines()) == 3
    bad = client.get(url, params={"since": "last tuesday"}, headers=user.headers)
    assert bad.status_code == 422 and "dataset version" in bad.json()["detail"]
    mixed = client.get(url, params={"version": 1, "annotations": "all"}, headers=user.headers)
    assert mixed.status_code == 422
    assert client.get(url, params={"version": 4}, headers=user.headers).status_code == 404
    event = client.get(
        "/api/v1/audit",
        params={"project_id": pid, "action": "project.export", "order": "desc", "limit": 1},
        headers=user.headers,
    ).json()["items"][0]
    assert event["payload"]["since_version"] is None and event["payload"]["version"] is None


def test_only_managers_work_with_versions(client: TestClient, platform: Platform) -> None:
    user, pid, _ = _project(client, platform)
    annotator = make_user(platform)
    add_member(platform, user, pid, annotator, "annotator")
    base = f"/api/v1/projects/{pid}/dataset-versions"
    assert client.post(base, json={}, headers=annotator.headers).status_code == 403
    client.post(base, json={}, headers=user.headers)
    assert client.get(base, headers=annotator.headers).status_code == 403
    assert client.get(f"{base}/1", headers=annotator.headers).status_code == 403
    stranger = make_user(platform)
    assert client.get(base, headers=stranger.headers).status_code == 404
    assert client.post(base, json={"note": "x" * 2001}, headers=user.headers).status_code == 422
