from __future__ import annotations

from fastapi.testclient import TestClient

from labelwright.services.context import Platform
from tests.builders import TEXT_SCHEMA, MadeUser, import_jsonl, make_user

YAML_SCHEMA = """
objects:
  text: {type: text}
controls:
  - {name: topic, type: choice, of: text, options: [sports, politics]}
"""


def test_create_project_from_json_and_from_yaml(client: TestClient, platform: Platform) -> None:
    user = make_user(platform)
    made = client.post(
        "/api/v1/projects", json={"name": "News", "schema": TEXT_SCHEMA}, headers=user.headers
    )
    assert made.status_code == 201
    body = made.json()
    assert body["id"] > 0 and body["schema_version"] == 1 and body["role"] == "manager"
    assert [c["name"] for c in body["schema"]["controls"]] == ["sentiment", "entities"]
    yaml_made = client.post(
        "/api/v1/projects", json={"name": "Y", "schema": YAML_SCHEMA}, headers=user.headers
    )
    assert yaml_made.status_code == 201
    assert yaml_made.json()["schema"]["controls"][0]["name"] == "topic"
    listed = client.get("/api/v1/projects", headers=user.headers).json()["items"]
    assert {p["id"] for p in listed} >= {body["id"], yaml_made.json()["id"]}


def test_invalid_schema_is_a_422_naming_the_problem(client: TestClient, platform: Platform) -> None:
    user = make_user(platform)
    bad = {
        "objects": {"text": {"type": "text"}},
        "controls": [{"name": "x", "type": "boxes", "of": "nothing", "labels": ["a"]}],
    }
    response = client.post(
        "/api/v1/projects", json={"name": "Bad", "schema": bad}, headers=user.headers
    )
    assert response.status_code == 422
    assert "nothing" in response.json()["detail"]
    unknown = {"objects": {"t": {"type": "hologram"}}, "controls": []}
    response = client.post(
        "/api/v1/projects", json={"name": "Bad", "schema": unknown}, headers=user.headers
    )
    assert response.status_code == 422 and "hologram" in response.json()["detail"]


def test_patch_and_delete_project(client: TestClient, platform: Platform) -> None:
    user = make_user(platform)
    pid = client.post(
        "/api/v1/projects", json={"name": "A", "schema": TEXT_SCHEMA}, headers=user.headers
    ).json()["id"]
    patched = client.patch(
        f"/api/v1/projects/{pid}",
        json={"name": "B", "workflow": {"overlap": 2}},
        headers=user.headers,
    )
    assert patched.status_code == 200 and patched.json()["name"] == "B"
    assert patched.json()["workflow"]["overlap"] == 2
    assert patched.json()["workflow"]["lease_minutes"] == 30
    bad = client.patch(
        f"/api/v1/projects/{pid}",
        json={
            "workflow": {"overlap": 2, "routing": [{"when": "prediction.score <", "to": "expert"}]}
        },
        headers=user.headers,
    )
    assert bad.status_code == 422 and "routing" in bad.json()["detail"]
    assert (
        client.patch(
            f"/api/v1/projects/{pid}", json={"name": " "}, headers=user.headers
        ).status_code
        == 422
    )
    assert client.delete(f"/api/v1/projects/{pid}", headers=user.headers).status_code == 204
    assert client.get(f"/api/v1/projects/{pid}", headers=user.headers).status_code == 404


def test_guidelines_are_versioned(client: TestClient, platform: Platform) -> None:
    user = make_user(platform)
    pid = client.post(
        "/api/v1/projects",
        json={"name": "G", "schema": TEXT_SCHEMA, "guidelines": "v1"},
        headers=user.headers,
    ).json()["id"]
    response = client.put(
        f"/api/v1/projects/{pid}/guidelines", json={"text": "# v2"}, headers=user.headers
    )
    assert response.json() == {"version": 2}
    project = client.get(f"/api/v1/projects/{pid}", headers=user.headers).json()
    assert project["guidelines"] == "# v2" and project["guideline_version"] == 2
    task_id = import_jsonl(client, user, pid, [{"text": "Hello"}]).json()["first_id"]
    ann = client.post(
        f"/api/v1/tasks/{task_id}/annotations",
        json={"results": {"sentiment": "neutral"}},
        headers=user.headers,
    )
    assert ann.json()["guideline_version"] == 2 and ann.json()["schema_version"] == 1


def _project_with_labels(client: TestClient, user: MadeUser) -> tuple[int, int]:
    headers = user.headers
    pid = client.post(
        "/api/v1/projects", json={"name": "S", "schema": TEXT_SCHEMA}, headers=headers
    ).json()["id"]
    task_id = import_jsonl(client, user, pid, [{"text": "Ada met Bob"}]).json()["first_id"]
    results = {
        "sentiment": "positive",
        "entities": [{"start": 0, "end": 3, "label": "PER", "text": "Ada"}],
    }
    ann = client.post(
        f"/api/v1/tasks/{task_id}/annotations", json={"results": results}, headers=headers
    )
    assert ann.status_code == 201, ann.text
    return pid, task_id


def test_schema_change_that_orphans_labels_is_refused(
    client: TestClient, platform: Platform
) -> None:
    user = make_user(platform)
    pid, _ = _project_with_labels(client, user)
    renamed = {
        "objects": {"text": {"type": "text"}},
        "controls": [
            TEXT_SCHEMA["controls"][0],
            {"name": "entities", "type": "spans", "of": "text", "labels": ["PERSON", "ORG", "LOC"]},
        ],
    }
    refused = client.put(
        f"/api/v1/projects/{pid}/schema", json={"schema": renamed}, headers=user.headers
    )
    assert refused.status_code == 422
    assert "PER" in refused.json()["detail"]
    assert client.get(f"/api/v1/projects/{pid}", headers=user.headers).json()["schema_version"] == 1


def test_schema_change_with_rename_migration_rewrites_annotations_as_lineage(
    client: TestClient, platform: Platform
) -> None:
    user = make_user(platform)
    pid, task_id = _project_with_labels(client, user)
    renamed = {
        "objects": {"text": {"type": "text"}},
        "controls": [
            TEXT_SCHEMA["controls"][0],
            {"name": "entities", "type": "spans", "of": "text", "labels": ["PERSON", "ORG", "LOC"]},
        ],
    }
    migration = [{"op": "rename", "control": "entities", "from": "PER", "to": "PERSON"}]
    response = client.put(
        f"/api/v1/projects/{pid}/schema",
        json={"schema": renamed, "migrations": migration},
        headers=user.headers,
    )
    assert response.status_code == 200, response.text
    assert response.json()["version"] == 2 and response.json()["migrated_annotations"] == 1
    annotations = client.get(f"/api/v1/tasks/{task_id}/annotations", headers=user.headers).json()
    old, new = annotations
    assert old["status"] == "superseded" and old["results"]["entities"][0]["label"] == "PER"
    assert new["parent_id"] == old["id"] and new["schema_version"] == 2
    assert new["results"]["entities"][0]["label"] == "PERSON"
    assert new["origin"].startswith("migration:")


def test_members_roles(client: TestClient, platform: Platform) -> None:
    manager, other = make_user(platform), make_user(platform)
    pid = client.post(
        "/api/v1/projects", json={"name": "M", "schema": TEXT_SCHEMA}, headers=manager.headers
    ).json()["id"]
    bad = client.post(
        f"/api/v1/projects/{pid}/members",
        json={"user_id": other.actor.id, "role": "boss"},
        headers=manager.headers,
    )
    assert bad.status_code == 422
    ok = client.post(
        f"/api/v1/projects/{pid}/members",
        json={"user_id": other.actor.id, "role": "annotator"},
        headers=manager.headers,
    )
    assert ok.status_code == 201 and ok.json()["role"] == "annotator"
    assert (
        client.get(f"/api/v1/projects/{pid}", headers=other.headers).json()["role"] == "annotator"
    )
    assert (
        client.delete(
            f"/api/v1/projects/{pid}/members/{other.actor.id}", headers=manager.headers
        ).status_code
        == 204
    )
    assert client.get(f"/api/v1/projects/{pid}", headers=other.headers).status_code == 404
    missing = client.post(
        f"/api/v1/projects/{pid}/members",
        json={"user_id": 10**9, "role": "annotator"},
        headers=manager.headers,
    )
    assert missing.status_code == 404
