"""Tasks, predictions (suggestions) and annotations (results with lineage)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from labelwright.store.models.base import Base, BigId, JSONType, UtcDateTime, utcnow


class Task(Base):
    __tablename__ = "tasks"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    # Plain JSON (not JSONB) on PostgreSQL: stored and exported as the text that was imported,
    # which keeps bulk import and export cheap; filters use ->> all the same.
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    meta: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    priority: Mapped[int] = mapped_column(Integer, default=0)
    learning_score: Mapped[float] = mapped_column(Float, default=0.0)
    state: Mapped[str] = mapped_column(String(16), default="new")
    annotation_count: Mapped[int] = mapped_column(Integer, default=0)
    # Live claims (assignments whose lease has not run out) for the task's current stage.
    lease_count: Mapped[int] = mapped_column(Integer, default=0)
    # Annotators added beyond the project's overlap (adaptive overlap, rejected reviews).
    extra_overlap: Mapped[int] = mapped_column(Integer, default=0)
    stage_reason: Mapped[str | None] = mapped_column(String(200), nullable=True)
    final_annotation_id: Mapped[int | None] = mapped_column(BigId, nullable=True)
    final_path: Mapped[str | None] = mapped_column(String(64), nullable=True)
    duplicate_of: Mapped[int | None] = mapped_column(BigId, nullable=True)
    filtered_because: Mapped[str | None] = mapped_column(String(200), nullable=True)
    redaction_status: Mapped[str | None] = mapped_column(String(16), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    __table_args__ = (
        # The queue order: explicit priority, then the learning score, then import order.
        Index(
            "ix_tasks_queue",
            "project_id",
            "state",
            priority.desc(),
            learning_score.desc(),
            "id",
        ),
        Index("ix_tasks_project_id_id", "project_id", "id"),
        # Never reuse the id of a deleted task: audit events and lineage refer to it.
        {"sqlite_autoincrement": True},
    )


class Prediction(Base):
    __tablename__ = "predictions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    origin: Mapped[str] = mapped_column(String(200))
    results: Mapped[dict[str, Any]] = mapped_column(JSONType)
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    scores: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    __table_args__ = (
        Index("ix_predictions_task_id_id", "task_id", "id"),
        Index("ix_predictions_project_id_id", "project_id", "id"),
    )


class Annotation(Base):
    """A result by a person (or accepted suggestion); corrections are children, never edits."""

    __tablename__ = "annotations"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    origin: Mapped[str] = mapped_column(String(200), default="human")
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("annotations.id", ondelete="SET NULL"), nullable=True
    )
    schema_version: Mapped[int] = mapped_column(Integer)
    guideline_version: Mapped[int] = mapped_column(Integer)
    lead_time_ms: Mapped[int | None] = mapped_column(Integer, nullable=True)
    stage: Mapped[str] = mapped_column(String(16), default="label")
    status: Mapped[str] = mapped_column(String(16), default="submitted")
    results: Mapped[dict[str, Any]] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    deleted_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )

    __table_args__ = (
        Index("ix_annotations_task_id_id", "task_id", "id"),
        Index("ix_annotations_project_id_id", "project_id", "id"),
        Index("ix_annotations_author_id_project_id", "author_id", "project_id"),
        Index("ix_annotations_parent_id", "parent_id"),
        Index("ix_annotations_project_id_created_at", "project_id", "created_at"),
    )
