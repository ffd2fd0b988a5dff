"""The queue: next task per stage, and what a worker does with a claim."""

from __future__ import annotations

import asyncio
from typing import Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from labelwright.api.deps import (
    CurrentActor,
    PlatformDep,
    SessionDep,
    authenticated,
    presented_token,
)
from labelwright.api.problems import problem_responses
from labelwright.api.routes import API_PREFIX
from labelwright.schemas.tasks import AnnotationOut, PredictionOut, TaskOut
from labelwright.schemas.workflow import (
    AssignmentOut,
    CommentOut,
    EscalateIn,
    NextOut,
    ReviewOut,
    SubmitIn,
    SubmitOut,
)
from labelwright.services import queue, stages
from labelwright.services.context import Platform
from labelwright.services.queue_batches import FALLBACK, QueueWriter

router = APIRouter(prefix=API_PREFIX, tags=["queue"])


# The two hot endpoints hand a label claim or submission to the process's queue writer, which
# serves all waiting requests in one transaction (`services.queue_batches`). Whatever it hands
# back runs the whole request (session, token check, use case, JSON) in one worker-thread call.


@router.post(
    "/projects/{project_id}/next",
    response_model=NextOut,
    responses={204: {"description": "Nothing left for you"}, **problem_responses(401, 403, 404)},
)
async def next_task(
    project_id: int,
    request: Request,
    platform: PlatformDep,
    stage: Literal["label", "review", "adjudicate"] = "label",
    prefetch: bool = False,
) -> Response:
    """Claim your next task for a stage (204 when nothing is left for you).

    You get back the claim you hold, if any; `prefetch=true` claims a second task to load
    while you work on the first.
    """
    token = presented_token(request)
    if stage == "label" and token:
        served = await asyncio.wrap_future(_writer(request).claim(token, project_id))
        if served is not FALLBACK:
            return _next_response(served)
    return await run_in_threadpool(_next_task, platform, request, project_id, stage, prefetch)


def _writer(request: Request) -> QueueWriter:
    writer: QueueWriter = request.app.state.queue_writer
    return writer


def _next_task(
    platform: Platform, request: Request, project_id: int, stage: str, prefetch: bool
) -> Response:
    with platform.db.session() as session:
        actor = authenticated(request, session)
        served = queue.claim_next_task(
            platform, session, actor, project_id, stage=stage, prefetch=prefetch
        )
    return _next_response(served)


def _next_response(served: queue.Served | None) -> Response:
    if served is None:
        return Response(status_code=204)
    return _json(
        NextOut(
            assignment=AssignmentOut.model_validate(served.assignment),
            task=TaskOut.model_validate(served.task),
            schema_version=served.schema_version,
            guideline_version=served.guideline_version,
            guidelines_changed=served.guidelines_changed,
            guideline_changes=served.guideline_changes,
            predictions=[PredictionOut.model_validate(p) for p in served.predictions],
            under_review=[AnnotationOut.model_validate(a) for a in served.under_review],
            escalations=[AssignmentOut.model_validate(a) for a in served.escalations],
            reviews=[ReviewOut.model_validate(r) for r in served.reviews],
            comments=[CommentOut.model_validate(c) for c in served.comments],
        )
    )


@router.post(
    "/assignments/{assignment_id}/submit",
    response_model=SubmitOut,
    responses=problem_responses(401, 404, 409, 422),
)
async def submit(
    assignment_id: int, body: SubmitIn, request: Request, platform: PlatformDep
) -> Response:
    """Complete a claim exactly once: a label, a review verdict, or an adjudication."""
    submission = stages.Submission(**body.model_dump())
    token = presented_token(request)
    if token:
        outcome = await asyncio.wrap_future(
            _writer(request).submit(token, assignment_id, submission)
        )
        if outcome is not FALLBACK:
            return _submit_response(outcome)
    return await run_in_threadpool(_submit, platform, request, assignment_id, submission)


def _submit(
    platform: Platform, request: Request, assignment_id: int, submission: stages.Submission
) -> Response:
    with platform.db.session() as session:
        actor = authenticated(request, session)
        outcome = stages.submit_assignment(platform, session, actor, assignment_id, submission)
        return _submit_response(outcome)


def _submit_response(outcome: stages.Outcome) -> Response:
    annotation = AnnotationOut.model_validate(outcome.annotation) if outcome.annotation else None
    return _json(SubmitOut(annotation=annotation, task_state=outcome.task_state))


def _json(model: BaseModel) -> Response:
    return Response(model.model_dump_json(), media_type="application/json")


@router.post(
    "/assignments/{assignment_id}/skip", status_code=204, responses=problem_responses(401, 404, 409)
)
def skip(
    assignment_id: int, actor: CurrentActor, platform: PlatformDep, session: SessionDep
) -> Response:
    """Give the task back; it is never served to you again."""
    queue.skip_assignment(platform, session, actor, assignment_id)
    return Response(status_code=204)


@router.post(
    "/assignments/{assignment_id}/release",
    status_code=204,
    responses=problem_responses(401, 404, 409),
)
def release(
    assignment_id: int, actor: CurrentActor, platform: PlatformDep, session: SessionDep
) -> Response:
    """Give the task back to the pool (it may come back to you)."""
    queue.release_assignment(platform, session, actor, assignment_id)
    return Response(status_code=204)


@router.post(
    "/assignments/{assignment_id}/escalate",
    status_code=204,
    responses=problem_responses(401, 404, 409, 422),
)
def escalate(
    assignment_id: int,
    body: EscalateIn,
    actor: CurrentActor,
    platform: PlatformDep,
    session: SessionDep,
) -> Response:
    """Send the task to the expert queue with your reason and draft."""
    queue.escalate_assignment(
        platform, session, actor, assignment_id, reason=body.reason, draft=body.draft
    )
    return Response(status_code=204)
