"""Jobs: long-running work (imports, document suggestions) and its progress `done/total`.

Work that runs inside one long transaction (an import is atomic) cannot show its progress in
its own rows, so a `JobTracker` reports it outside that transaction: through a short
autocommit connection on PostgreSQL, and through a small file in the data directory on SQLite,
whose single writer lock the import holds until it commits. `get_job` merges the two.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import update
from sqlalchemy.orm import Session

from labelwright.errors import Conflict, Forbidden, NotFound
from labelwright.services import policies
from labelwright.services.context import Actor, Platform
from labelwright.store.models import Job
from labelwright.store.repositories import jobs as job_repo

CANCELLABLE = frozenset({"document-suggestions"})
REPORT_EVERY_SECONDS = 0.5


def _progress_file(platform: Platform, job_id: int) -> Path:
    return platform.settings.data_dir / "jobs" / f"{job_id}.json"


@dataclass
class JobView:
    """A job as the API shows it (the live progress merged in)."""

    id: int
    kind: str
    project_id: int | None
    status: str
    done: int
    total: int | None
    error: str | None
    result: dict[str, Any] | None
    created_at: datetime
    finished_at: datetime | None


def _view(platform: Platform, job: Job) -> JobView:
    done = job.done
    if job.status == "running":
        with contextlib.suppress(OSError, orjson.JSONDecodeError, KeyError, TypeError):
            live = orjson.loads(_progress_file(platform, job.id).read_bytes())
            done = max(done, int(live["done"]))
    return JobView(
        id=job.id,
        kind=job.kind,
        project_id=job.project_id,
        status=job.status,
        done=done,
        total=job.total,
        error=job.error,
        result=job.result,
        created_at=job.created_at,
        finished_at=job.finished_at,
    )


def _visible_job(session: Session, actor: Actor, job_id: int) -> Job:
    """A job its creator, the project's managers and admins may see; 404 for anyone else."""
    job = job_repo.get_job(session, job_id)
    if job is None:
        raise NotFound(f"Job {job_id} does not exist.")
    if actor.is_admin or (actor.id is not None and job.created_by == actor.id):
        return job
    if job.project_id is not None:
        try:
            policies.load_project(
                session, actor, job.project_id, allowed=policies.can_manage_project
            )
            return job
        except (NotFound, Forbidden):
            pass
    raise NotFound(f"Job {job_id} does not exist.")


def get_job(platform: Platform, session: Session, actor: Actor, job_id: int) -> JobView:
    return _view(platform, _visible_job(session, actor, job_id))


def list_jobs(
    platform: Platform,
    session: Session,
    actor: Actor,
    project_id: int,
    *,
    status: str | None,
    after: int,
    limit: int,
) -> Sequence[JobView]:
    """A project's jobs, newest first (managers)."""
    policies.load_project(session, actor, project_id, allowed=policies.can_manage_project)
    rows = job_repo.list_jobs(session, project_id, status=status, after=after, limit=limit)
    return [_view(platform, job) for job in rows]


def cancel_job(platform: Platform, session: Session, actor: Actor, job_id: int) -> JobView:
    """Ask a running job to stop; work that is one transaction (imports) cannot be stopped
    this way (close the upload instead: nothing is stored)."""
    job = _visible_job(session, actor, job_id)
    if job.kind not in CANCELLABLE:
        raise Conflict(f"A {job.kind} job cannot be cancelled; it stores all or nothing.")
    if job.status != "running":
        raise Conflict(f"Job {job_id} is already {job.status}.")
    job_repo.request_job_cancel(session, job_id)
    session.commit()
    session.refresh(job)
    return _view(platform, job)


class JobTracker:
    """Creates a job before work starts, reports its progress while it runs, and records
    how it ended (see the module docstring)."""

    def __init__(self, platform: Platform, job_id: int) -> None:
        self.platform = platform
        self.id = job_id
        self._reported_at = 0.0

    @classmethod
    def start(cls, platform: Platform, actor: Actor, *, kind: str, project_id: int) -> JobTracker:
        """Record a running job of a project the actor manages (`NotFound`/`Forbidden`
        otherwise)."""
        with platform.db.session() as session:
            policies.load_project(session, actor, project_id, allowed=policies.can_manage_project)
            job = job_repo.create_job(
                session, kind=kind, project_id=project_id, created_by=actor.id, total=None
            )
            session.commit()
            return cls(platform, job.id)

    def progress(self, done: int) -> None:
        """Report `done` items; throttled, so it can be called for every batch."""
        now = time.monotonic()
        if now - self._reported_at < REPORT_EVERY_SECONDS:
            return
        self._reported_at = now
        if self.platform.db.is_sqlite:
            path = _progress_file(self.platform, self.id)
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(".tmp")
            partial.write_bytes(orjson.dumps({"done": done}))
            os.replace(partial, path)
            return
        engine = self.platform.db.engine
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(update(Job).where(Job.id == self.id).values(done=done))

    def finish(
        self, *, done: int, result: dict[str, Any] | None = None, error: str | None = None
    ) -> None:
        with self.platform.db.session() as session:
            session.execute(update(Job).where(Job.id == self.id).values(done=done))
            job_repo.finish_job(
                session,
                self.id,
                status="failed" if error is not None else "done",
                at=datetime.now(UTC),
                result=result,
                error=error,
            )
            session.commit()
        _progress_file(self.platform, self.id).unlink(missing_ok=True)
