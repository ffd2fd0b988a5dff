"""Streaming export of a project's tasks in any registered format (`labelwright.formats`).

Tasks are read in batches of `BATCH` and handed to the format's exporter as `ExportTask`
records; memory holds one batch (plus what the exporter keeps, which is bounded). Which
annotations each task carries is the `Selection`: the task's final annotation as the workflow
decided it (the default of training formats; see `final_annotation`), every current one, or the
whole history (the default of JSON/JSONL, whose lines are
`{"id", "data", "meta", "annotations": [...], "predictions": [...]}`). `since` limits the export
to tasks created, annotated, reviewed or whose annotations were deleted at or after that time.
A dataset version (`version`, see `services.datasets`) exports the annotations the version holds,
whatever became of them since; `since_version` limits an export to the tasks whose final
annotation differs from the one in that version (with `version` too: between the two versions).
The export is one audit event (format, count and sha256 of the bytes sent), written when the
stream ends, also when the client stops reading early.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import orjson
from sqlalchemy import Select, Text, and_, cast, or_, select
from sqlalchemy.orm import Session

from labelwright.domain import LabelingSchema, MediaInfo
from labelwright.errors import Invalid
from labelwright.formats import (
    ExportAnnotation,
    Exporter,
    ExportPrediction,
    ExportTask,
    Selection,
    get_exporter,
)
from labelwright.formats.registry import EXPORTERS
from labelwright.services import policies
from labelwright.services.context import Actor, Platform
from labelwright.services.datasets import resolve_version
from labelwright.services.imports import iter_media_refs
from labelwright.services.schemas import current_schema
from labelwright.store.audit import append_event
from labelwright.store.models import Annotation, Media, Prediction, Review, Task, User
from labelwright.store.repositories import datasets as dataset_repo

BATCH = 2000
CHUNK = 256 * 1024
CURRENT = "submitted"


class ExportFormat(StrEnum):
    """The formats of the original JSON/JSONL export (any registered name is accepted too)."""

    JSON = "json"
    JSONL = "jsonl"


@dataclass(frozen=True)
class VersionRef:
    """A dataset version of the exported project: its row id and its number."""

    id: int
    number: int


@dataclass(frozen=True)
class ExportPlan:
    """A checked export: the exporter, the schema and which tasks and annotations go out."""

    exporter: Exporter
    schema: LabelingSchema
    selection: Selection
    since: datetime | None = None
    version: VersionRef | None = None
    since_version: VersionRef | None = None

    @property
    def filename_suffix(self) -> str:
        return self.exporter.extension


def check_export(
    session: Session,
    actor: Actor,
    project_id: int,
    *,
    fmt: str = ExportFormat.JSONL,
    selection: Selection | None = None,
    since: datetime | None = None,
    version: int | None = None,
    since_version: int | None = None,
) -> ExportPlan:
    """Check permission, format and schema before streaming starts; return the plan."""
    project, _ = policies.load_project(
        session, actor, project_id, allowed=policies.can_manage_project
    )
    exporter = get_exporter(str(fmt))
    schema = current_schema(session, project)
    exporter.check_schema(schema)
    if since is not None:
        since = since.replace(tzinfo=UTC) if since.tzinfo is None else since.astimezone(UTC)
    if version is None and since_version is None:
        return ExportPlan(exporter, schema, selection or exporter.default_selection, since)
    if selection not in (None, Selection.FINAL):
        raise Invalid(
            "A dataset version holds one final annotation per task: leave 'annotations' out "
            "or use 'final' with 'version' or a version in 'since'.",
            errors=[{"loc": ["annotations"], "msg": "only 'final' with dataset versions"}],
        )
    if since is not None:
        raise Invalid("'since' is either a time or a dataset version, not both.")
    return ExportPlan(
        exporter,
        schema,
        Selection.FINAL,
        version=_version_ref(session, project_id, version),
        since_version=_version_ref(session, project_id, since_version),
    )


def exportable_formats(session: Session, actor: Actor, project_id: int) -> list[tuple[str, str]]:
    """(name, description) of every registered export format the project's schema allows
    (managers), for the export page's picker."""
    project, _ = policies.load_project(
        session, actor, project_id, allowed=policies.can_manage_project
    )
    schema = current_schema(session, project)
    usable = []
    for exporter in EXPORTERS:
        try:
            exporter.check_schema(schema)
        except Invalid:
            continue
        usable.append((exporter.name, exporter.description))
    return sorted(usable)


def _version_ref(session: Session, project_id: int, number: int | None) -> VersionRef | None:
    if number is None:
        return None
    return VersionRef(resolve_version(session, project_id, number).id, number)


def stream_export(
    platform: Platform, actor: Actor, project_id: int, plan: ExportPlan
) -> Iterator[bytes]:
    """Bytes of the export in chunks of about `CHUNK` (the caller ran `check_export` first)."""
    digest = hashlib.sha256()
    counter = _Counter()
    finished = False
    try:
        with platform.db.session() as session:
            wants = _wants(plan.exporter)
            if plan.version is not None:
                tasks = counter.count(_version_tasks(session, project_id, plan, wants))
            else:
                tasks = counter.count(
                    _tasks(
                        session,
                        project_id,
                        plan.selection,
                        plan.since,
                        wants,
                        since_version=plan.since_version,
                    )
                )
            for chunk in _coalesce(plan.exporter.export(tasks, schema=plan.schema)):
                digest.update(chunk)
                yield chunk
        finished = True
    finally:
        with platform.db.write() as session:
            append_event(
                session,
                actor=actor.email,
                action="project.export",
                entity="project",
                entity_id=project_id,
                project_id=project_id,
                payload={
                    "format": f"{plan.exporter.name}@{plan.exporter.version}",
                    "annotations": plan.selection.value,
                    "since": plan.since.isoformat() if plan.since else None,
                    "version": plan.version.number if plan.version else None,
                    "since_version": plan.since_version.number if plan.since_version else None,
                    "tasks": counter.n,
                    "complete": finished,
                    "sha256": digest.hexdigest(),
                },
            )
            session.commit()


def final_annotation(
    final_id: int | None, final_path: str | None, annotations: Sequence[ExportAnnotation]
) -> ExportAnnotation | None:
    """The final annotation of a task, given the task's `final_annotation_id` and `final_path`
    and its current annotations; this is the one place that says what "final" means.

    The workflow decides the final annotation (`Task.final_annotation_id`); it is final once
    its `final_path` says how it was decided (single, agreement, review, adjudication, import,
    correction). A task still in review or adjudication, or not labeled enough, has none.
    """
    if final_id is None or final_path is None:
        return None
    return next((a for a in annotations if a.id == final_id and a.status == CURRENT), None)


class _Counter:
    def __init__(self) -> None:
        self.n = 0

    def count(self, tasks: Iterable[ExportTask]) -> Iterator[ExportTask]:
        for task in tasks:
            self.n += 1
            yield task


@dataclass(frozen=True)
class _Wants:
    predictions: bool
    media: bool
    raw_json: bool  # data and meta as the stored JSON text (orjson.Fragment), not parsed


def _wants(exporter: Exporter) -> _Wants:
    lineage_dump = exporter.default_selection is Selection.HISTORY
    return _Wants(
        predictions=bool(getattr(exporter, "includes_predictions", False)),
        media=not lineage_dump,
        raw_json=bool(getattr(exporter, "serializes_data_only", False)),
    )


def _coalesce(chunks: Iterable[bytes], size: int = CHUNK) -> Iterator[bytes]:
    pending: list[bytes] = []
    held = 0
    for chunk in chunks:
        pending.append(chunk)
        held += len(chunk)
        if held >= size:
            yield b"".join(pending)
            pending, held = [], 0
    if pending:
        yield b"".join(pending)


def _tasks(
    session: Session,
    project_id: int,
    selection: Selection,
    since: datetime | None,
    wants: _Wants,
    *,
    since_version: VersionRef | None = None,
) -> Iterator[ExportTask]:
    authors: dict[int, str] = {}
    if since_version is not None:
        batches = dataset_repo.changed_since_version_batches(
            session, project_id, since_version.id, raw=wants.raw_json, batch=BATCH
        )
    else:
        batches = _task_batches(session, project_id, since, raw=wants.raw_json)
    for rows in batches:
        ids = [r[0] for r in rows]
        annotations = _annotations(session, project_id, ids, selection, authors)
        if selection is Selection.FINAL:
            annotations = _finals(rows, annotations)
        predictions = _predictions(session, project_id, ids) if wants.predictions else {}
        media = _media(session, rows) if wants.media else {}
        for task_id, data, meta, _, _ in rows:
            if wants.raw_json:  # spliced into the output as stored, never parsed
                data, meta = orjson.Fragment(data), orjson.Fragment(meta)
            yield ExportTask(
                id=task_id,
                data=data,
                meta=meta or {},
                annotations=annotations.get(task_id, ()),
                predictions=predictions.get(task_id, ()),
                media=media,
            )


def _version_tasks(
    session: Session, project_id: int, plan: ExportPlan, wants: _Wants
) -> Iterator[ExportTask]:
    """The tasks of `plan.version` with the annotation the version holds for each (whatever its
    status now); with `plan.since_version`, only those that differ from that version."""
    if plan.version is None:
        return
    authors: dict[int, str] = {}
    batches = dataset_repo.version_task_batches(
        session,
        project_id,
        plan.version.id,
        since_version_id=plan.since_version.id if plan.since_version else None,
        raw=wants.raw_json,
        batch=BATCH,
    )
    for rows in batches:
        ids = [r[0] for r in rows]
        held = dataset_repo.version_annotations(session, plan.version.id, ids[0], ids[-1])
        annotations = {row.task_id: _export_annotation(session, row, authors) for row in held}
        predictions = _predictions(session, project_id, ids) if wants.predictions else {}
        media = _media(session, rows) if wants.media else {}
        for task_id, data, meta, _ in rows:
            if wants.raw_json:
                data, meta = orjson.Fragment(data), orjson.Fragment(meta)
            annotation = annotations.get(task_id)
            yield ExportTask(
                id=task_id,
                data=data,
                meta=meta or {},
                annotations=(annotation,) if annotation is not None else (),
                predictions=predictions.get(task_id, ()),
                media=media,
            )


def _task_batches(
    session: Session, project_id: int, since: datetime | None, *, raw: bool = False
) -> Iterator[Sequence[Any]]:
    data: Any = cast(Task.data, Text) if raw else Task.data
    meta: Any = cast(Task.meta, Text) if raw else Task.meta
    base = select(Task.id, data, meta, Task.final_annotation_id, Task.final_path).order_by(Task.id)
    if since is None:
        after = 0
        while True:
            rows = session.execute(
                base.where(Task.project_id == project_id, Task.id > after).limit(BATCH)
            ).all()
            if not rows:
                return
            yield rows
            after = rows[-1][0]
    changed = sorted(_changed_since(session, project_id, since))
    for start in range(0, len(changed), BATCH):
        chunk = changed[start : start + BATCH]
        yield session.execute(base.where(Task.id.in_(chunk))).all()


def _changed_since(session: Session, project_id: int, since: datetime) -> set[int]:
    """Ids of tasks created, annotated, reviewed or with an annotation deleted at or after
    `since`. A final chosen later without a new annotation or review (adjudication choosing an
    existing one) is not seen: tasks record no time of their final's change."""
    created: Select[tuple[int]] = select(Task.id).where(
        Task.project_id == project_id, Task.created_at >= since
    )
    touched: Select[tuple[int]] = select(Annotation.task_id).where(
        Annotation.project_id == project_id,
        or_(Annotation.created_at >= since, Annotation.deleted_at >= since),
    )
    reviewed: Select[tuple[int]] = (
        select(Annotation.task_id)
        .join(Review, Review.annotation_id == Annotation.id)
        .where(Annotation.project_id == project_id, Review.created_at >= since)
    )
    return (
        set(session.scalars(created))
        | set(session.scalars(touched))
        | set(session.scalars(reviewed))
    )


def _in_batch(column: Any, project_column: Any, project_id: int, task_ids: list[int]) -> Any:
    """Rows of a batch of tasks: ids come sorted, so a range (not 2,000 parameters) selects them;
    the project condition drops other projects' tasks whose ids fall in the range. Sparse ids
    (incremental exports pick a few tasks out of many) are listed instead: their range would
    read every task in between."""
    if task_ids[-1] - task_ids[0] >= 2 * len(task_ids):
        return and_(project_column == project_id, column.in_(task_ids))
    return and_(project_column == project_id, column >= task_ids[0], column <= task_ids[-1])


def _annotations(
    session: Session,
    project_id: int,
    task_ids: list[int],
    selection: Selection,
    authors: dict[int, str],
) -> dict[int, list[ExportAnnotation]]:
    statement = select(
        Annotation.id,
        Annotation.task_id,
        Annotation.results,
        Annotation.author_id,
        Annotation.origin,
        Annotation.parent_id,
        Annotation.schema_version,
        Annotation.guideline_version,
        Annotation.lead_time_ms,
        Annotation.stage,
        Annotation.status,
        Annotation.created_at,
    ).where(
        _in_batch(Annotation.task_id, Annotation.project_id, project_id, sorted(task_ids)),
        Annotation.deleted_at.is_(None),
    )
    if selection is not Selection.HISTORY:
        statement = statement.where(Annotation.status == CURRENT)
    out: dict[int, list[ExportAnnotation]] = {}
    for row in session.execute(statement.order_by(Annotation.task_id, Annotation.id)):
        out.setdefault(row.task_id, []).append(_export_annotation(session, row, authors))
    return out


def _export_annotation(session: Session, row: Any, authors: dict[int, str]) -> ExportAnnotation:
    return ExportAnnotation(
        id=row.id,
        results=row.results,
        author=_author(session, row.author_id, authors),
        origin=row.origin,
        parent_id=row.parent_id,
        schema_version=row.schema_version,
        guideline_version=row.guideline_version,
        lead_time_ms=row.lead_time_ms,
        stage=row.stage,
        status=row.status,
        created_at=row.created_at.isoformat(),
    )


def _finals(
    rows: Sequence[Any], annotations: dict[int, list[ExportAnnotation]]
) -> dict[int, list[ExportAnnotation]]:
    out: dict[int, list[ExportAnnotation]] = {}
    for task_id, _, _, final_id, final_path in rows:
        final = final_annotation(final_id, final_path, annotations.get(task_id, ()))
        if final is not None:
            out[task_id] = [final]
    return out


def _author(session: Session, user_id: int | None, cache: dict[int, str]) -> str | None:
    if user_id is None:
        return None
    if user_id not in cache:
        cache[user_id] = session.scalar(select(User.email).where(User.id == user_id)) or ""
    return cache[user_id]


def _predictions(
    session: Session, project_id: int, task_ids: list[int]
) -> dict[int, list[ExportPrediction]]:
    out: dict[int, list[ExportPrediction]] = {}
    rows = session.execute(
        select(
            Prediction.id,
            Prediction.task_id,
            Prediction.origin,
            Prediction.results,
            Prediction.score,
            Prediction.scores,
            Prediction.created_at,
        )
        .where(_in_batch(Prediction.task_id, Prediction.project_id, project_id, sorted(task_ids)))
        .order_by(Prediction.task_id, Prediction.id)
    ).all()
    for pid, task_id, origin, results, score, scores, created in rows:
        out.setdefault(task_id, []).append(
            ExportPrediction(
                id=pid,
                origin=origin,
                results=results,
                score=score,
                scores=scores,
                created_at=created.isoformat(),
            )
        )
    return out


def _media(session: Session, rows: Sequence[Any]) -> dict[str, MediaInfo]:
    shas = {sha for row in rows for sha in iter_media_refs(row[1])}
    if not shas:
        return {}
    found = session.execute(
        select(Media.sha256, Media.width, Media.height, Media.duration).where(
            Media.sha256.in_(sorted(shas))
        )
    )
    return {
        f"media:{sha}": MediaInfo(width=width, height=height, duration=duration)
        for sha, width, height, duration in found
    }
