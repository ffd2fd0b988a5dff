from __future__ import annotations

import json

from fastapi.testclient import TestClient

from labelwright.services.context import Platform
from tests.builders import add_member, import_jsonl, make_project, make_user


def test_jsonl_export_has_tasks_annotations_predictions_and_lineage(
    client: TestClient, platform: Platform
) -> None:
    user = make_user(platform)
    pid = make_project(platform, user).id
    rows = [
        {
            "data": {"text": f"t{i} ünïcödé 🙂"},
            "meta": {"i": i},
            "predictions": [
                {"origin": "model:m@1", "score": 0.5, "results": {"sentiment": "neutral"}}
            ],
        }
        for i in range(5)
    ]
    first = import_jsonl(client, user, pid, rows).json()["first_id"]
    client.post(
        f"/api/v1/tasks/{first}/annotations",
        json={"results": {"sentiment": "positive"}, "lead_time_ms": 9},
        headers=user.headers,
    )
    response = client.get(
        f"/api/v1/projects/{pid}/export", params={"format": "jsonl"}, headers=user.headers
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/x-ndjson")
    lines = [json.loads(line) for line in response.text.splitlines()]
    assert [line["meta"]["i"] for line in lines] == list(range(5))
    assert set(lines[0]) == {"id", "data", "meta", "annotations", "predictions"}
    assert lines[0]["data"]["text"] == "t0 ünïcödé 🙂"
    annotation = lines[0]["annotations"][0]
    for key in (
        "author",
        "origin",
        "parent_id",
        "schema_version",
        "guideline_version",
        "lead_time_ms",
        "created_at",
    ):
        assert key in annotation
    assert annotation["author"] == user.actor.email and annotation["lead_time_ms"] == 9
    assert lines[1]["annotations"] == [] and lines[1]["predictions"][0]["origin"] == "model:m@1"


def test_json_export_is_one_array_and_is_audited(client: TestClient, platform: Platform) -> None:
    user = make_user(platform)
    pid = make_project(platform, user).id
    import_jsonl(client, user, pid, [{"text": str(i)} for i in range(2500)])
    response = client.get(
        f"/api/v1/projects/{pid}/export", params={"format": "json"}, headers=user.headers
    )
    tasks = json.loads(response.content)
    assert len(tasks) == 2500 and tasks[-1]["data"]["text"] == "2499"
    events = client.get(
        "/api/v1/audit",
        headers=user.headers,
        params={"project_id": pid, "action": "project.export"},
    ).json()
    assert events["items"][-1]["payload"]["tasks"] == 2500
    assert events["items"][-1]["payload"]["complete"] is True


def test_empty_project_exports_empty_array(client: TestClient, platform: Platform) -> None:
    user = make_user(platform)
    pid = make_project(platform, user).id
    assert (
        json.loads(
            client.get(
                f"/api/v1/projects/{pid}/export", params={"format": "json"}, headers=user.headers
            ).content
        )
        == []
    )
    assert client.get(f"/api/v1/projects/{pid}/export", headers=user.headers).content == b""
    assert (
        client.get(
            f"/api/v1/projects/{pid}/export", params={"format": "xml"}, headers=user.headers
        ).status_code
        == 422
    )


def test_annotators_cannot_export(client: TestClient, platform: Platform) -> None:
    manager, annotator = make_user(platform), make_user(platform)
    pid = make_project(platform, manager).id
    add_member(platform, manager, pid, annotator, "annotator")
    assert (
        client.get(f"/api/v1/projects/{pid}/export", headers=annotator.headers).status_code == 403
    )
