"""The quality dashboard: agreement, annotators, agreement matrix, label issues, consensus."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from labelwright.api.deps import CurrentActor, PlatformDep, SessionDep
from labelwright.api.problems import problem_responses
from labelwright.api.routes import API_PREFIX
from labelwright.schemas.quality import (
    AgreementMatrixOut,
    AnnotatorsOut,
    ConsensusOut,
    IssueKind,
    LabelIssuesOut,
    QualitySummaryOut,
    SendToReviewIn,
    SendToReviewOut,
)
from labelwright.services import quality
from labelwright.services.context import Platform
from labelwright.services.quality import ConsensusMethod

router = APIRouter(prefix=API_PREFIX, tags=["quality"])


def _budget(platform: Platform) -> float:
    """How long a read counts uncounted changes before answering (the rest is `pending`)."""
    return platform.settings.quality_read_budget_ms / 1000


@router.get(
    "/projects/{project_id}/quality",
    response_model=QualitySummaryOut,
    responses=problem_responses(401, 403, 404),
)
def get_quality(
    project_id: int, actor: CurrentActor, session: SessionDep, platform: PlatformDep
) -> QualitySummaryOut:
    """Agreement per control (Krippendorff's alpha, matched-F1, ... by control type)."""
    return quality.quality_summary(session, actor, project_id, budget=_budget(platform))


@router.get(
    "/projects/{project_id}/quality/annotators",
    response_model=AnnotatorsOut,
    responses=problem_responses(401, 403, 404),
)
def get_annotators(
    project_id: int, actor: CurrentActor, session: SessionDep, platform: PlatformDep
) -> AnnotatorsOut:
    """Per annotator: gold accuracy, agreement, reviews, throughput, weekly trend, drift."""
    return quality.annotator_quality(session, actor, project_id, budget=_budget(platform))


@router.get(
    "/projects/{project_id}/quality/agreement-matrix",
    response_model=AgreementMatrixOut,
    responses=problem_responses(401, 403, 404, 422),
)
def get_agreement_matrix(
    project_id: int,
    actor: CurrentActor,
    session: SessionDep,
    platform: PlatformDep,
    control: str | None = None,
) -> AgreementMatrixOut:
    """Annotator x annotator agreement on one control (default: the schema's first)."""
    return quality.agreement_matrix_for(
        session, actor, project_id, control=control, budget=_budget(platform)
    )


@router.get(
    "/projects/{project_id}/quality/label-issues",
    response_model=LabelIssuesOut,
    responses=problem_responses(401, 403, 404, 422),
)
def get_label_issues(
    project_id: int,
    actor: CurrentActor,
    session: SessionDep,
    platform: PlatformDep,
    kind: IssueKind | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> LabelIssuesOut:
    """Likely label errors, most likely first (confident learning, disagreement)."""
    return quality.label_issues(
        session, actor, project_id, kind=kind, limit=limit, budget=_budget(platform)
    )


@router.post(
    "/projects/{project_id}/quality/analysis",
    response_model=LabelIssuesOut,
    responses=problem_responses(401, 403, 404),
)
def run_quality_analysis(
    project_id: int, actor: CurrentActor, session: SessionDep
) -> LabelIssuesOut:
    """Redo the whole-project analysis now (Dawid-Skene consensus, confident learning) and
    return the label issues; small projects redo it on read, large ones when asked here."""
    return quality.analyze_quality(session, actor, project_id)


@router.post(
    "/projects/{project_id}/quality/label-issues/review",
    response_model=SendToReviewOut,
    responses=problem_responses(401, 403, 404, 422),
)
def send_issues_to_review(
    project_id: int, body: SendToReviewIn, actor: CurrentActor, session: SessionDep
) -> SendToReviewOut:
    """Send the given (default: every flagged) task back to review in one action."""
    return quality.send_to_review(session, actor, project_id, task_ids=body.task_ids)


@router.get(
    "/tasks/{task_id}/consensus",
    response_model=ConsensusOut,
    responses=problem_responses(401, 403, 404),
)
def get_consensus(
    task_id: int,
    actor: CurrentActor,
    session: SessionDep,
    method: ConsensusMethod = ConsensusMethod.MAJORITY,
) -> ConsensusOut:
    """A suggested result from the task's annotations (origin `consensus`, never final)."""
    return quality.task_consensus(session, actor, task_id, method=method)
