"""The demo's object-detection and document/OCR projects, generated here without downloads."""

from __future__ import annotations

from sqlalchemy import select

from labelwright.domain.rle import rle_area, rle_size
from labelwright.services import demo, users
from labelwright.services.context import SYSTEM, Platform
from labelwright.services.pdf_pages import TextLayer
from labelwright.store.models import Prediction, Project, Task


def _project_tasks(platform: Platform, name: str) -> tuple[Project, list[Task]]:
    with platform.db.session() as session:
        project = session.scalars(select(Project).where(Project.name == name)).one()
        tasks = list(
            session.scalars(select(Task).where(Task.project_id == project.id).order_by(Task.id))
        )
    return project, tasks


def _predictions(platform: Platform, task_id: int) -> dict[str, Prediction]:
    with platform.db.session() as session:
        rows = session.scalars(select(Prediction).where(Prediction.task_id == task_id))
        return {p.origin: p for p in rows}


def test_demo_adds_detection_and_document_projects(fresh_platform: Platform) -> None:
    platform = fresh_platform
    with platform.db.session() as session:
        users.create_user(
            session, SYSTEM, email="admin@example.org", password="x" * 12, is_admin=True
        )
    created = demo.create_demo(platform)
    assert demo.DETECTION_NAME in created and demo.DOCUMENT_NAME in created
    assert demo.create_demo(platform) == []  # idempotent

    _, scenes = _project_tasks(platform, demo.DETECTION_NAME)
    assert len(scenes) == 8
    results = _predictions(platform, scenes[0].id)["model:demo-detector@2"].results
    assert {"scene", "objects", "signs", "pose", "surfaces"} <= results.keys()
    assert {box["label"] for box in results["objects"]} == {"car", "person"}
    assert len(results["signs"][0]["points"]) == 3 and len(results["pose"]) == 5
    road = results["surfaces"][0]["rle"]
    assert rle_size(road) == (480, 640) and 20_000 < rle_area(road) < 640 * 180

    _, documents = _project_tasks(platform, demo.DOCUMENT_NAME)
    assert len(documents) == 6
    invoice = documents[0].data["document"]
    assert invoice["renderer"].startswith("pdfium@") and len(invoice["pages"]) == 3
    suggestions = _predictions(platform, documents[0].id)
    layout = suggestions["rule:pdf-text-layer"].results["layout"]
    texts = [region["text"] for region in layout]
    assert "INVOICE" in texts and "Invoice number:" in texts and "Authorized signature" in texts
    labels = {region["text"]: region["label"] for region in layout}
    assert labels["INVOICE"] == "header" and labels["Invoice number:"] == "key"
    extracted = suggestions["model:demo-extractor@1"].results
    assert extracted["doctype"] == "invoice"
    fields = {f["name"]: f for f in extracted["fields"]}
    assert fields["invoice_number"]["value"] in texts  # the truth is printed on the page
    assert isinstance(fields["total"]["normalized"], float)
    with platform.blobs.open(invoice["pages"][0]["text_layer"][6:]) as handle:
        layer = TextLayer.from_json(handle.read())
    assert (layer.width, layer.height) == (invoice["pages"][0]["width"], 1584)
    doctypes = sorted(
        _predictions(platform, t.id)["model:demo-extractor@1"].results["doctype"] for t in documents
    )
    assert doctypes == ["contract", "contract", "invoice", "invoice", "receipt", "receipt"]
