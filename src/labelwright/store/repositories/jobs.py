"""Statements for jobs: long-running work and its progress `done/total`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from labelwright.store.models import Job


def create_job(
    session: Session, *, kind: str, project_id: int, created_by: int | None, total: int | None
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


def list_jobs(
    session: Session, project_id: int, *, status: str | None, after: int, limit: int
) -> Sequence[Job]:
    """A project's jobs, newest first (`after` is the last id seen, 0 for the first page)."""
    statement = select(Job).where(Job.project_id == project_id)
    if status is not None:
        statement = statement.where(Job.status == status)
    if after:
        statement = statement.where(Job.id < after)
    return session.scalars(statement.order_by(Job.id.desc()).limit(limit)).all()
