"""Documents API: rendered pages with signed URLs, suggestion jobs, problems."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi.testclient import TestClient

from labelwright.services.context import Platform
from labelwright.services.demo_pdf import PdfPage, write_pdf
from tests.builders import MadeUser, add_member, import_jsonl, make_project, make_user

SCHEMA: dict[str, Any] = {
    "objects": {"doc": {"type": "document"}},
    "controls": [
        {"name": "layout", "type": "regions", "of": "doc", "labels": ["key", "paragraph"]},
    ],
}


def _pdf() -> bytes:
    page = PdfPage(width=300, height=200)
    page.text(20, 20, "Total:")
    page.text(20, 60, uuid.uuid4().hex, size=8)
    return write_pdf([page, PdfPage(width=300, height=200)])


def _setup(client: TestClient, platform: Platform, data: bytes) -> tuple[MadeUser, int, int]:
    owner = make_user(platform)
    upload = client.post(
        "/api/v1/media", files={"file": ("d.pdf", data, "application/pdf")}, headers=owner.headers
    )
    assert upload.status_code == 201, upload.text
    project = make_project(platform, owner, schema=SCHEMA)
    imported = import_jsonl(client, owner, project.id, [{"doc": upload.json()["ref"]}])
    return owner, project.id, imported.json()["first_id"]


def test_document_pages_are_served_with_signed_urls(client: TestClient, platform: Platform) -> None:
    owner, project_id, task_id = _setup(client, platform, _pdf())
    annotator = make_user(platform)
    add_member(platform, owner, project_id, annotator, "annotator")
    response = client.get(f"/api/v1/tasks/{task_id}/documents/doc", headers=annotator.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert [(p["index"], p["width"], p["height"], p["has_text"]) for p in body["pages"]] == [
        (0, 600, 400, True),
        (1, 600, 400, False),
    ]
    image = client.get(body["pages"][0]["url"])  # no credentials: the signature is enough
    assert image.status_code == 200 and image.headers["content-type"] == "image/png"
    layer = client.get(body["pages"][0]["text_layer_url"]).json()
    assert layer["lines"][0]["text"] == "Total:" and layer["width"] == 600
    assert body["pages"][1]["text_layer_url"] is None


def test_unknown_document_object_and_strangers_get_404(
    client: TestClient, platform: Platform
) -> None:
    owner, _, task_id = _setup(client, platform, _pdf())
    stranger = make_user(platform)
    assert (
        client.get(f"/api/v1/tasks/{task_id}/documents/nope", headers=owner.headers).status_code
        == 404
    )
    assert (
        client.get(f"/api/v1/tasks/{task_id}/documents/doc", headers=stranger.headers).status_code
        == 404
    )
    assert client.get(f"/api/v1/tasks/{task_id}/documents/doc").status_code == 401


def test_corrupt_pdf_answers_422_naming_the_reason(client: TestClient, platform: Platform) -> None:
    owner, _, task_id = _setup(client, platform, b"%PDF-1.5 " + uuid.uuid4().bytes)
    response = client.get(f"/api/v1/tasks/{task_id}/documents/doc", headers=owner.headers)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "is not a readable PDF" in response.json()["detail"]


def test_suggestion_job_reports_progress_and_stores_predictions(
    client: TestClient, platform: Platform
) -> None:
    owner, project_id, task_id = _setup(client, platform, _pdf())
    started = client.post(
        f"/api/v1/projects/{project_id}/documents/suggestions",
        json={"engine": "text-layer"},
        headers=owner.headers,
    )
    assert started.status_code == 202, started.text
    job_id = started.json()["id"]
    job = client.get(
        f"/api/v1/projects/{project_id}/documents/jobs/{job_id}", headers=owner.headers
    ).json()
    assert (job["status"], job["done"], job["total"]) == ("done", 1, 1)
    predictions = client.get(f"/api/v1/tasks/{task_id}/predictions", headers=owner.headers)
    assert predictions.status_code == 200, predictions.text
    items = predictions.json()
    items = items["items"] if isinstance(items, dict) else items
    [prediction] = items
    assert prediction["origin"] == "rule:pdf-text-layer"
    assert prediction["results"]["layout"][0]["text"] == "Total:"
    assert prediction["results"]["layout"][0]["label"] == "key"
    again = client.post(
        f"/api/v1/projects/{project_id}/documents/jobs/{job_id}/cancel", headers=owner.headers
    )
    assert again.status_code == 409


def test_only_managers_start_suggestions_and_bad_requests_are_422(
    client: TestClient, platform: Platform
) -> None:
    owner, project_id, _ = _setup(client, platform, _pdf())
    annotator = make_user(platform)
    add_member(platform, owner, project_id, annotator, "annotator")
    url = f"/api/v1/projects/{project_id}/documents/suggestions"
    assert client.post(url, json={}, headers=annotator.headers).status_code == 403
    bad = client.post(url, json={"label": "table"}, headers=owner.headers)
    assert bad.status_code == 422 and "not a label" in bad.json()["detail"]
    assert client.post(url, json={"engine": "magic"}, headers=owner.headers).status_code == 422
