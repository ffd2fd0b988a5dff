"""The queue: next task per stage, and what a worker does with a claim."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel

from labelwright.api.deps import CurrentActor, PlatformDep, SessionDep
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

router = APIRouter(prefix=API_PREFIX, tags=["queue"])


# The two hot requests, a label claim and a label submission, reach the queue writer ahead of
# these routes (`api.queue_fast_path`), which serve whatever it hands back: the general path.


class NextQuery(BaseModel):
    """The query of `next` (also read by `api.queue_fast_path`)."""

    stage: Literal["label", "review", "adjudicate"] = "label"
    prefetch: bool = False


@router.post(
    "/projects/{project_id}/next",
    response_model=NextOut,
    responses={204: {"description": "Nothing left for you"}, **problem_responses(401, 403, 404)},
)
def next_task(
    project_id: int,
    query: Annotated[NextQuery, Query()],
    actor: CurrentActor,
    platform: PlatformDep,
    session: SessionDep,
) -> Response:
    """Claim your next task for a stage (204 when nothing is left for you).

    You get back the claim you hold, if any; `prefetch=true` claims a second task to load
    while you work on the first.
    """
    served = queue.claim_next_task(
        platform, session, actor, project_id, stage=query.stage, prefetch=query.prefetch
    )
    return next_response(served)


def next_response(served: queue.Served | None) -> Response:
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
def submit(
    assignment_id: int,
    body: SubmitIn,
    actor: CurrentActor,
    platform: PlatformDep,
    session: SessionDep,
) -> Response:
    """Complete a claim exactly once: a label, a review verdict, or an adjudication."""
    submission = stages.Submission(**body.model_dump())
    outcome = stages.submit_assignment(platform, session, actor, assignment_id, submission)
    return submit_response(outcome)


def submit_response(outcome: stages.Outcome) -> Response:
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
