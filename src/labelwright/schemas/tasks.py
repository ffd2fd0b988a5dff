"""Tasks, predictions, annotations, imports and media on the wire."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class TaskOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    project_id: int
    data: dict[str, Any]
    meta: dict[str, Any]
    priority: int
    state: str
    annotation_count: int
    stage_reason: str | None = None
    final_annotation_id: int | None = None
    final_path: str | None = None
    created_at: datetime


class RejectedRow(BaseModel):
    line: int
    error: str


class ImportOut(BaseModel):
    created: int
    rejected: list[RejectedRow]
    rejected_count: int
    first_id: int | None = None
    last_id: int | None = None
    job_id: int | None = Field(
        default=None, description="The import's job (`GET /api/v1/jobs/{id}`), when tracked."
    )


class PredictionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    task_id: int
    origin: str
    results: dict[str, Any]
    score: float | None
    scores: dict[str, Any] | None
    created_at: datetime


class AnnotationIn(BaseModel):
    results: dict[str, Any]
    lead_time_ms: int | None = Field(default=None, ge=0)
    parent_id: int | None = None
    prediction_id: int | None = None


class AnnotationOut(BaseModel):
    """An annotation with its lineage fields."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    task_id: int
    project_id: int
    author_id: int | None
    origin: str
    parent_id: int | None
    schema_version: int
    guideline_version: int
    lead_time_ms: int | None
    stage: str
    status: str
    results: dict[str, Any]
    created_at: datetime
    deleted_at: datetime | None


class MediaOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    sha256: str
    size: int
    mime: str
    width: int | None = None
    height: int | None = None
    ref: str = ""


class MediaUrlOut(BaseModel):
    url: str
    preview_url: str | None = None
    width: int | None = None
    height: int | None = None


class AuditEventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    seq: int
    at: datetime
    actor: str
    action: str
    entity: str
    entity_id: str
    project_id: int | None
    payload: dict[str, Any]
    payload_sha256: str
    prev_hash: str
    hash: str
