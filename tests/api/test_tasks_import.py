from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from labelwright.services.context import Platform
from tests.builders import MadeUser, import_jsonl, make_project, make_user


def _setup(client: TestClient, platform: Platform) -> tuple[MadeUser, int]:
    user = make_user(platform)
    return user, make_project(platform, user).id


def test_import_jsonl_bare_and_structured_rows(client: TestClient, platform: Platform) -> None:
    user, pid = _setup(client, platform)
    rows = [
        {"text": "bare row"},
        {"data": {"text": "structured"}, "meta": {"lang": "en"}, "priority": 5},
    ]
    response = import_jsonl(client, user, pid, rows)
    assert response.status_code == 201, response.text
    assert response.json()["created"] == 2 and response.json()["rejected"] == []
    tasks = client.get(f"/api/v1/projects/{pid}/tasks", headers=user.headers).json()["items"]
    assert [t["data"]["text"] for t in tasks] == ["bare row", "structured"]
    assert tasks[1]["meta"] == {"lang": "en"} and tasks[1]["priority"] == 5


def test_import_json_array_and_csv(client: TestClient, platform: Platform) -> None:
    user, pid = _setup(client, platform)
    headers = user.headers
    body = json.dumps([{"text": "one"}, {"data": {"text": "two"}}]).encode()
    response = client.post(
        f"/api/v1/projects/{pid}/tasks",
        content=body,
        headers={**headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 201 and response.json()["created"] == 2
    csv_body = b'text,meta.source\n"hello, world",web\nbye,mail\n'
    response = client.post(
        f"/api/v1/projects/{pid}/tasks",
        content=csv_body,
        headers={**headers, "Content-Type": "text/csv"},
    )
    assert response.status_code == 201 and response.json()["created"] == 2
    tasks = client.get(
        f"/api/v1/projects/{pid}/tasks", headers=headers, params={"meta.source": "web"}
    ).json()
    assert [t["data"]["text"] for t in tasks["items"]] == ["hello, world"]


def test_bad_rows_abort_the_whole_import_by_default(client: TestClient, platform: Platform) -> None:
    user, pid = _setup(client, platform)
    body = b'{"text": "good"}\n{"text": \n{"other": "no text key"}\n["not an object"]\n'
    response = client.post(
        f"/api/v1/projects/{pid}/tasks",
        content=body,
        headers={**user.headers, "Content-Type": "application/x-ndjson"},
    )
    assert response.status_code == 422
    problem = response.json()
    assert [e["line"] for e in problem["errors"]] == [2, 3, 4]
    assert "text" in problem["errors"][1]["error"]
    assert client.get(f"/api/v1/projects/{pid}/tasks", headers=user.headers).json()["items"] == []


def test_skip_mode_stores_good_rows_and_reports_bad_ones(
    client: TestClient, platform: Platform
) -> None:
    user, pid = _setup(client, platform)
    rows = [{"text": "a"}, {"nope": 1}, {"text": "b"}]
    response = import_jsonl(client, user, pid, rows, on_error="skip")
    assert response.status_code == 201
    body = response.json()
    assert body["created"] == 2 and body["rejected"] == [
        {"line": 2, "error": body["rejected"][0]["error"]}
    ]
    assert "'text'" in body["rejected"][0]["error"]


def test_import_with_annotations_and_predictions_validates_them(
    client: TestClient, platform: Platform
) -> None:
    user, pid = _setup(client, platform)
    good = {
        "data": {"text": "Ada codes"},
        "predictions": [
            {"origin": "model:m@1", "score": 0.7, "results": {"sentiment": "positive"}}
        ],
        "annotations": [
            {"results": {"entities": [{"start": 0, "end": 3, "label": "PER", "text": "Ada"}]}}
        ],
    }
    bad = {
        "data": {"text": "Ada codes"},
        "annotations": [
            {"results": {"entities": [{"start": 0, "end": 4, "label": "PER", "text": "Ada"}]}}
        ],
    }
    refused = import_jsonl(client, user, pid, [good, bad])
    assert refused.status_code == 422
    assert (
        refused.json()["errors"][0]["line"] == 2
        and "entities" in refused.json()["errors"][0]["error"]
    )
    response = import_jsonl(client, user, pid, [good])
    assert response.status_code == 201
    task_id = response.json()["first_id"]
    headers = user.headers
    annotations = client.get(f"/api/v1/tasks/{task_id}/annotations", headers=headers).json()
    assert annotations[0]["origin"] == "import"
    predictions = client.get(f"/api/v1/tasks/{task_id}/predictions", headers=headers).json()
    assert predictions[0]["origin"] == "model:m@1" and predictions[0]["score"] == 0.7
    task = client.get(f"/api/v1/tasks/{task_id}", headers=headers).json()
    assert task["annotation_count"] == 1 and task["state"] == "done"
    assert task["final_path"] == "import" and task["final_annotation_id"] == annotations[0]["id"]


def test_unsupported_content_type_and_non_array_json(
    client: TestClient, platform: Platform
) -> None:
    user, pid = _setup(client, platform)
    headers = user.headers
    xml = client.post(
        f"/api/v1/projects/{pid}/tasks",
        content=b"<x/>",
        headers={**headers, "Content-Type": "text/xml"},
    )
    assert xml.status_code == 422 and "text/xml" in xml.json()["detail"]
    obj = client.post(
        f"/api/v1/projects/{pid}/tasks",
        content=b'{"text": "x"}',
        headers={**headers, "Content-Type": "application/json"},
    )
    assert obj.status_code == 422 and "array" in obj.json()["errors"][0]["error"]


def test_list_filters_and_cursor_pagination(client: TestClient, platform: Platform) -> None:
    user, pid = _setup(client, platform)
    headers = user.headers
    rows = [
        {"data": {"text": f"item {i} {'apple' if i % 3 == 0 else 'pear'}"}, "meta": {"n": i}}
        for i in range(10)
    ]
    import_jsonl(client, user, pid, rows)
    seen, cursor = [], None
    while True:
        params = {"limit": 4, **({"cursor": cursor} if cursor else {})}
        page = client.get(f"/api/v1/projects/{pid}/tasks", headers=headers, params=params).json()
        seen += [t["meta"]["n"] for t in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == list(range(10))
    apples = client.get(
        f"/api/v1/projects/{pid}/tasks", headers=headers, params={"q": "APPLE"}
    ).json()["items"]
    assert [t["meta"]["n"] for t in apples] == [0, 3, 6, 9]
    by_meta = client.get(
        f"/api/v1/projects/{pid}/tasks", headers=headers, params={"meta.n": "7"}
    ).json()["items"]
    assert [t["meta"]["n"] for t in by_meta] == [7]
    first = client.get(
        f"/api/v1/projects/{pid}/tasks", headers=headers, params={"limit": 1}
    ).json()["items"][0]
    client.post(
        f"/api/v1/tasks/{first['id']}/annotations",
        json={"results": {"sentiment": "neutral"}},
        headers=headers,
    )
    done = client.get(
        f"/api/v1/projects/{pid}/tasks", headers=headers, params={"annotated": "true"}
    ).json()["items"]
    todo = client.get(
        f"/api/v1/projects/{pid}/tasks", headers=headers, params={"annotated": "false"}
    ).json()["items"]
    assert [t["id"] for t in done] == [first["id"]] and len(todo) == 9
    labeled = client.get(
        f"/api/v1/projects/{pid}/tasks", headers=headers, params={"state": "done"}
    ).json()["items"]
    assert [t["id"] for t in labeled] == [first["id"]]
    assert (
        client.get(
            f"/api/v1/projects/{pid}/tasks", headers=headers, params={"cursor": "zz"}
        ).status_code
        == 422
    )


def test_delete_task_is_audited(client: TestClient, platform: Platform) -> None:
    user, pid = _setup(client, platform)
    headers = user.headers
    task_id = import_jsonl(client, user, pid, [{"text": "bye"}]).json()["first_id"]
    assert client.delete(f"/api/v1/tasks/{task_id}", headers=headers).status_code == 204
    assert client.get(f"/api/v1/tasks/{task_id}", headers=headers).status_code == 404
    events = client.get(
        "/api/v1/audit", headers=headers, params={"entity": "task", "entity_id": str(task_id)}
    ).json()
    assert [e["action"] for e in events["items"]] == ["task.delete"]


def _count(client: TestClient, user: MadeUser, pid: int) -> int:
    response = client.get(f"/api/v1/projects/{pid}/progress", headers=user.headers)
    assert response.status_code == 200, response.text
    return sum(response.json()["tasks_by_state"].values())


def test_a_bad_row_after_thousands_streamed_stores_nothing(
    client: TestClient, platform: Platform
) -> None:
    """Rows flow into the database while the body arrives (one COPY on PostgreSQL); a bad row
    near the end still leaves nothing behind, and the next import works."""
    user, pid = _setup(client, platform)
    rows = [{"text": f"row {i}"} for i in range(6000)]
    rows[5500] = {"other": "no text key"}
    response = import_jsonl(client, user, pid, rows)
    assert response.status_code == 422, response.text
    assert response.json()["errors"] == [
        {"line": 5501, "error": "data has no 'text' for object 'text'"}
    ]
    assert _count(client, user, pid) == 0
    response = import_jsonl(client, user, pid, [{"text": "a"}, {"text": "b\\\tc"}])
    assert response.status_code == 201, response.text
    first, last = response.json()["first_id"], response.json()["last_id"]
    assert last == first + 1
    stored = client.get(f"/api/v1/tasks/{last}", headers=user.headers).json()
    assert stored["data"] == {"text": "b\\\tc"}


def test_an_upload_over_the_limit_is_refused_midway_and_stores_nothing(
    client: TestClient, platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    user, pid = _setup(client, platform)
    monkeypatch.setattr(platform.settings, "max_upload_mb", 1)
    line = json.dumps({"text": "x" * 1000}).encode() + b"\n"

    def body() -> Iterator[bytes]:  # chunked: no Content-Length to refuse up front
        for _ in range(3000):
            yield line

    response = client.post(
        f"/api/v1/projects/{pid}/tasks",
        content=body(),
        headers={**user.headers, "Content-Type": "application/x-ndjson"},
    )
    assert response.status_code == 413, response.text
    assert response.json()["title"]
    assert _count(client, user, pid) == 0
