"""Jobs: long-running work and its progress `done/total`."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter

from labelwright.api.deps import (
    CurrentActor,
    PlatformDep,
    SessionDep,
    cursor_after,
    next_cursor,
)
from labelwright.api.problems import problem_responses
from labelwright.api.routes import API_PREFIX
from labelwright.schemas.common import Page
from labelwright.schemas.jobs import JobOut
from labelwright.services import jobs

router = APIRouter(prefix=API_PREFIX, tags=["jobs"])


@router.get("/jobs/{job_id}", response_model=JobOut, responses=problem_responses(401, 404))
def get_job(job_id: int, actor: CurrentActor, platform: PlatformDep, session: SessionDep) -> JobOut:
    """A job's status and progress (`done` of `total`, when known) and, when over, its result
    or error. Visible to whoever started it, the project's managers and admins."""
    return JobOut.model_validate(jobs.get_job(platform, session, actor, job_id))


@router.get(
    "/projects/{project_id}/jobs",
    response_model=Page[JobOut],
    responses=problem_responses(401, 403, 404),
)
def list_jobs(
    project_id: int,
    actor: CurrentActor,
    platform: PlatformDep,
    session: SessionDep,
    status: Literal["running", "cancelling", "done", "failed", "cancelled"] | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Page[JobOut]:
    """The project's jobs, newest first (managers); `status=running` for work in progress."""
    limit = max(1, min(limit, 500))
    rows = jobs.list_jobs(
        platform, session, actor, project_id, status=status, after=cursor_after(cursor), limit=limit
    )
    return Page[JobOut](
        items=[JobOut.model_validate(j) for j in rows],
        next_cursor=next_cursor([j.id for j in rows], limit),
    )


@router.post(
    "/jobs/{job_id}/cancel", response_model=JobOut, responses=problem_responses(401, 404, 409)
)
def cancel_job(
    job_id: int, actor: CurrentActor, platform: PlatformDep, session: SessionDep
) -> JobOut:
    """Ask a running job to stop after the item it is working on (not imports: they store
    all or nothing; close the upload instead)."""
    return JobOut.model_validate(jobs.cancel_job(platform, session, actor, job_id))
