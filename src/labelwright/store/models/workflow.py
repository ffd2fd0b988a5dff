"""Reviews, assignments (claims with a lease) and gold (honeypot) expectations."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from labelwright.store.models.base import Base, BigId, JSONType, UtcDateTime, utcnow


class Review(Base):
    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    annotation_id: Mapped[int] = mapped_column(ForeignKey("annotations.id", ondelete="CASCADE"))
    reviewer_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    verdict: Mapped[str] = mapped_column(String(16))
    comment: Mapped[str] = mapped_column(Text, default="")
    severity: Mapped[str | None] = mapped_column(String(16), nullable=True)
    category: Mapped[str | None] = mapped_column(String(100), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    __table_args__ = (Index("ix_reviews_annotation_id", "annotation_id"),)


class Assignment(Base):
    __tablename__ = "assignments"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    stage: Mapped[str] = mapped_column(String(16), default="label")
    status: Mapped[str] = mapped_column(String(16), default="active")
    leased_until: Mapped[datetime] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    annotation_id: Mapped[int | None] = mapped_column(BigId, nullable=True)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    draft: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)

    __table_args__ = (
        Index("ix_assignments_task_id_user_id", "task_id", "user_id"),
        # One live claim or outcome per user and task: a user is never served a task twice.
        Index(
            "uq_assignments_task_id_user_id_live",
            "task_id",
            "user_id",
            unique=True,
            sqlite_where=text("status IN ('active', 'submitted', 'skipped', 'escalated')"),
            postgresql_where=text("status IN ('active', 'submitted', 'skipped', 'escalated')"),
        ),
        Index("ix_assignments_user_id_project_id", "user_id", "project_id"),
        Index(
            "ix_assignments_project_id_status_leased_until", "project_id", "status", "leased_until"
        ),
    )


class Gold(Base):
    __tablename__ = "gold"

    task_id: Mapped[int] = mapped_column(
        ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True
    )
    results: Mapped[dict[str, Any]] = mapped_column(JSONType)
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class GoldScore(Base):
    """How one gold (honeypot) answer scored against the expected result; never shown to them."""

    __tablename__ = "gold_scores"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    annotation_id: Mapped[int] = mapped_column(BigId)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    score: Mapped[float] = mapped_column(Float)
    per_control: Mapped[dict[str, Any]] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    __table_args__ = (
        Index(
            "ix_gold_scores_project_id_user_id_created_at", "project_id", "user_id", "created_at"
        ),
    )


class TaskComment(Base):
    """A comment in a task's thread (visible to the people working on the task)."""

    __tablename__ = "task_comments"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("task_comments.id", ondelete="SET NULL"), nullable=True
    )
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    __table_args__ = (Index("ix_task_comments_task_id_id", "task_id", "id"),)


class GuidelineAck(Base):
    """The newest guidelines version a user acknowledged in a project."""

    __tablename__ = "guideline_acks"

    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
