"""The quality dashboard on the wire: agreement, annotators, agreement matrix, label issues."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field


class ControlQualityOut(BaseModel):
    """Agreement on one control: the headline measure for its type, and more."""

    control: str
    type: str
    metric: str = Field(description="Name of the headline measure, e.g. alpha_nominal.")
    value: float | None = Field(description="The headline measure; null if nothing to compare.")
    mean_pairwise: float | None = Field(description="Mean pairwise similarity in [0, 1].")
    items: int = Field(description="Tasks with at least two annotations of this control.")
    annotations: int
    low_agreement_items: int = Field(description="Tasks whose agreement is below the threshold.")
    details: dict[str, float] = Field(default_factory=dict)


PENDING = Field(
    default=0,
    description="Changes (tasks and annotations) not counted yet: the read answered from the "
    "aggregates as they were; the server counts the rest in the background (at most 100,000 "
    "are counted for this figure).",
)


class QualitySummaryOut(BaseModel):
    """A project's quality at a glance."""

    project_id: int
    computed_at: datetime
    annotations: int
    annotated_tasks: int
    overlapping_tasks: int = Field(description="Tasks with at least two annotations.")
    annotators: int
    gold_tasks: int
    low_agreement_threshold: float
    controls: list[ControlQualityOut]
    pending: int = PENDING


class ReviewCounts(BaseModel):
    """Verdicts on someone's annotations; rejections and fixes by error severity."""

    reviewed: int = 0
    accepted: int = 0
    rejected: int = 0
    fixed: int = 0
    reject_rate: float | None = None
    by_severity: dict[str, int] = Field(default_factory=dict)


class WeekOut(BaseModel):
    """One ISO week (`2026-W48`) of an annotator's work."""

    week: str
    annotations: int
    gold_answers: int
    gold_accuracy: float | None


class DriftOut(BaseModel):
    """Whether recent gold accuracy fell significantly below the annotator's own past."""

    drifted: bool
    past_accuracy: float | None
    recent_accuracy: float | None
    p_value: float
    method: str


class AnnotatorQualityOut(BaseModel):
    """One annotator's numbers."""

    user_id: int | None
    email: str | None
    annotations: int
    tasks: int
    gold_answers: int
    gold_accuracy: float | None = Field(description="Mean gold score over all controls.")
    gold_accuracy_by_control: dict[str, float] = Field(default_factory=dict)
    consensus_agreement: float | None = Field(
        description="Share of categorical answers equal to the Dawid-Skene consensus."
    )
    peer_agreement: float | None = Field(
        description="Mean similarity to co-annotators on shared tasks, over all controls."
    )
    reviews: ReviewCounts
    lead_time_ms_median: float | None
    annotations_per_active_week: float | None
    weekly: list[WeekOut]
    drift: DriftOut


class ReviewerQualityOut(BaseModel):
    """How often a reviewer's verdicts were overturned by a later expert or manager review."""

    user_id: int | None
    email: str | None
    reviews: int
    adjudicated: int
    overturned: int
    overturn_rate: float | None


class AnnotatorsOut(BaseModel):
    project_id: int
    computed_at: datetime
    annotators: list[AnnotatorQualityOut]
    reviewers: list[ReviewerQualityOut]
    pending: int = PENDING


class AnnotatorRef(BaseModel):
    user_id: int | None
    email: str | None


class AgreementMatrixOut(BaseModel):
    """Mean agreement of each pair of annotators on one control (null: no shared task)."""

    project_id: int
    control: str
    type: str
    computed_at: datetime
    annotators: list[AnnotatorRef]
    matrix: list[list[float | None]]
    counts: list[list[int]]
    pending: int = PENDING


class IssueKind(StrEnum):
    CONFIDENT_LEARNING = "confident-learning"
    LOW_AGREEMENT = "low-agreement"
    CONSENSUS_DIFFERS = "consensus-differs-from-final"


class LabelIssueOut(BaseModel):
    """One likely label error; `score` is lower for more likely errors."""

    task_id: int
    control: str
    kind: IssueKind
    score: float
    given: Any = None
    suggested: Any = None


class LabelIssuesOut(BaseModel):
    project_id: int
    computed_at: datetime
    total: int
    by_kind: dict[str, int]
    items: list[LabelIssueOut]
    pending: int = PENDING


class SendToReviewIn(BaseModel):
    """Tasks to send back to review; omit `task_ids` to send every flagged task."""

    task_ids: list[int] | None = Field(default=None, max_length=100_000)


class SendToReviewOut(BaseModel):
    updated: int
    task_ids: list[int]


class ConsensusOut(BaseModel):
    """A suggested result for a task (origin `consensus`); never final by itself."""

    task_id: int
    origin: str = "consensus"
    aggregator: str
    annotations: int
    results: dict[str, Any]
    methods: dict[str, str]
    agreement: float = Field(description="Mean pairwise agreement of the task's annotations.")
    agreement_by_control: dict[str, float | None]
