"""Region suggestions for documents: from a PDF's text layer, or from an offline OCR engine.

Each line of text becomes a region `{id, page, x, y, w, h, label, order, text, score}` of a
`regions` control: the box in page-image pixels, its transcription in `text`, the reading order
across the document in `order`. When the schema has a `fields` control on the same object, the
fields whose key and value the regions show ("Invoice number:" then "INV-001" on the same line)
are suggested in the same prediction, linked to the value's region and normalized by kind (see
`domain/field_extraction.py`). They are stored as predictions (never as annotations): origin
`rule:pdf-text-layer` with score 1 for text the PDF carries, `model:rapidocr@<version>` with the
engine's confidence per region for OCR. Engine `auto` uses the text layer where a page has one and
OCR (when installed) for the other pages, one prediction per origin.

The work runs as a job (`done/total` tasks, cancellable): `start_document_suggestions` records it
and `run_document_suggestions` does it, committing its progress every few tasks. A task that
already has a prediction of the same origin is skipped, so a job can be re-run safely; a task
whose document cannot be rendered is counted in `result.failed` with the reason.
"""

from __future__ import annotations

import logging
import statistics
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sqlalchemy.orm import Session

from labelwright.domain import ControlType, LabelingSchema, ObjectType, validate_results
from labelwright.domain.controls import FieldsControl
from labelwright.domain.field_extraction import fields_from_regions
from labelwright.errors import Conflict, Invalid, LabelwrightError, NotFound
from labelwright.services import policies
from labelwright.services.annotations import object_context
from labelwright.services.context import Actor, Platform
from labelwright.services.documents import MEDIA_PREFIX, ensure_pages, page_entries
from labelwright.services.ocr import OcrLine, get_ocr_engine, is_engine_available
from labelwright.services.pdf_pages import TextLayer, Word
from labelwright.services.schemas import current_schema
from labelwright.store.audit import append_event
from labelwright.store.db import begin_write
from labelwright.store.models import Job, Task
from labelwright.store.repositories import documents as document_repo
from labelwright.store.repositories import jobs as job_repo
from labelwright.store.repositories import tasks as task_repo

log = logging.getLogger(__name__)

JOB_KIND = "documents.suggest"
TEXT_LAYER_ORIGIN = "rule:pdf-text-layer"
BATCH = 10
_DEFAULT_LABELS = ("text", "line", "paragraph")


class SuggestEngine(StrEnum):
    AUTO = "auto"
    TEXT_LAYER = "text-layer"
    RAPIDOCR = "rapidocr"


@dataclass(frozen=True)
class SuggestOptions:
    """What to suggest: the regions control, the engine, the label of plain text lines."""

    control: str
    engine: SuggestEngine
    label: str
    labels: tuple[str, ...] = ()


@dataclass
class _Outcome:
    suggested: int = 0
    skipped: int = 0
    failed: list[dict[str, Any]] = field(default_factory=list)
    predictions: int = 0


def start_document_suggestions(
    session: Session,
    actor: Actor,
    project_id: int,
    *,
    control: str | None = None,
    engine: SuggestEngine = SuggestEngine.AUTO,
    label: str | None = None,
) -> tuple[Job, SuggestOptions]:
    """Check the request and record a job (managers); the caller then runs it."""
    begin_write(session)
    project, _ = policies.load_project(
        session, actor, project_id, allowed=policies.can_manage_project
    )
    schema = current_schema(session, project)
    options = _options(schema, control, engine, label)
    total = document_repo.count_project_tasks(session, project_id)
    job = job_repo.create_job(
        session, kind=JOB_KIND, project_id=project_id, created_by=actor.id, total=total
    )
    append_event(
        session,
        actor=actor.email,
        action="job.start",
        entity="job",
        entity_id=job.id,
        project_id=project_id,
        payload={"kind": JOB_KIND, "control": options.control, "engine": options.engine.value},
    )
    session.commit()
    return job, options


def _options(
    schema: LabelingSchema, control: str | None, engine: SuggestEngine, label: str | None
) -> SuggestOptions:
    regions = [c for c in schema.controls if c.type == ControlType.REGIONS.value]
    if control is None:
        if not regions:
            raise Invalid("The project's schema has no regions control to suggest regions for.")
        spec = regions[0]
    else:
        found = schema.control(control)
        if found is None or found.type != ControlType.REGIONS.value:
            names = ", ".join(c.name for c in regions) or "none"
            raise Invalid(f"'{control}' is not a regions control of the schema (regions: {names}).")
        spec = found
    labels = spec.label_names
    if label is None:
        label = next((name for name in _DEFAULT_LABELS if name in labels), labels[0])
    elif label not in labels:
        raise Invalid(f"Label '{label}' is not a label of '{spec.name}': {', '.join(labels)}.")
    if engine is SuggestEngine.RAPIDOCR:
        get_ocr_engine("rapidocr")  # refuses now, not in the job, when it is not installed
    return SuggestOptions(control=spec.name, engine=engine, label=label, labels=tuple(labels))


def run_document_suggestions(
    platform: Platform, actor: Actor, job_id: int, project_id: int, options: SuggestOptions
) -> None:
    """Do the job: suggest regions for every task of the project (see module docstring)."""
    outcome = _Outcome()
    done = 0
    status = "done"
    error = None
    try:
        for batch in _batches(platform, project_id):
            with platform.db.session() as session:
                if job_repo.job_status(session, job_id) == "cancelling":
                    status = "cancelled"
                    break
                for task_id in batch:
                    _suggest_task(platform, session, actor, task_id, options, outcome)
                begin_write(session)
                done += len(batch)
                job_repo.set_job_progress(session, job_id, done=done)
                session.commit()
    except Exception as exc:  # the job records the failure; the traceback goes to the log
        log.exception("document suggestion job %s failed", job_id)
        status, error = "failed", f"{type(exc).__name__}: {exc}"
    result = {
        "suggested": outcome.suggested,
        "skipped": outcome.skipped,
        "predictions": outcome.predictions,
        "failed": outcome.failed[:100],
        "failed_count": len(outcome.failed),
    }
    with platform.db.session() as session:
        begin_write(session)
        job_repo.finish_job(
            session, job_id, status=status, at=platform.clock(), result=result, error=error
        )
        append_event(
            session,
            actor=actor.email,
            action="job.finish",
            entity="job",
            entity_id=job_id,
            project_id=project_id,
            payload={"kind": JOB_KIND, "status": status, **result},
        )
        session.commit()


def _batches(platform: Platform, project_id: int) -> Iterator[list[int]]:
    after = 0
    while True:
        with platform.db.session() as session:
            ids = document_repo.project_task_ids(session, project_id, after=after, limit=BATCH)
        if not ids:
            return
        yield ids
        after = ids[-1]


def _suggest_task(
    platform: Platform,
    session: Session,
    actor: Actor,
    task_id: int,
    options: SuggestOptions,
    outcome: _Outcome,
) -> None:
    task = session.get(Task, task_id)
    if task is None:
        return
    project = task.project_id
    try:
        schema = current_schema(session, policies.load_project(session, actor, project)[0])
        spec = schema.control(options.control)
        if spec is None or spec.of is None:
            raise Invalid(f"The schema no longer has the regions control '{options.control}'.")
        key = schema.data_key(spec.of)
        if schema.objects[spec.of].type == ObjectType.DOCUMENT.value:
            value = ensure_pages(platform, session, actor, task, key)
            task = session.get(Task, task_id) or task
        else:
            value = [task.data.get(key)]
        existing = document_repo.prediction_origins(session, task_id)
        made = _suggestions(platform, page_entries(value), options, existing)
        if not made:
            outcome.skipped += 1
            session.rollback()
            return
        context = object_context(session, actor, task, schema)
        fields = _fields_control(schema, spec.of)
        rows = []
        for origin, regions in made.items():
            suggested: dict[str, Any] = {options.control: regions}
            if fields is not None:
                found = fields_from_regions(regions, fields.fields)
                if found:
                    suggested[fields.name] = [item.as_value() for item in found]
            results = validate_results(schema, suggested, context=context, partial=True)
            scores = [r["score"] for r in regions]
            rows.append(
                {
                    "task_id": task_id,
                    "project_id": project,
                    "origin": origin,
                    "results": results,
                    "score": round(statistics.fmean(scores), 4) if scores else None,
                    "scores": None,
                }
            )
        session.rollback()
        begin_write(session)
        task_repo.insert_predictions(session, rows)
        session.commit()
        outcome.suggested += 1
        outcome.predictions += len(rows)
    except LabelwrightError as exc:
        session.rollback()
        outcome.failed.append({"task_id": task_id, "error": exc.message})


def _fields_control(schema: LabelingSchema, of: str) -> FieldsControl | None:
    """The first `fields` control of the same object: its fields are read from the regions."""
    return next(
        (c for c in schema.controls if isinstance(c, FieldsControl) and c.of == of),
        None,
    )


def _suggestions(
    platform: Platform, pages: list[dict[str, Any]], options: SuggestOptions, existing: set[str]
) -> dict[str, list[dict[str, Any]]]:
    """Regions per origin for the pages that the engine covers (empty: nothing new)."""
    by_origin: dict[str, list[dict[str, Any]]] = {}
    order = 0
    ocr_pages: list[int] = []
    for index, page in enumerate(pages):
        layer_ref = page.get("text_layer")
        use_layer = options.engine is not SuggestEngine.RAPIDOCR and isinstance(layer_ref, str)
        if use_layer and isinstance(layer_ref, str) and TEXT_LAYER_ORIGIN not in existing:
            layer = TextLayer.from_json(_read_blob(platform, layer_ref))
            regions = by_origin.setdefault(TEXT_LAYER_ORIGIN, [])
            for line, label in _labeled(layer.lines, options):
                regions.append(_region(index, line, label, order, 1.0))
                order += 1
        elif not use_layer and options.engine is not SuggestEngine.TEXT_LAYER:
            ocr_pages.append(index)
    if ocr_pages and (options.engine is SuggestEngine.RAPIDOCR or is_engine_available("rapidocr")):
        engine = get_ocr_engine("rapidocr")
        if engine.origin not in existing:
            regions = by_origin.setdefault(engine.origin, [])
            for index in ocr_pages:
                for found in _ocr(platform, engine, pages[index]):
                    word = Word(found.text, found.x, found.y, found.w, found.h)
                    regions.append(_region(index, word, options.label, order, found.score))
                    order += 1
    return {origin: regions for origin, regions in by_origin.items() if regions}


def _labeled(lines: tuple[Word, ...], options: SuggestOptions) -> Iterator[tuple[Word, str]]:
    """Each line with a label guessed from its look, when the control has such labels.

    `header`: a font at least 1.3 times the page's median size; `key`: text ending in a colon;
    `value`: the text right of a key on the same line. Everything else gets `options.label`.
    """
    sizes = [line.size for line in lines if line.size > 0]
    median = statistics.median(sizes) if sizes else 0.0
    previous: tuple[Word, str] | None = None
    for line in lines:
        label = options.label
        if "header" in options.labels and median and line.size >= 1.3 * median:
            label = "header"
        elif "key" in options.labels and line.text.rstrip().endswith(":"):
            label = "key"
        elif (
            "value" in options.labels
            and previous is not None
            and previous[1] == "key"
            and abs(previous[0].y - line.y) < max(line.h, 1) / 2
            and line.x > previous[0].x
        ):
            label = "value"
        previous = (line, label)
        yield line, label


def _region(page: int, word: Word, label: str, order: int, score: float) -> dict[str, Any]:
    return {
        "id": f"p{page}-r{order}",
        "page": page,
        "x": word.x,
        "y": word.y,
        "w": word.w,
        "h": word.h,
        "label": label,
        "order": order,
        "text": word.text,
        "score": round(score, 4),
    }


def _read_blob(platform: Platform, ref: str) -> bytes:
    if not ref.startswith(MEDIA_PREFIX):
        raise Invalid(f"The text layer {ref} is not stored media.")
    with platform.blobs.open(ref[len(MEDIA_PREFIX) :]) as handle:
        return handle.read()


def _ocr(platform: Platform, engine: Any, page: dict[str, Any]) -> list[OcrLine]:
    from PIL import Image, UnidentifiedImageError

    image = page.get("image")
    if not isinstance(image, str) or not image.startswith(MEDIA_PREFIX):
        raise Invalid(f"Page image {image!r} is not stored media; OCR reads uploaded images only.")
    try:
        with platform.blobs.open(image[len(MEDIA_PREFIX) :]) as handle, Image.open(handle) as pic:
            pic.load()
            return list(engine.read(pic))
    except (UnidentifiedImageError, OSError) as exc:
        raise Invalid(f"Page image {image} cannot be read ({exc}).") from None


def get_suggestion_job(session: Session, actor: Actor, project_id: int, job_id: int) -> Job:
    """A document suggestion job of the project (managers)."""
    policies.load_project(session, actor, project_id, allowed=policies.can_manage_project)
    job = job_repo.get_job(session, job_id)
    if job is None or job.project_id != project_id or job.kind != JOB_KIND:
        raise NotFound(f"Job {job_id} does not exist in project {project_id}.")
    return job


def cancel_suggestion_job(session: Session, actor: Actor, project_id: int, job_id: int) -> Job:
    """Ask a running job to stop after its current batch."""
    begin_write(session)
    job = get_suggestion_job(session, actor, project_id, job_id)
    if job.status != "running":
        raise Conflict(f"Job {job_id} is already {job.status}.")
    job_repo.request_job_cancel(session, job_id)
    append_event(
        session,
        actor=actor.email,
        action="job.cancel",
        entity="job",
        entity_id=job_id,
        project_id=project_id,
        payload={"kind": JOB_KIND},
    )
    session.commit()
    session.refresh(job)
    return job
