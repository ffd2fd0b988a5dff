from __future__ import annotations

import json

from fastapi.testclient import TestClient

from labelwright.services.context import Platform
from tests.builders import MadeUser, add_member, import_jsonl, make_project, make_user


def _task(
    client: TestClient, platform: Platform, text: str = "Ada works at Acme in Rome"
) -> tuple[MadeUser, int, int]:
    user = make_user(platform)
    pid = make_project(platform, user).id
    task_id = import_jsonl(client, user, pid, [{"text": text}]).json()["first_id"]
    return user, pid, task_id


def test_valid_annotation_is_stored_with_lineage(client: TestClient, platform: Platform) -> None:
    user, _, task_id = _task(client, platform)
    results = {
        "sentiment": "positive",
        "entities": [{"start": 13, "end": 17, "label": "ORG", "text": "Acme"}],
    }
    response = client.post(
        f"/api/v1/tasks/{task_id}/annotations",
        json={"results": results, "lead_time_ms": 4200},
        headers=user.headers,
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["author_id"] == user.actor.id and body["origin"] == "human"
    assert (
        body["lead_time_ms"] == 4200
        and body["schema_version"] == 1
        and body["status"] == "submitted"
    )
    assert body["results"]["entities"][0]["text"] == "Acme"


def test_invalid_values_are_a_422_naming_control_and_index(
    client: TestClient, platform: Platform
) -> None:
    user, _, task_id = _task(client, platform)
    results = {
        "sentiment": "ecstatic",
        "entities": [
            {"start": 0, "end": 3, "label": "PER", "text": "Ada"},
            {"start": 13, "end": 19, "label": "ORG", "text": "Acme"},
        ],
    }
    response = client.post(
        f"/api/v1/tasks/{task_id}/annotations", json={"results": results}, headers=user.headers
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert {"sentiment", "entities"} <= {e["control"] for e in errors}
    span_error = next(e for e in errors if e["control"] == "entities")
    assert span_error["index"] == 1
    unknown = client.post(
        f"/api/v1/tasks/{task_id}/annotations",
        json={"results": {"mood": "x"}},
        headers=user.headers,
    )
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["control"] == "mood"
    assert client.get(f"/api/v1/tasks/{task_id}/annotations", headers=user.headers).json() == []


def test_correction_supersedes_parent_and_keeps_the_chain(
    client: TestClient, platform: Platform
) -> None:
    user, pid, task_id = _task(client, platform)
    reviewer = make_user(platform)
    add_member(platform, user, pid, reviewer, "reviewer")
    first = client.post(
        f"/api/v1/tasks/{task_id}/annotations",
        json={"results": {"sentiment": "negative"}},
        headers=user.headers,
    ).json()
    fix = client.post(
        f"/api/v1/tasks/{task_id}/annotations",
        json={"results": {"sentiment": "positive"}, "parent_id": first["id"]},
        headers=reviewer.headers,
    )
    assert fix.status_code == 201 and fix.json()["parent_id"] == first["id"]
    assert fix.json()["author_id"] == reviewer.actor.id
    again = client.post(
        f"/api/v1/tasks/{task_id}/annotations",
        json={"results": {"sentiment": "neutral"}, "parent_id": first["id"]},
        headers=reviewer.headers,
    )
    assert again.status_code == 409
    stored = client.get(f"/api/v1/annotations/{first['id']}", headers=user.headers).json()
    assert stored["status"] == "superseded" and stored["results"] == {"sentiment": "negative"}
    task = client.get(f"/api/v1/tasks/{task_id}", headers=user.headers).json()
    assert task["annotation_count"] == 1


def test_delete_is_a_tombstone(client: TestClient, platform: Platform) -> None:
    user, _, task_id = _task(client, platform)
    headers = user.headers
    ann = client.post(
        f"/api/v1/tasks/{task_id}/annotations",
        json={"results": {"sentiment": "neutral"}},
        headers=headers,
    ).json()
    assert client.delete(f"/api/v1/annotations/{ann['id']}", headers=headers).status_code == 204
    assert client.delete(f"/api/v1/annotations/{ann['id']}", headers=headers).status_code == 409
    row = client.get(f"/api/v1/annotations/{ann['id']}", headers=headers).json()
    assert row["status"] == "deleted" and row["deleted_at"] is not None
    assert row["results"] == {"sentiment": "neutral"}
    assert client.get(f"/api/v1/tasks/{task_id}/annotations", headers=headers).json() == []
    assert client.get(f"/api/v1/tasks/{task_id}", headers=headers).json()["annotation_count"] == 0


def test_prediction_origin_is_recorded(client: TestClient, platform: Platform) -> None:
    user, pid, task_id = _task(client, platform)
    headers = user.headers
    results = {"sentiment": "positive"}
    row = {"task_id": task_id, "results": results, "score": 0.4, "origin": "model:x@2"}
    line = json.dumps(row) + "\n"
    imported = client.post(
        f"/api/v1/projects/{pid}/predictions",
        content=line.encode(),
        headers={**headers, "Content-Type": "application/x-ndjson"},
    )
    assert imported.status_code == 201 and imported.json()["created"] == 1
    prediction = client.get(f"/api/v1/tasks/{task_id}/predictions", headers=headers).json()[0]
    ann = client.post(
        f"/api/v1/tasks/{task_id}/annotations",
        json={"results": {"sentiment": "positive"}, "prediction_id": prediction["id"]},
        headers=headers,
    )
    assert ann.json()["origin"] == f"prediction:{prediction['id']}"
    wrong = client.post(
        f"/api/v1/tasks/{task_id}/annotations",
        json={"results": {"sentiment": "positive"}, "prediction_id": 10**9},
        headers=headers,
    )
    assert wrong.status_code == 422


def test_bad_prediction_rows_are_refused(client: TestClient, platform: Platform) -> None:
    user, pid, task_id = _task(client, platform)
    headers = {**user.headers, "Content-Type": "application/x-ndjson"}
    body = (
        f'{{"task_id": {task_id}, "results": {{"sentiment": "positive"}}}}\n'
        f'{{"task_id": 999999999, "results": {{}}}}\n'
        f'{{"task_id": {task_id}, "results": {{"sentiment": "wat"}}}}\n'
    )
    response = client.post(
        f"/api/v1/projects/{pid}/predictions", content=body.encode(), headers=headers
    )
    assert response.status_code == 422
    assert [e["line"] for e in response.json()["errors"]] == [2, 3]
    assert client.get(f"/api/v1/tasks/{task_id}/predictions", headers=user.headers).json() == []
