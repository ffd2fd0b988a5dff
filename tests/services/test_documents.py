"""Documents: PDF rendering on first use, text layers, region suggestions as predictions."""

from __future__ import annotations

import io
import uuid
from typing import Any

import pytest
from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import func, select

from labelwright.errors import Invalid
from labelwright.services import annotations, document_suggestions, documents, media
from labelwright.services.context import Platform
from labelwright.services.demo_pdf import PdfPage, write_pdf
from labelwright.services.document_suggestions import SuggestEngine
from labelwright.store.models import AuditEvent, Job, Media, Prediction, Task
from tests.builders import MadeUser, make_project, make_user

SCHEMA: dict[str, Any] = {
    "objects": {"doc": {"type": "document"}},
    "controls": [
        {"name": "layout", "type": "regions", "of": "doc", "labels": ["header", "key", "text"]},
        {
            "name": "fields",
            "type": "fields",
            "of": "doc",
            "fields": [
                {"name": "invoice_number", "type": "id"},
                {"name": "total", "type": "amount"},
            ],
        },
    ],
}


def _three_pages() -> bytes:
    """Unique bytes per call: media is stored once per content and owned by its first uploader."""
    pages = []
    for number in range(3):
        page = PdfPage()
        page.text(72, 72, f"Page {number + 1} title", size=20, bold=True)
        page.text(72, 120, "Invoice number:")
        page.text(300, 120, f"INV-{number:04d}")
        pages.append(page)
    pages[-1].text(72, 700, uuid.uuid4().hex, size=4)
    return write_pdf(pages)


def _scanned_page() -> bytes:
    picture = Image.new("RGB", (600, 160), "white")
    font = ImageFont.load_default(size=48)
    ImageDraw.Draw(picture).text((30, 50), "TOTAL 42.50", fill="black", font=font)
    page = PdfPage(width=300, height=80)
    page.image(picture, 0, 0, 300, 80)
    return write_pdf([page]) + f"% {uuid.uuid4().hex}\n".encode()


def _upload(platform: Platform, user: MadeUser, data: bytes, name: str) -> str:
    with platform.db.session() as session:
        stored = media.upload_media(
            platform, session, user.actor, iter([data]), filename=name, content_type=None
        )
    return f"media:{stored.sha256}"


def _task(platform: Platform, user: MadeUser, data: dict[str, Any]) -> tuple[int, int]:
    import orjson

    from labelwright.formats.task_rows import RowFormat
    from labelwright.services import imports

    project = make_project(platform, user, schema=SCHEMA, name="Docs")
    with platform.db.session() as session:
        result = imports.import_tasks(
            session, user.actor, project.id, io.BytesIO(orjson.dumps(data)), fmt=RowFormat.JSONL
        )
    assert result.first_id is not None
    return project.id, result.first_id


def _data(platform: Platform, task_id: int) -> Any:
    with platform.db.session() as session:
        task = session.get(Task, task_id)
        assert task is not None
        return task.data["doc"]


def _renders(platform: Platform, task_id: int) -> int:
    with platform.db.session() as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == "document.render", AuditEvent.entity_id == str(task_id))
            )
            or 0
        )


def test_pdf_is_rendered_on_first_request_and_cached_in_the_task(platform: Platform) -> None:
    user = make_user(platform)
    ref = _upload(platform, user, _three_pages(), "three.pdf")
    _, task_id = _task(platform, user, {"doc": ref})
    with platform.db.session() as session:
        view = documents.get_document(platform, session, user.actor, task_id, "doc")
    assert len(view.pages) == 3
    assert view.src == ref and view.renderer and view.renderer.startswith("pdfium@")
    assert [(p.width, p.height) for p in view.pages] == [(1224, 1584)] * 3  # letter at 144 dpi
    assert all(p.url and p.url.startswith("/api/v1/media/") and "sig=" in p.url for p in view.pages)
    assert all(p.has_text and p.text_layer_url for p in view.pages)
    stored = _data(platform, task_id)
    assert stored["src"] == ref and len(stored["pages"]) == 3
    assert stored["pages"][1]["text"] == "Page 2 title\nInvoice number:\nINV-0001"
    with platform.db.session() as session:
        page_media = session.get(Media, stored["pages"][0]["image"][6:])
        assert page_media is not None and page_media.mime == "image/png"
        assert (page_media.width, page_media.height) == (1224, 1584)
        documents.get_document(platform, session, user.actor, task_id, "doc")
    assert _renders(platform, task_id) == 1  # the second request read the cached pages


def test_text_layer_has_word_and_line_boxes_in_page_pixels(platform: Platform) -> None:
    from labelwright.services.pdf_pages import TextLayer

    user = make_user(platform)
    ref = _upload(platform, user, _three_pages(), "three.pdf")
    _, task_id = _task(platform, user, {"doc": {"src": ref, "note": "kept"}})
    with platform.db.session() as session:
        documents.get_document(platform, session, user.actor, task_id, "doc")
    stored = _data(platform, task_id)
    assert stored["note"] == "kept"
    with platform.blobs.open(stored["pages"][0]["text_layer"][6:]) as handle:
        layer = TextLayer.from_json(handle.read())
    assert [line.text for line in layer.lines] == ["Page 1 title", "Invoice number:", "INV-0000"]
    assert [w.text for w in layer.words][:3] == ["Page", "1", "title"]
    value = layer.lines[2]
    # drawn at x=300pt, 120pt from the top with an 11pt font: x 600 px, y 240..262 px at 2x
    assert 596 <= value.x <= 604 and 238 <= value.y <= 246 and 14 <= value.h <= 24
    assert value.x + value.w < 800


def test_corrupt_pdf_is_refused_and_nothing_is_stored(platform: Platform) -> None:
    user = make_user(platform)
    ref = _upload(
        platform, user, b"%PDF-1.4\n1 0 obj << garbage " + uuid.uuid4().bytes, "broken.pdf"
    )
    _, task_id = _task(platform, user, {"doc": ref})
    with platform.db.session() as session:
        media_before = session.scalar(select(func.count()).select_from(Media))
        with pytest.raises(Invalid, match="is not a readable PDF"):
            documents.get_document(platform, session, user.actor, task_id, "doc")
    with platform.db.session() as session:
        assert session.scalar(select(func.count()).select_from(Media)) == media_before
    assert _data(platform, task_id) == ref
    assert _renders(platform, task_id) == 0


def test_a_list_of_page_images_is_a_document(platform: Platform) -> None:
    user = make_user(platform)
    refs = []
    for color in ((250, 250, 250), (240, 240, 240)):
        buffer = io.BytesIO()
        Image.new("RGB", (300, 400), color).save(buffer, format="PNG")
        refs.append(_upload(platform, user, buffer.getvalue(), "page.png"))
    _, task_id = _task(platform, user, {"doc": refs})
    with platform.db.session() as session:
        view = documents.get_document(platform, session, user.actor, task_id, "doc")
    assert [(p.image, p.width, p.height, p.has_text) for p in view.pages] == [
        (refs[0], 300, 400, False),
        (refs[1], 300, 400, False),
    ]
    assert _data(platform, task_id) == refs  # nothing to render, nothing changed


def test_regions_are_checked_against_the_rendered_page_sizes(platform: Platform) -> None:
    user = make_user(platform)
    ref = _upload(platform, user, _three_pages(), "three.pdf")
    _, task_id = _task(platform, user, {"doc": ref})
    with platform.db.session() as session:
        documents.get_document(platform, session, user.actor, task_id, "doc")
    region = {"id": "r1", "page": 2, "x": 100, "y": 100, "w": 300, "h": 40, "label": "text"}
    with platform.db.session() as session, pytest.raises(Invalid, match="page 3 does not exist"):
        annotations.create_annotation(
            session, user.actor, task_id, results={"layout": [region | {"page": 3}]}
        )
    with platform.db.session() as session, pytest.raises(Invalid, match="region"):
        annotations.create_annotation(
            session, user.actor, task_id, results={"layout": [region | {"x": 1000}]}
        )
    with platform.db.session() as session:
        stored = annotations.create_annotation(
            session, user.actor, task_id, results={"layout": [region | {"text": "edited"}]}
        )
    assert stored.results["layout"][0]["text"] == "edited"


def _run(platform: Platform, user: MadeUser, project_id: int, **options: Any) -> Job:
    with platform.db.session() as session:
        job, chosen = document_suggestions.start_document_suggestions(
            session, user.actor, project_id, **options
        )
    document_suggestions.run_document_suggestions(platform, user.actor, job.id, project_id, chosen)
    with platform.db.session() as session:
        done = session.get(Job, job.id)
        assert done is not None
        return done


def _predictions(platform: Platform, task_id: int) -> list[Prediction]:
    with platform.db.session() as session:
        return list(session.scalars(select(Prediction).where(Prediction.task_id == task_id)))


def test_text_layer_becomes_region_suggestions_with_transcriptions(platform: Platform) -> None:
    user = make_user(platform)
    ref = _upload(platform, user, _three_pages(), "three.pdf")
    project_id, task_id = _task(platform, user, {"doc": ref})
    job = _run(platform, user, project_id, engine=SuggestEngine.TEXT_LAYER)
    assert (job.status, job.done, job.total) == ("done", 1, 1)
    assert job.result is not None and job.result["suggested"] == 1
    [prediction] = _predictions(platform, task_id)
    assert prediction.origin == "rule:pdf-text-layer" and prediction.score == 1.0
    regions = prediction.results["layout"]
    assert [(r["page"], r["label"], r["text"]) for r in regions[:3]] == [
        (0, "header", "Page 1 title"),
        (0, "key", "Invoice number:"),
        (0, "text", "INV-0000"),
    ]
    assert [r["order"] for r in regions] == list(range(len(regions))) and len(regions) == 10
    assert {r["page"] for r in regions} == {0, 1, 2}
    again = _run(platform, user, project_id, engine=SuggestEngine.TEXT_LAYER)
    assert again.result is not None and again.result["skipped"] == 1
    assert len(_predictions(platform, task_id)) == 1  # a re-run adds no duplicate


def test_unreadable_documents_are_reported_by_the_job(platform: Platform) -> None:
    user = make_user(platform)
    ref = _upload(platform, user, b"%PDF-1.7 truncated " + uuid.uuid4().bytes, "bad.pdf")
    project_id, task_id = _task(platform, user, {"doc": ref})
    job = _run(platform, user, project_id, engine=SuggestEngine.TEXT_LAYER)
    assert job.status == "done" and job.result is not None
    assert job.result["failed"][0]["task_id"] == task_id
    assert "not a readable PDF" in job.result["failed"][0]["error"]


def test_suggestions_need_a_regions_control_and_a_known_label(platform: Platform) -> None:
    user = make_user(platform)
    project = make_project(platform, user, schema=SCHEMA, name="Docs")
    with platform.db.session() as session, pytest.raises(Invalid, match="not a regions control"):
        document_suggestions.start_document_suggestions(
            session, user.actor, project.id, control="fields"
        )
    with platform.db.session() as session, pytest.raises(Invalid, match="not a label"):
        document_suggestions.start_document_suggestions(
            session, user.actor, project.id, label="table"
        )


def test_rapidocr_reads_a_scanned_page_offline(platform: Platform) -> None:
    pytest.importorskip("rapidocr_onnxruntime")
    user = make_user(platform)
    ref = _upload(platform, user, _scanned_page(), "scan.pdf")
    project_id, task_id = _task(platform, user, {"doc": ref})
    job = _run(platform, user, project_id, engine=SuggestEngine.AUTO)
    assert job.status == "done", job.error
    [prediction] = _predictions(platform, task_id)
    assert prediction.origin.startswith("model:rapidocr@")
    [region] = prediction.results["layout"]
    assert region["text"].replace(" ", "") == "TOTAL42.50"
    assert 0.5 < region["score"] <= 1 and region["label"] == "text"
    # the text was drawn at (30, 50) px of a 600x160 picture shown on a 300x80 pt page (2x)
    assert 20 <= region["x"] <= 45 and 45 <= region["y"] <= 75 and region["page"] == 0
