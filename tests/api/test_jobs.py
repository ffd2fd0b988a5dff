"""Jobs: every API import is a job with its progress; visibility; the live progress report."""

from __future__ import annotations

from fastapi.testclient import TestClient

from labelwright.services import jobs
from labelwright.services.context import Platform
from tests.builders import add_member, import_jsonl, make_project, make_user


def test_an_import_is_a_job_with_its_count_and_result(
    client: TestClient, platform: Platform
) -> None:
    manager = make_user(platform)
    pid = make_project(platform, manager).id
    response = import_jsonl(client, manager, pid, [{"text": f"t{i}"} for i in range(25)])
    assert response.status_code == 201, response.text
    job_id = response.json()["job_id"]
    job = client.get(f"/api/v1/jobs/{job_id}", headers=manager.headers).json()
    assert job["kind"] == "import" and job["status"] == "done"
    assert job["done"] == 25 and job["project_id"] == pid and job["finished_at"]
    assert job["result"]["created"] == 25 and job["result"]["rejected"] == 0
    assert job["result"]["first_id"] == response.json()["first_id"]

    listed = client.get(f"/api/v1/projects/{pid}/jobs", headers=manager.headers).json()
    assert [j["id"] for j in listed["items"]] == [job_id]
    running = client.get(
        f"/api/v1/projects/{pid}/jobs", params={"status": "running"}, headers=manager.headers
    ).json()
    assert running["items"] == []
    refused = client.post(f"/api/v1/jobs/{job_id}/cancel", headers=manager.headers)
    assert refused.status_code == 409 and "all or nothing" in refused.json()["detail"]


def test_a_failed_import_is_a_failed_job_and_others_cannot_see_jobs(
    client: TestClient, platform: Platform
) -> None:
    manager, annotator, stranger = (make_user(platform) for _ in range(3))
    pid = make_project(platform, manager).id
    add_member(platform, manager, pid, annotator, "annotator")
    bad = import_jsonl(client, manager, pid, [{"text": "ok"}, {"other": 1}])
    assert bad.status_code == 422
    listed = client.get(f"/api/v1/projects/{pid}/jobs", headers=manager.headers).json()
    failed = listed["items"][0]
    assert failed["status"] == "failed" and failed["done"] == 0
    assert "nothing was imported" in failed["error"]
    for user in (annotator, stranger):
        assert client.get(f"/api/v1/jobs/{failed['id']}", headers=user.headers).status_code == 404
    assert (
        client.get(f"/api/v1/projects/{pid}/jobs", headers=annotator.headers).status_code == 403
    )
    # an annotator may not import, and no job is left behind for the attempt
    refused = import_jsonl(client, annotator, pid, [{"text": "x"}])
    assert refused.status_code == 403
    after = client.get(f"/api/v1/projects/{pid}/jobs", headers=manager.headers).json()
    assert len(after["items"]) == 1


def test_progress_of_a_running_job_is_visible_outside_its_transaction(
    client: TestClient, platform: Platform
) -> None:
    manager = make_user(platform)
    pid = make_project(platform, manager).id
    tracker = jobs.JobTracker.start(platform, manager.actor, kind="import", project_id=pid)
    tracker.progress(1234)
    job = client.get(f"/api/v1/jobs/{tracker.id}", headers=manager.headers).json()
    assert job["status"] == "running" and job["done"] == 1234 and job["total"] is None
    tracker.finish(done=2000, result={"created": 2000})
    job = client.get(f"/api/v1/jobs/{tracker.id}", headers=manager.headers).json()
    assert job["status"] == "done" and job["done"] == 2000
