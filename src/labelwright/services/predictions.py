"""Predictions: bulk import of model suggestions, and reading them per task."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any, BinaryIO

from sqlalchemy.orm import Session

from labelwright.domain import validate_results
from labelwright.errors import Invalid, LabelwrightError
from labelwright.formats.task_rows import RowFormat, read_rows
from labelwright.services import policies
from labelwright.services.annotations import object_context
from labelwright.services.context import Actor
from labelwright.services.imports import MAX_REPORTED, ImportResult, OnError, Rejected, _reason
from labelwright.services.routing import route_tasks
from labelwright.services.schemas import current_schema
from labelwright.services.tasks import load_task
from labelwright.store.audit import append_event
from labelwright.store.db import begin_write
from labelwright.store.models import Prediction, Project, Task
from labelwright.store.repositories import annotations as annotation_repo
from labelwright.store.repositories import tasks as task_repo

BATCH = 1000


def import_predictions(
    session: Session,
    actor: Actor,
    project_id: int,
    stream: BinaryIO,
    *,
    fmt: RowFormat = RowFormat.JSONL,
    on_error: OnError = OnError.ABORT,
) -> ImportResult:
    """Store suggestions, one row each: `{"task_id", "results", "score"?, "origin"?}`.

    `origin` names the source (`model:<name>@<version>` or `rule:<name>`); predictions are
    validated against the schema like annotations, except that required controls may be absent.
    """
    begin_write(session)
    project, _ = policies.load_project(
        session, actor, project_id, allowed=policies.can_manage_project
    )
    schema = current_schema(session, project)
    result = ImportResult()
    digest = hashlib.sha256()
    pending: list[dict[str, Any]] = []
    storing = True
    for read in read_rows(stream, fmt):
        try:
            if read.error is not None:
                raise Invalid(read.error)
            row = _parse(session, actor, project_id, schema, read.value)
        except LabelwrightError as exc:
            result.rejected_count += 1
            if len(result.rejected) < MAX_REPORTED:
                result.rejected.append(Rejected(read.line, _reason(exc)))
            storing = storing and on_error is OnError.SKIP
            continue
        if storing:
            pending.append(row)
            digest.update(repr(sorted(row.items())).encode())
            if len(pending) >= BATCH:
                _store(session, project, pending)
                result.created += len(pending)
                pending = []
    if not storing:
        session.rollback()
        raise Invalid(
            f"{result.rejected_count} prediction row(s) are invalid; nothing was imported.",
            errors=[{"line": r.line, "error": r.error} for r in result.rejected],
        )
    _store(session, project, pending)
    result.created += len(pending)
    append_event(
        session,
        actor=actor.email,
        action="predictions.import",
        entity="project",
        entity_id=project_id,
        project_id=project_id,
        payload={
            "created": result.created,
            "rejected": result.rejected_count,
            "sha256": digest.hexdigest(),
        },
    )
    session.commit()
    return result


def _store(session: Session, project: Project, rows: list[dict[str, Any]]) -> None:
    task_repo.insert_predictions(session, rows)
    route_tasks(session, project, sorted({r["task_id"] for r in rows}))


def _parse(
    session: Session, actor: Actor, project_id: int, schema: Any, value: Any
) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise Invalid("a prediction must be a JSON object")
    task_id = value.get("task_id")
    if not isinstance(task_id, int) or isinstance(task_id, bool):
        raise Invalid("'task_id' must be an integer")
    if not isinstance(value.get("results"), dict):
        raise Invalid("'results' must be an object of control values")
    score = value.get("score")
    if score is not None and (not isinstance(score, int | float) or isinstance(score, bool)):
        raise Invalid("'score' must be a number")
    task = session.get(Task, task_id)
    if task is None or task.project_id != project_id:
        raise Invalid(f"task {task_id} is not in project {project_id}")
    results = validate_results(
        schema, value["results"], context=object_context(session, actor, task, schema), partial=True
    )
    origin = str(value.get("origin") or value.get("model") or "import")
    return {
        "task_id": task_id,
        "project_id": project_id,
        "origin": origin,
        "results": results,
        "score": float(score) if score is not None else None,
        "scores": value.get("scores"),
    }


def list_predictions(session: Session, actor: Actor, task_id: int) -> Sequence[Prediction]:
    load_task(session, actor, task_id)
    return annotation_repo.list_predictions(session, task_id)
