"""Documents: PDF pages rendered on first use (cached in the task data), pages for the workbench.

A `document` object's task data is a PDF reference (`"media:<sha256>"` or `{"src": ...}`), or
explicit pages (`{"pages": [...]}` or a list of page images). A PDF is rendered the first time
the document is asked for (by the workbench, or by a suggestion job), with `pdf_pages`: each page
becomes a PNG media, its text layer (words and lines with boxes in page-image pixels) a JSON
media, and the task data becomes
`{"src": "media:<pdf>", "renderer": "pdfium@<v>", "pages": [{"image", "width", "height",
"text"?, "text_layer"?}, ...]}` (other keys of a mapping are kept). That is the cache: the
next request reads the pages from the task, validation knows each page's size, exports find the
page images. Rendering happens outside the write transaction; the task changes only when the
whole document rendered, so a corrupt PDF stores nothing and answers 422 naming the reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from labelwright.domain import LabelingSchema, ObjectType
from labelwright.errors import Invalid, NotFound
from labelwright.services import media as media_service
from labelwright.services.context import Actor, Platform
from labelwright.services.pdf_pages import (
    PAGE_MIME,
    TEXT_LAYER_MIME,
    RenderedDocument,
    is_pdf,
    render_pdf,
)
from labelwright.services.schemas import current_schema
from labelwright.services.tasks import load_task
from labelwright.store.audit import append_event
from labelwright.store.db import begin_write
from labelwright.store.models import Media, Task
from labelwright.store.repositories import documents as document_repo
from labelwright.store.repositories import tasks as task_repo

MEDIA_PREFIX = "media:"


@dataclass(frozen=True)
class PageView:
    """One page as the workbench shows it; URLs are signed for the asking user."""

    index: int
    image: str | None
    url: str | None
    width: int | None
    height: int | None
    text_layer_url: str | None
    has_text: bool


@dataclass(frozen=True)
class DocumentView:
    name: str
    src: str | None
    renderer: str | None
    pages: tuple[PageView, ...]


def document_objects(schema: LabelingSchema) -> list[str]:
    """Names of the schema's document objects."""
    return [n for n, spec in schema.objects.items() if spec.type == ObjectType.DOCUMENT.value]


def get_document(
    platform: Platform, session: Session, actor: Actor, task_id: int, name: str
) -> DocumentView:
    """The pages of one document object of a task, rendering its PDF on first use."""
    task, project, _ = load_task(session, actor, task_id)
    schema = current_schema(session, project)
    if name not in document_objects(schema):
        raise NotFound(f"Task {task_id} has no document object '{name}'.")
    key = schema.data_key(name)
    value = ensure_pages(platform, session, actor, task, key)
    return _view(platform, session, actor, name, value)


def ensure_pages(platform: Platform, session: Session, actor: Actor, task: Task, key: str) -> Any:
    """The document's task data with explicit pages, rendering (and committing) when needed."""
    value = task.data.get(key)
    pdf_sha = _unrendered_pdf(platform, value)
    if pdf_sha is None:
        return value
    task_id = task.id
    pdf = session.get(Media, pdf_sha)
    if pdf is None:
        raise NotFound(f"The document media:{pdf_sha} is not stored.")
    stem, owner = (pdf.filename or pdf_sha[:12]).rsplit(".", 1)[0], pdf.created_by
    session.rollback()  # end the read transaction: rendering can take a while
    rendered = render_pdf(platform.blobs, pdf_sha, what=f"document '{key}'")
    begin_write(session)
    locked = document_repo.lock_task(session, task_id)
    if locked is None:
        session.rollback()
        raise NotFound(f"Task {task_id} does not exist.")
    current = locked.data.get(key)
    if _unrendered_pdf(platform, current) != pdf_sha:  # someone else rendered it meanwhile
        session.commit()
        return current
    _record_pages(session, rendered, stem=stem, owner=owner)
    expanded = _expanded(current, pdf_sha, rendered)
    document_repo.set_task_data(session, locked.id, {**locked.data, key: expanded})
    shas = [p.image_sha256 for p in rendered.pages]
    shas += [p.text_layer_sha256 for p in rendered.pages if p.text_layer_sha256]
    task_repo.link_media(session, locked.project_id, shas)
    append_event(
        session,
        actor=actor.email,
        action="document.render",
        entity="task",
        entity_id=locked.id,
        project_id=locked.project_id,
        payload={
            "object_key": key,
            "src": f"{MEDIA_PREFIX}{pdf_sha}",
            "pages": len(rendered.pages),
            "renderer": rendered.renderer,
        },
    )
    session.commit()
    session.expire_all()
    return expanded


def _unrendered_pdf(platform: Platform, value: Any) -> str | None:
    """The sha256 of a PDF reference without pages yet, else None."""
    src: Any
    if isinstance(value, str):
        src = value
    elif isinstance(value, Mapping) and value.get("pages") is None:
        src = value.get("src") or value.get("url")
    else:
        return None
    if not isinstance(src, str) or not src.startswith(MEDIA_PREFIX):
        if isinstance(src, str) and src.lower().split("?")[0].endswith(".pdf"):
            raise Invalid(
                f"The PDF {src} is not uploaded media; upload it (POST /api/v1/media) and refer "
                "to it as media:<sha256> so the server can render its pages."
            )
        return None
    sha = src[len(MEDIA_PREFIX) :]
    if not platform.blobs.exists(sha):
        raise NotFound(f"The document {src} is recorded but its bytes are missing.")
    return sha if is_pdf(platform.blobs, sha) else None


def _record_pages(
    session: Session, rendered: RenderedDocument, *, stem: str, owner: int | None
) -> None:
    rows: list[dict[str, Any]] = []
    for index, page in enumerate(rendered.pages):
        rows.append(
            {
                "sha256": page.image_sha256,
                "size": page.image_size,
                "mime": PAGE_MIME,
                "filename": f"{stem}-p{index + 1}.png"[:500],
                "width": page.width,
                "height": page.height,
                "created_by": owner,
            }
        )
        if page.text_layer_sha256:
            rows.append(
                {
                    "sha256": page.text_layer_sha256,
                    "size": page.text_layer_size,
                    "mime": TEXT_LAYER_MIME,
                    "filename": f"{stem}-p{index + 1}.text.json"[:500],
                    "created_by": owner,
                }
            )
    document_repo.add_media(session, rows)


def _expanded(value: Any, pdf_sha: str, rendered: RenderedDocument) -> dict[str, Any]:
    base = dict(value) if isinstance(value, Mapping) else {}
    base.pop("url", None)
    pages = []
    for page in rendered.pages:
        item: dict[str, Any] = {
            "image": f"{MEDIA_PREFIX}{page.image_sha256}",
            "width": page.width,
            "height": page.height,
        }
        if page.text_layer_sha256:
            item["text"] = page.text or ""
            item["text_layer"] = f"{MEDIA_PREFIX}{page.text_layer_sha256}"
        pages.append(item)
    src = f"{MEDIA_PREFIX}{pdf_sha}"
    return {**base, "src": src, "renderer": rendered.renderer, "pages": pages}


def page_entries(value: Any) -> list[dict[str, Any]]:
    """The document's pages as mappings `{"image", "width"?, "height"?, ...}` (may be empty)."""
    if isinstance(value, Mapping):
        raw = value.get("pages")
        if raw is None:
            src = value.get("src") or value.get("url")
            raw = [src] if isinstance(src, str) else []
    elif isinstance(value, str):
        raw = [value]
    else:
        raw = value if isinstance(value, list) else []
    pages: list[dict[str, Any]] = []
    for item in raw:
        if isinstance(item, str):
            pages.append({"image": item})
        elif isinstance(item, Mapping):
            image = item.get("image") or item.get("src") or item.get("url")
            pages.append({**item, "image": image})
        else:
            pages.append({"image": None})
    return pages


def _view(
    platform: Platform, session: Session, actor: Actor, name: str, value: Any
) -> DocumentView:
    pages = page_entries(value)
    shas = {
        p["image"][len(MEDIA_PREFIX) :]
        for p in pages
        if isinstance(p.get("image"), str) and p["image"].startswith(MEDIA_PREFIX)
    }
    known = {sha: session.get(Media, sha) for sha in shas}
    views = []
    for index, page in enumerate(pages):
        image = page.get("image") if isinstance(page.get("image"), str) else None
        sha = image[len(MEDIA_PREFIX) :] if image and image.startswith(MEDIA_PREFIX) else None
        media = known.get(sha) if sha else None
        views.append(
            PageView(
                index=index,
                image=image,
                url=_url(platform, session, actor, image),
                width=page.get("width") or (media.width if media else None),
                height=page.get("height") or (media.height if media else None),
                text_layer_url=_url(platform, session, actor, page.get("text_layer")),
                has_text=bool(page.get("text_layer")),
            )
        )
    src = value.get("src") if isinstance(value, Mapping) else None
    renderer = value.get("renderer") if isinstance(value, Mapping) else None
    return DocumentView(name=name, src=src, renderer=renderer, pages=tuple(views))


def _url(platform: Platform, session: Session, actor: Actor, ref: Any) -> str | None:
    if not isinstance(ref, str):
        return None
    if ref.startswith(MEDIA_PREFIX):
        try:
            return media_service.signed_media_url(
                platform, session, actor, ref[len(MEDIA_PREFIX) :]
            )
        except NotFound:
            return None
    return ref
