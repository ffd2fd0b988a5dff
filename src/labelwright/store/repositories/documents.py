"""Statements for documents: derived page media, task data of rendered documents.

Document suggestion jobs use the job statements of `store/repositories/jobs.py`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from labelwright.store.models import Media, Prediction, Task


def add_media(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Record derived media (page images, text layers) that are not recorded yet."""
    if not rows:
        return
    shas = [row["sha256"] for row in rows]
    known = set(session.scalars(select(Media.sha256).where(Media.sha256.in_(shas))))
    for row in rows:
        if row["sha256"] not in known:
            session.add(Media(**row))
            known.add(row["sha256"])
    session.flush()


def lock_task(session: Session, task_id: int) -> Task | None:
    """The task, locked for update on PostgreSQL (SQLite's write lock already serializes)."""
    statement = select(Task).where(Task.id == task_id).with_for_update()
    return session.scalars(statement).first()


def set_task_data(session: Session, task_id: int, data: dict[str, Any]) -> None:
    session.execute(update(Task).where(Task.id == task_id).values(data=data))


def project_task_ids(session: Session, project_id: int, *, after: int, limit: int) -> list[int]:
    """Task ids of the project in id order, after `after`."""
    statement = (
        select(Task.id)
        .where(Task.project_id == project_id, Task.id > after)
        .order_by(Task.id)
        .limit(limit)
    )
    return list(session.scalars(statement))


def count_project_tasks(session: Session, project_id: int) -> int:
    statement = select(func.count()).select_from(Task).where(Task.project_id == project_id)
    return int(session.scalar(statement) or 0)


def prediction_origins(session: Session, task_id: int) -> set[str]:
    """The origins of the task's predictions."""
    statement = select(Prediction.origin).where(Prediction.task_id == task_id).distinct()
    return set(session.scalars(statement))
