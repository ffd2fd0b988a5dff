"""Queue, review, adjudication, gold, comments and progress on the wire."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from labelwright.schemas.tasks import AnnotationOut, PredictionOut, TaskOut


class AssignmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    task_id: int
    stage: str
    status: str
    leased_until: datetime
    reason: str | None = None
    draft: dict[str, Any] | None = None


class ReviewOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    annotation_id: int
    reviewer_id: int | None
    verdict: str
    comment: str
    severity: str | None
    category: str | None
    created_at: datetime


class CommentIn(BaseModel):
    body: str = Field(max_length=20_000)
    parent_id: int | None = None


class CommentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    task_id: int
    author_id: int | None
    parent_id: int | None
    body: str
    created_at: datetime


class NextOut(BaseModel):
    """A claimed task with everything needed to work on it."""

    assignment: AssignmentOut
    task: TaskOut
    schema_version: int
    guideline_version: int
    guidelines_changed: bool
    guideline_changes: list[str]
    predictions: list[PredictionOut]
    under_review: list[AnnotationOut]
    escalations: list[AssignmentOut]
    reviews: list[ReviewOut]
    comments: list[CommentOut]


class SubmitIn(BaseModel):
    """Label: `results`. Review: `verdict` accept|reject|fix (+ `results` for fix), `comment`,
    `severity` minor|major|critical, `category`. Adjudication: `choose_annotation_id` or
    `results`."""

    results: dict[str, Any] | None = None
    lead_time_ms: int | None = Field(default=None, ge=0)
    prediction_id: int | None = None
    verdict: str | None = None
    comment: str = ""
    severity: str | None = None
    category: str | None = None
    choose_annotation_id: int | None = None


class SubmitOut(BaseModel):
    annotation: AnnotationOut | None
    task_state: str


class EscalateIn(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)
    draft: dict[str, Any] | None = None


class GoldItemIn(BaseModel):
    task_id: int
    results: dict[str, Any] | None = None
    promote: bool = False


class GoldIn(BaseModel):
    items: list[GoldItemIn] = Field(min_length=1)


class GoldOut(BaseModel):
    marked: int


class WeeklyGold(BaseModel):
    week: str
    answered: int
    accuracy: float


class AnnotatorGoldOut(BaseModel):
    user_id: int | None
    email: str | None
    answered: int
    accuracy: float
    weekly: list[WeeklyGold]


class AnnotatorCount(BaseModel):
    user_id: int | None
    email: str | None
    annotations: int


class HourCount(BaseModel):
    hour: str
    annotations: int


class ProgressOut(BaseModel):
    tasks_by_state: dict[str, int]
    queue_depth: dict[str, int]
    annotators: list[AnnotatorCount]
    throughput_per_hour: list[HourCount]
    median_lead_time_ms: float | None
