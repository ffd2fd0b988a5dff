"""Statements for documents: derived page media, task data of rendered documents, jobs."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from labelwright.store.models import Job, Media, Prediction, Task


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


def create_job(
    session: Session, *, kind: str, project_id: int, created_by: int | None, total: int
) -> Job:
    job = Job(kind=kind, project_id=project_id, created_by=created_by, total=total, done=0)
    session.add(job)
    session.flush()
    return job


def get_job(session: Session, job_id: int) -> Job | None:
    return session.get(Job, job_id)


def job_status(session: Session, job_id: int) -> str | None:
    return session.scalar(select(Job.status).where(Job.id == job_id))


def set_job_progress(session: Session, job_id: int, *, done: int) -> None:
    session.execute(update(Job).where(Job.id == job_id).values(done=done))


def finish_job(
    session: Session,
    job_id: int,
    *,
    status: str,
    at: datetime,
    result: dict[str, Any] | None = None,
    error: str | None = None,
) -> None:
    session.execute(
        update(Job)
        .where(Job.id == job_id)
        .values(status=status, finished_at=at, result=result, error=error)
    )


def request_job_cancel(session: Session, job_id: int) -> None:
    session.execute(
        update(Job).where(Job.id == job_id, Job.status == "running").values(status="cancelling")
    )
