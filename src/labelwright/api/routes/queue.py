"""The queue: next task per stage, and what a worker does with a claim."""

from __future__ import annotations

import asyncio
from typing import Any, Literal, TypeVar

from fastapi import APIRouter, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, ValidationError
from starlette.concurrency import run_in_threadpool

from labelwright.api.deps import (
    CurrentActor,
    PlatformDep,
    SessionDep,
    authenticated,
    platform_of,
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


_M = TypeVar("_M", bound=BaseModel)


class NextQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")

    stage: Literal["label", "review", "adjudicate"] = "label"
    prefetch: bool = False


def _validated(model: type[_M], data: Any, where: str) -> _M:
    """`data` as `model`, or the 422 FastAPI gives for a declared parameter."""
    try:
        if isinstance(data, bytes):
            return model.model_validate_json(data)
        return model.model_validate(data)
    except ValidationError as exc:
        raise RequestValidationError(
            [{**e, "loc": (where, *e["loc"])} for e in exc.errors(include_url=False)]
        ) from None


def _query_parameters(model: type[BaseModel]) -> dict[str, Any]:
    schema = model.model_json_schema()
    return {
        "parameters": [
            {"name": name, "in": "query", "required": False, "schema": field}
            for name, field in schema["properties"].items()
        ]
    }


def _request_body(model: type[BaseModel]) -> dict[str, Any]:
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": model.model_json_schema()}},
        }
    }


# The two hot endpoints take the bare request and read their query and body themselves (the
# schema documents them through `openapi_extra`): FastAPI's solving of declared parameters and
# dependencies was a fifth of the serving thread's samples under load (py-spy), and that thread
# shares the interpreter's lock with the queue writer. Without it the serving thread spends
# about a tenth less CPU per request.


@router.post(
    "/projects/{project_id}/next",
    response_model=NextOut,
    responses={204: {"description": "Nothing left for you"}, **problem_responses(401, 403, 404)},
    openapi_extra=_query_parameters(NextQuery),
)
async def next_task(project_id: int, request: Request) -> Response:
    """Claim your next task for a stage (204 when nothing is left for you).

    You get back the claim you hold, if any; `prefetch=true` claims a second task to load
    while you work on the first.
    """
    query = _validated(NextQuery, request.query_params, "query")
    token = presented_token(request)
    if query.stage == "label" and token:
        served = await asyncio.wrap_future(_writer(request).claim(token, project_id))
        if served is not FALLBACK:
            return _next_response(served)
    return await run_in_threadpool(
        _next_task, platform_of(request), request, project_id, query.stage, query.prefetch
    )


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
    openapi_extra=_request_body(SubmitIn),
)
async def submit(assignment_id: int, request: Request) -> Response:
    """Complete a claim exactly once: a label, a review verdict, or an adjudication."""
    body = _validated(SubmitIn, await request.body(), "body")
    submission = stages.Submission(**body.model_dump())
    token = presented_token(request)
    if token:
        outcome = await asyncio.wrap_future(
            _writer(request).submit(token, assignment_id, submission)
        )
        if outcome is not FALLBACK:
            return _submit_response(outcome)
    return await run_in_threadpool(
        _submit, platform_of(request), request, assignment_id, submission
    )


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
