"""Quality endpoints on SQLite and PostgreSQL."""

from __future__ import annotations

from fastapi.testclient import TestClient

from labelwright.services.context import Platform
from tests.builders import MadeUser, add_member, import_jsonl, make_project, make_user

TEXT = "Ada works at Acme"


def _project(
    client: TestClient, platform: Platform
) -> tuple[MadeUser, list[MadeUser], int, list[int]]:
    manager = make_user(platform, prefix="manager")
    pid = make_project(platform, manager).id
    annotators = [make_user(platform, prefix="ann") for _ in range(3)]
    for user in annotators:
        add_member(platform, manager, pid, user, "annotator")
    created = import_jsonl(client, manager, pid, [{"text": TEXT} for _ in range(4)]).json()
    tasks = list(range(created["first_id"], created["last_id"] + 1))
    labels = [
        ["positive", "positive", "negative"],
        ["negative", "negative", "negative"],
        ["neutral", "neutral", "positive"],
        ["positive", "negative", "neutral"],
    ]
    for task, row in zip(tasks, labels, strict=True):
        for user, label in zip(annotators, row, strict=True):
            entities = (
                [{"start": 0, "end": 3, "label": "PER", "text": "Ada"}]
                if label != "neutral"
                else []
            )
            response = client.post(
                f"/api/v1/tasks/{task}/annotations",
                json={"results": {"sentiment": label, "entities": entities}},
                headers=user.headers,
            )
            assert response.status_code == 201, response.text
    return manager, annotators, pid, tasks


def test_quality_summary_annotators_and_matrix(client: TestClient, platform: Platform) -> None:
    manager, annotators, pid, _ = _project(client, platform)
    summary = client.get(f"/api/v1/projects/{pid}/quality", headers=manager.headers)
    assert summary.status_code == 200, summary.text
    body = summary.json()
    assert body["annotations"] == 12 and body["overlapping_tasks"] == 4
    controls = {c["control"]: c for c in body["controls"]}
    assert controls["sentiment"]["metric"] == "alpha_nominal"
    assert controls["entities"]["metric"] == "overlap_f1"
    assert "token_alpha" in controls["entities"]["details"]
    people = client.get(
        f"/api/v1/projects/{pid}/quality/annotators", headers=manager.headers
    ).json()
    assert {a["user_id"] for a in people["annotators"]} == {u.actor.id for u in annotators}
    assert all(a["drift"]["drifted"] is False for a in people["annotators"])
    matrix = client.get(
        f"/api/v1/projects/{pid}/quality/agreement-matrix",
        params={"control": "entities"},
        headers=manager.headers,
    ).json()
    assert matrix["control"] == "entities" and len(matrix["matrix"]) == 3
    assert matrix["matrix"][0][0] == 1.0


def test_label_issues_list_and_send_back_to_review(client: TestClient, platform: Platform) -> None:
    manager, _, pid, tasks = _project(client, platform)
    issues = client.get(
        f"/api/v1/projects/{pid}/quality/label-issues",
        params={"kind": "low-agreement", "limit": 2},
        headers=manager.headers,
    )
    assert issues.status_code == 200, issues.text
    body = issues.json()
    assert len(body["items"]) == 2 and body["total"] >= 2
    assert body["items"][0]["task_id"] == tasks[3] and body["items"][0]["score"] == 0.0
    sent = client.post(
        f"/api/v1/projects/{pid}/quality/label-issues/review", json={}, headers=manager.headers
    )
    assert sent.status_code == 200, sent.text
    assert tasks[3] in sent.json()["task_ids"]
    task = client.get(f"/api/v1/tasks/{tasks[3]}", headers=manager.headers).json()
    assert task["state"] == "review"
    unknown = client.post(
        f"/api/v1/projects/{pid}/quality/label-issues/review",
        json={"task_ids": [10**9]},
        headers=manager.headers,
    )
    assert unknown.status_code == 422


def test_consensus_suggestion_for_a_task(client: TestClient, platform: Platform) -> None:
    manager, annotators, _, tasks = _project(client, platform)
    response = client.get(f"/api/v1/tasks/{tasks[0]}/consensus", headers=manager.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["origin"] == "consensus" and body["results"]["sentiment"] == "positive"
    assert body["results"]["entities"] == [{"start": 0, "end": 3, "text": "Ada", "label": "PER"}]
    assert body["methods"] == {"sentiment": "vote", "entities": "token-vote"}
    weighted = client.get(
        f"/api/v1/tasks/{tasks[0]}/consensus",
        params={"method": "gold-weighted"},
        headers=manager.headers,
    )
    assert weighted.status_code == 200
    forbidden = client.get(f"/api/v1/tasks/{tasks[0]}/consensus", headers=annotators[0].headers)
    assert forbidden.status_code == 403


def test_quality_endpoints_refuse_who_may_not_see_them(
    client: TestClient, platform: Platform
) -> None:
    manager, annotators, pid, _ = _project(client, platform)
    stranger = make_user(platform)
    reviewer = make_user(platform)
    add_member(platform, manager, pid, reviewer, "reviewer")
    base = f"/api/v1/projects/{pid}/quality"
    assert client.get(base).status_code == 401
    assert client.get(base, headers=annotators[0].headers).status_code == 403
    assert client.get(base, headers=stranger.headers).status_code == 404
    assert client.get(f"{base}/annotators", headers=reviewer.headers).status_code == 200
    review = client.post(f"{base}/label-issues/review", json={}, headers=reviewer.headers)
    assert review.status_code == 403
    bad = client.get(
        f"{base}/agreement-matrix", params={"control": "nope"}, headers=manager.headers
    )
    assert bad.status_code == 422 and bad.json()["type"] == "/problems/invalid"
    too_many = client.get(f"{base}/label-issues", params={"limit": 5000}, headers=manager.headers)
    assert too_many.status_code == 422
    assert client.get("/api/v1/projects/999999/quality", headers=manager.headers).status_code == 404
