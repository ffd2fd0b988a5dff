"""Gold tasks, task comments, guideline acknowledgement, and progress."""

from __future__ import annotations

from fastapi import APIRouter

from labelwright.api.deps import CurrentActor, PlatformDep, SessionDep
from labelwright.api.problems import problem_responses
from labelwright.api.routes import API_PREFIX
from labelwright.schemas.projects import VersionOut
from labelwright.schemas.workflow import (
    AnnotatorCount,
    AnnotatorGoldOut,
    CommentIn,
    CommentOut,
    GoldIn,
    GoldOut,
    HourCount,
    ProgressOut,
    WeeklyGold,
)
from labelwright.services import comments, gold, progress, projects

router = APIRouter(prefix=API_PREFIX, tags=["workflow"])


@router.post(
    "/projects/{project_id}/gold",
    response_model=GoldOut,
    responses=problem_responses(401, 403, 404, 422),
)
def mark_gold(project_id: int, body: GoldIn, actor: CurrentActor, session: SessionDep) -> GoldOut:
    """Mark tasks as gold with their expected results (or `promote` a done task's final one)."""
    items = [
        gold.GoldItem(task_id=i.task_id, results=i.results, promote=i.promote) for i in body.items
    ]
    return GoldOut(marked=gold.mark_gold(session, actor, project_id, items))


@router.get(
    "/projects/{project_id}/gold/accuracy",
    response_model=list[AnnotatorGoldOut],
    responses=problem_responses(401, 403, 404),
)
def gold_accuracy(
    project_id: int, actor: CurrentActor, session: SessionDep
) -> list[AnnotatorGoldOut]:
    """Per-annotator gold accuracy and its weekly trend (managers)."""
    return [
        AnnotatorGoldOut(
            user_id=r.user_id,
            email=r.email,
            answered=r.answered,
            accuracy=r.accuracy,
            weekly=[WeeklyGold(week=w, answered=n, accuracy=a) for w, n, a in r.weekly],
        )
        for r in gold.gold_accuracy(session, actor, project_id)
    ]


@router.post(
    "/tasks/{task_id}/comments",
    response_model=CommentOut,
    status_code=201,
    responses=problem_responses(401, 404, 422),
)
def add_comment(
    task_id: int, body: CommentIn, actor: CurrentActor, session: SessionDep
) -> CommentOut:
    """Comment in a task's thread (people working on the task, reviewers, managers)."""
    return CommentOut.model_validate(
        comments.add_comment(session, actor, task_id, body.body, parent_id=body.parent_id)
    )


@router.get(
    "/tasks/{task_id}/comments",
    response_model=list[CommentOut],
    responses=problem_responses(401, 404),
)
def list_comments(task_id: int, actor: CurrentActor, session: SessionDep) -> list[CommentOut]:
    """A task's comment thread."""
    return [CommentOut.model_validate(c) for c in comments.list_comments(session, actor, task_id)]


@router.post(
    "/projects/{project_id}/guidelines/ack",
    response_model=VersionOut,
    responses=problem_responses(401, 404),
)
def acknowledge_guidelines(project_id: int, actor: CurrentActor, session: SessionDep) -> VersionOut:
    """Acknowledge the current guidelines (clears `guidelines_changed` on your next task)."""
    return VersionOut(version=projects.acknowledge_guidelines(session, actor, project_id))


@router.get(
    "/projects/{project_id}/progress",
    response_model=ProgressOut,
    responses=problem_responses(401, 403, 404),
)
def project_progress(
    project_id: int, actor: CurrentActor, platform: PlatformDep, session: SessionDep
) -> ProgressOut:
    """Tasks per state, queue depth per stage, per-annotator counts, throughput, lead time."""
    p = progress.project_progress(platform, session, actor, project_id)
    return ProgressOut(
        tasks_by_state=p.tasks_by_state,
        queue_depth=p.queue_depth,
        annotators=[
            AnnotatorCount(user_id=u, email=e, annotations=n)
            for u, e, n in p.annotations_by_annotator
        ],
        throughput_per_hour=[HourCount(hour=h, annotations=n) for h, n in p.throughput_per_hour],
        median_lead_time_ms=p.median_lead_time_ms,
    )
