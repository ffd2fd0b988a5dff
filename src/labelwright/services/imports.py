"""Streaming task import: JSON array, JSONL or CSV rows, validated and stored in batches.

`on_error=abort` stores nothing when any row is bad (the whole import is one transaction);
`on_error=skip` stores the good rows and reports the bad ones. Either way the import is one
audit event carrying the count and a sha256 digest of what was stored.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, BinaryIO

import orjson
from sqlalchemy.orm import Session

from labelwright.domain import LabelingSchema, MediaInfo, describe_objects, validate_results
from labelwright.errors import Invalid, LabelwrightError
from labelwright.formats import get_importer
from labelwright.formats.task_rows import RowFormat, RowRead, read_rows
from labelwright.services import policies
from labelwright.services.context import Actor, Platform
from labelwright.services.jobs import JobTracker
from labelwright.services.quality_aggregates import mark_tasks_changed_in_bulk
from labelwright.services.routing import route_tasks
from labelwright.services.schemas import current_schema
from labelwright.store.audit import append_event
from labelwright.store.db import begin_write
from labelwright.store.models import Project
from labelwright.store.repositories import bulk_tasks
from labelwright.store.repositories import media as media_repo
from labelwright.store.repositories import tasks as task_repo

BATCH = 2000
ANALYZE_AFTER = 10_000  # rows; a smaller import leaves the planner's statistics good enough
MAX_REPORTED = 1000
_ROW_KEYS = frozenset({"data", "meta", "predictions", "annotations", "priority"})
MEDIA_PREFIX = "media:"


class OnError(StrEnum):
    ABORT = "abort"
    SKIP = "skip"


@dataclass(frozen=True)
class Rejected:
    line: int
    error: str


@dataclass
class ImportResult:
    created: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    rejected_count: int = 0
    first_id: int | None = None
    last_id: int | None = None
    job_id: int | None = None


_NO_MEDIA: frozenset[str] = frozenset()


@dataclass(slots=True)
class _Row:
    data_json: bytes
    meta_json: bytes
    priority: int
    predictions: list[dict[str, Any]]
    annotations: list[dict[str, Any]]
    media: set[str] | frozenset[str]


def import_tasks(
    session: Session,
    actor: Actor,
    project_id: int,
    stream: BinaryIO,
    *,
    fmt: RowFormat | str,
    on_error: OnError = OnError.ABORT,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Import task rows from a stream (see module docstring); `progress(n)` hears how many
    rows are stored so far.

    `fmt` is a `RowFormat` (the body's content type: JSON array, JSONL or CSV task rows) or the
    name of a registered importer (`coco`, `yolo-detect@1`, ...), which reads the stream (a zip
    for multi-file formats) into task rows. A problem with the file as a whole stores nothing,
    whatever `on_error` says.
    """
    begin_write(session)
    project, _ = policies.load_project(
        session, actor, project_id, allowed=policies.can_manage_project
    )
    schema = current_schema(session, project)
    importer = _Importer(session, actor, project, schema, progress)
    result = ImportResult()
    try:
        storing = _store_rows(importer, _rows(stream, fmt, schema), result, on_error)
        if storing:
            importer.finish()
    except BaseException:
        importer.writer.abort()
        session.rollback()
        raise
    if not storing:
        importer.writer.abort()
        session.rollback()
        raise Invalid(
            f"{result.rejected_count} row(s) are invalid; nothing was imported "
            "(send ?on_error=skip to import the valid rows).",
            errors=[{"line": r.line, "error": r.error} for r in result.rejected],
        )
    result.created = importer.created
    result.first_id, result.last_id = importer.first_id, importer.last_id
    append_event(
        session,
        actor=actor.email,
        action="tasks.import",
        entity="project",
        entity_id=project.id,
        project_id=project.id,
        payload={
            "created": importer.created,
            "rejected": result.rejected_count,
            "first_id": importer.first_id,
            "last_id": importer.last_id,
            "sha256": importer.digest.hexdigest(),
        },
    )
    session.commit()
    if importer.created >= ANALYZE_AFTER:
        task_repo.refresh_statistics(session)
    return result


def import_tasks_as_job(
    platform: Platform,
    actor: Actor,
    project_id: int,
    stream: BinaryIO,
    *,
    fmt: RowFormat | str,
    on_error: OnError = OnError.ABORT,
    tracker: JobTracker,
) -> ImportResult:
    """`import_tasks` in a session of its own, reported as the job of `tracker` (started
    before the body arrives, so its progress can be followed while it uploads)."""
    try:
        with platform.db.session() as session:
            result = import_tasks(
                session,
                actor,
                project_id,
                stream,
                fmt=fmt,
                on_error=on_error,
                progress=tracker.progress,
            )
    except LabelwrightError as exc:
        tracker.finish(done=0, error=exc.message)
        raise
    except BaseException:
        tracker.finish(done=0, error="The import failed on the server; nothing was stored.")
        raise
    tracker.finish(
        done=result.created,
        result={
            "created": result.created,
            "rejected": result.rejected_count,
            "first_id": result.first_id,
            "last_id": result.last_id,
        },
    )
    result.job_id = tracker.id
    return result


def _rows(stream: BinaryIO, fmt: RowFormat | str, schema: LabelingSchema) -> Iterator[RowRead]:
    if isinstance(fmt, RowFormat):
        return read_rows(stream, fmt)
    reader = get_importer(fmt)
    reader.check_schema(schema)
    return reader.read(stream, schema=schema)


def _store_rows(
    importer: _Importer, rows: Iterator[RowRead], result: ImportResult, on_error: OnError
) -> bool:
    """Parse and add each row; False when a bad row means nothing may be stored."""
    storing = True
    for read in rows:
        try:
            if read.error is not None:
                raise Invalid(read.error)
            row = importer.parse(read.value)
        except LabelwrightError as exc:
            result.rejected_count += 1
            if len(result.rejected) < MAX_REPORTED:
                result.rejected.append(Rejected(read.line, _reason(exc)))
            if on_error is OnError.ABORT:
                storing = False
            continue
        if storing:
            importer.add(row)
    return storing


def _reason(exc: LabelwrightError) -> str:
    if exc.errors:
        details = "; ".join(_describe(e) for e in exc.errors)
        return f"{exc.message} ({details})" if details not in exc.message else exc.message
    return exc.message


def _describe(error: Mapping[str, Any]) -> str:
    parts = [
        str(error[k]) for k in ("control", "index", "reason", "msg") if error.get(k) is not None
    ]
    return ": ".join(parts)


def iter_media_refs(value: Any) -> Iterator[str]:
    """Every `media:<sha256>` string inside a JSON value."""
    if isinstance(value, str):
        if value.startswith(MEDIA_PREFIX):
            yield value[len(MEDIA_PREFIX) :]
    elif isinstance(value, dict):
        for item in value.values():
            yield from iter_media_refs(item)
    elif isinstance(value, list):
        for item in value:
            yield from iter_media_refs(item)


class _Importer:
    def __init__(
        self,
        session: Session,
        actor: Actor,
        project: Project,
        schema: LabelingSchema,
        progress: Callable[[int], None] | None = None,
    ):
        self.session = session
        self.progress = progress
        self.actor = actor
        self.project = project
        self.schema = schema
        self.required_keys = [
            (name, key)
            for name, spec in schema.objects.items()
            if spec.type not in ("timeline",)
            # a responses object with `values` reads one data key per response
            for key in getattr(spec, "values", None) or (spec.value or name,)
        ]
        self.pending: list[_Row] = []
        self.writer = bulk_tasks.TaskWriter(session, project.id)
        self.ids = bulk_tasks.TaskIds(session, BATCH)
        self.created = 0
        self.first_id: int | None = None
        self.last_id: int | None = None
        self.digest = hashlib.sha256()
        self.media_ok: dict[str, MediaInfo] = {}

    def parse(self, value: Any) -> _Row:
        # Hot path (one call per row): exact type checks, no ABC isinstance.
        if type(value) is not dict:
            raise Invalid("a task must be a JSON object")
        data = value.get("data")
        if type(data) is dict and _ROW_KEYS.issuperset(value):
            meta = value.get("meta") or {}
            predictions = value.get("predictions") or []
            annotations = value.get("annotations") or []
            priority = value.get("priority", 0)
            if type(meta) is not dict:
                raise Invalid("'meta' must be an object")
            if type(predictions) is not list or type(annotations) is not list:
                raise Invalid("'predictions' and 'annotations' must be lists")
            if type(priority) is not int:
                raise Invalid("'priority' must be an integer")
        else:
            data, meta, predictions, annotations, priority = value, {}, [], [], 0
        for name, key in self.required_keys:
            if key not in data:
                raise Invalid(f"data has no '{key}' for object '{name}'")
        data_json = orjson.dumps(data)
        media = set(iter_media_refs(data)) if b"media:" in data_json else _NO_MEDIA
        if media:
            self._check_media(media)
        if predictions or annotations:
            context = describe_objects(
                self.schema, data, media={f"{MEDIA_PREFIX}{s}": self.media_ok[s] for s in media}
            )
            predictions = [self._prediction(p, context) for p in predictions]
            annotations = [self._annotation(a, context) for a in annotations]
        meta_json = orjson.dumps(meta) if meta else b"{}"
        return _Row(data_json, meta_json, priority, predictions, annotations, media)

    def _check_media(self, shas: set[str]) -> None:
        unknown = [s for s in shas if s not in self.media_ok]
        if not unknown:
            return
        self.writer.pause()
        found = media_repo.accessible_media(
            self.session, unknown, user_id=self.actor.id, is_admin=self.actor.is_admin
        )
        for sha, row in found.items():
            self.media_ok[sha] = MediaInfo(
                width=row.width, height=row.height, duration=row.duration
            )
        missing = sorted(set(unknown) - set(found))
        if missing:
            raise Invalid(
                f"media:{missing[0]} is not stored or you may not use it; upload it first "
                "with POST /api/v1/media"
            )

    def _prediction(self, item: Any, context: Any) -> dict[str, Any]:
        if not isinstance(item, dict) or not isinstance(item.get("results"), dict):
            raise Invalid("each prediction must be an object with 'results'")
        score = item.get("score")
        if score is not None and not isinstance(score, int | float):
            raise Invalid("prediction 'score' must be a number")
        origin = str(item.get("origin") or item.get("model") or "import")
        return {
            "results": validate_results(
                self.schema, item["results"], context=context, partial=True
            ),
            "score": float(score) if score is not None else None,
            "scores": item.get("scores"),
            "origin": origin,
        }

    def _annotation(self, item: Any, context: Any) -> dict[str, Any]:
        if not isinstance(item, dict) or not isinstance(item.get("results"), dict):
            raise Invalid("each annotation must be an object with 'results'")
        lead = item.get("lead_time_ms")
        return {
            "results": validate_results(self.schema, item["results"], context=context),
            "lead_time_ms": lead if isinstance(lead, int) else None,
        }

    def add(self, row: _Row) -> None:
        self.pending.append(row)
        if len(self.pending) >= BATCH:
            self.flush()

    def finish(self) -> None:
        """Store what is pending and end the bulk insert."""
        self.flush()
        self.writer.pause()

    def flush(self) -> None:
        rows, self.pending = self.pending, []
        if not rows:
            return
        ids = self.ids.take(len(rows))
        new_rows: list[bulk_tasks.NewTask] = []
        annotations: list[dict[str, Any]] = []
        predictions: list[dict[str, Any]] = []
        media: set[str] = set()
        digest = self.digest
        for row in rows:
            digest.update(row.data_json)
            digest.update(b"\n")
            new_rows.append((row.data_json, row.meta_json, row.priority, len(row.annotations)))
            if row.media:
                media |= row.media
        for task_id, row in zip(ids, rows, strict=True):
            if not (row.annotations or row.predictions):
                continue
            for a in row.annotations:
                annotations.append(
                    {
                        "task_id": task_id,
                        "project_id": self.project.id,
                        "author_id": None,
                        "origin": "import",
                        "schema_version": self.project.schema_version,
                        "guideline_version": self.project.guideline_version,
                        "lead_time_ms": a["lead_time_ms"],
                        "stage": "label",
                        "status": "submitted",
                        "results": a["results"],
                    }
                )
            for p in row.predictions:
                predictions.append({"task_id": task_id, "project_id": self.project.id, **p})
        self.writer.write(ids, new_rows)
        if annotations or predictions or media:
            self.writer.pause()  # the rows below point at the new tasks
            task_repo.insert_annotations(self.session, annotations)
            task_repo.insert_predictions(self.session, predictions)
            if annotations:
                annotated = sorted({a["task_id"] for a in annotations})
                task_repo.set_imported_finals(self.session, annotated)
                mark_tasks_changed_in_bulk(self.session, self.project.id, annotated)
            if predictions:
                route_tasks(self.session, self.project, sorted({p["task_id"] for p in predictions}))
            task_repo.link_media(self.session, self.project.id, media)
        self.created += len(rows)
        self.first_id = ids[0] if self.first_id is None else self.first_id
        self.last_id = ids[-1]
        if self.progress is not None:
            self.progress(self.created)
