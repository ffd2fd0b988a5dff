"""Quality aggregates, so the quality dashboard reads small tables instead of every annotation.

Writers only record which tasks changed (`quality_dirty_tasks`); a catch-up counts them later
(see `services/quality_aggregates.py`). The aggregate tables have no foreign key to `tasks`: a
catch-up must never wait on a task row that a writer holds (the writer may be waiting on the
catch-up's dirty rows); `forget_task` removes a deleted task's rows, projects cascade."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from labelwright.store.models.base import Base, BigId, UtcDateTime, utcnow


class QualityState(Base):
    """Per project: which schema version and annotations the aggregates cover, and when the
    whole-project analysis (Dawid-Skene consensus, confident learning) last ran."""

    __tablename__ = "quality_states"

    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    schema_version: Mapped[int] = mapped_column(Integer)
    # The newest annotation id the aggregates have seen: a larger id in `annotations` means a
    # bulk path (import, schema migration) wrote annotations that still need counting.
    max_annotation_id: Mapped[int] = mapped_column(BigId, default=0)
    rebuilt_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    analysis_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    # The audit sequence number the analysis saw (newer events make it stale).
    analysis_marker: Mapped[int | None] = mapped_column(BigId, nullable=True)


class QualityTaskState(Base):
    """What one task's contribution to the counters was computed from: its live annotation
    ids, the review ids on them, its gold result and the reviewers whose verdicts overturn."""

    __tablename__ = "quality_task_states"

    task_id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=False)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    __table_args__ = (Index("ix_quality_task_states_project_id", "project_id"),)


class QualityDirtyTask(Base):
    """A task whose annotations, reviews or gold changed since the aggregates last counted it.

    Written by the writing transaction itself (one upsert at commit); taken away and counted
    by a catch-up (a quality read or the server's background refresher)."""

    __tablename__ = "quality_dirty_tasks"

    project_id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=False)
    task_id: Mapped[int] = mapped_column(
        ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True
    )


class QualityCounter(Base):
    """One additive sum of a project: `area` is `p` (project), `c` (control), `a` (annotator),
    `r` (reviewer) or `m` (annotator pairs of a control); `key` is a JSON array."""

    __tablename__ = "quality_counters"

    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    area: Mapped[str] = mapped_column(String(1), primary_key=True)
    scope: Mapped[str] = mapped_column(String(200), primary_key=True)
    key: Mapped[str] = mapped_column(String(400), primary_key=True)
    total: Mapped[float] = mapped_column(Float, default=0.0)


class QualityTaskScore(Base):
    """Mean pairwise agreement of a task's annotations on one control (two or more values)."""

    __tablename__ = "quality_task_scores"

    task_id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=False)
    control: Mapped[str] = mapped_column(String(200), primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    score: Mapped[float] = mapped_column(Float)

    __table_args__ = (Index("ix_quality_task_scores_project_id_score", "project_id", "score"),)


class QualityIssue(Base):
    """A label issue found by the last whole-project analysis (confident learning, consensus
    differing from the final label)."""

    __tablename__ = "quality_issues"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    control: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40))
    rank: Mapped[int] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float)
    given: Mapped[Any] = mapped_column(JSON, nullable=True)
    suggested: Mapped[Any] = mapped_column(JSON, nullable=True)

    __table_args__ = (Index("ix_quality_issues_project_id_rank", "project_id", "rank"),)
