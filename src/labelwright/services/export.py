"""Streaming export of every task with its annotations, predictions and lineage.

The first batch goes out as soon as it is read; memory holds one batch at a time. Each line of
JSONL is `{"id", "data", "meta", "annotations": [...], "predictions": [...]}`; JSON wraps the
same objects in an array. The export is one audit event (count and sha256 of the bytes sent),
written when the stream ends, also when the client stops reading early.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from enum import StrEnum
from typing import Any

import orjson
from sqlalchemy import Text, cast, select
from sqlalchemy.orm import Session

from labelwright.services import policies
from labelwright.services.context import Actor, Platform
from labelwright.store.audit import append_event
from labelwright.store.models import Annotation, Prediction, Task, User

BATCH = 2000


class ExportFormat(StrEnum):
    JSON = "json"
    JSONL = "jsonl"


MEDIA_TYPES = {ExportFormat.JSON: "application/json", ExportFormat.JSONL: "application/x-ndjson"}


def check_export(session: Session, actor: Actor, project_id: int) -> None:
    """Raise unless the actor may export the project (call before streaming starts)."""
    policies.load_project(session, actor, project_id, allowed=policies.can_manage_project)


def stream_export(
    platform: Platform, actor: Actor, project_id: int, fmt: ExportFormat
) -> Iterator[bytes]:
    """Bytes of the export, batch by batch (the caller checked `check_export` first)."""
    digest = hashlib.sha256()
    count = 0
    finished = False
    try:
        with platform.db.session() as session:
            if fmt is ExportFormat.JSON:
                digest.update(b"[")
                yield b"["
            for chunk, n in _batches(session, project_id, fmt, first=True):
                digest.update(chunk)
                count += n
                yield chunk
            if fmt is ExportFormat.JSON:
                digest.update(b"]\n")
                yield b"]\n"
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
                    "format": fmt.value,
                    "tasks": count,
                    "complete": finished,
                    "sha256": digest.hexdigest(),
                },
            )
            session.commit()


def _batches(
    session: Session, project_id: int, fmt: ExportFormat, *, first: bool
) -> Iterator[tuple[bytes, int]]:
    after = 0
    authors: dict[int, str] = {}
    separator = b"\n" if fmt is ExportFormat.JSONL else b",\n"
    while True:
        # data and meta are spliced into the output as the database's own JSON text.
        rows = session.execute(
            select(Task.id, cast(Task.data, Text), cast(Task.meta, Text))
            .where(Task.project_id == project_id, Task.id > after)
            .order_by(Task.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        ids = [r[0] for r in rows]
        annotations = _annotations(session, ids, authors)
        predictions = _predictions(session, ids)
        parts = []
        for task_id, data, meta in rows:
            parts.append(
                b'{"id":%d,"data":%s,"meta":%s,"annotations":%s,"predictions":%s}'
                % (
                    task_id,
                    data.encode(),
                    meta.encode(),
                    orjson.dumps(annotations.get(task_id, [])),
                    orjson.dumps(predictions.get(task_id, [])),
                )
            )
        body = separator.join(parts)
        if fmt is ExportFormat.JSONL:
            body += b"\n"
        elif not first:
            body = separator + body
        first = False
        yield body, len(rows)
        after = ids[-1]


def _annotations(
    session: Session, task_ids: list[int], authors: dict[int, str]
) -> dict[int, list[dict[str, Any]]]:
    out: dict[int, list[dict[str, Any]]] = {}
    rows = session.execute(
        select(Annotation)
        .where(Annotation.task_id.in_(task_ids), Annotation.deleted_at.is_(None))
        .order_by(Annotation.task_id, Annotation.id)
    ).scalars()
    for a in rows:
        out.setdefault(a.task_id, []).append(
            {
                "id": a.id,
                "results": a.results,
                "author": _author(session, a.author_id, authors),
                "origin": a.origin,
                "parent_id": a.parent_id,
                "schema_version": a.schema_version,
                "guideline_version": a.guideline_version,
                "lead_time_ms": a.lead_time_ms,
                "stage": a.stage,
                "status": a.status,
                "created_at": a.created_at.isoformat(),
            }
        )
    session.expunge_all()
    return out


def _author(session: Session, user_id: int | None, cache: dict[int, str]) -> str | None:
    if user_id is None:
        return None
    if user_id not in cache:
        cache[user_id] = session.scalar(select(User.email).where(User.id == user_id)) or ""
    return cache[user_id]


def _predictions(session: Session, task_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    out: dict[int, list[dict[str, Any]]] = {}
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
        .where(Prediction.task_id.in_(task_ids))
        .order_by(Prediction.task_id, Prediction.id)
    ).all()
    for pid, task_id, origin, results, score, scores, created in rows:
        out.setdefault(task_id, []).append(
            {
                "id": pid,
                "origin": origin,
                "results": results,
                "score": score,
                "scores": scores,
                "created_at": created.isoformat(),
            }
        )
    return out
