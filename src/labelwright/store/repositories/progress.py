"""Aggregate statements for project progress."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from labelwright.store.models import Annotation, Task, User

LEAD_TIME_SAMPLE = 5000


def tasks_by_state(session: Session, project_id: int) -> dict[str, int]:
    rows = session.execute(
        select(Task.state, func.count()).where(Task.project_id == project_id).group_by(Task.state)
    ).all()
    return {state: n for state, n in rows}


def annotations_by_author(
    session: Session, project_id: int
) -> list[tuple[int | None, str | None, int]]:
    rows = session.execute(
        select(Annotation.author_id, User.email, func.count())
        .outerjoin(User, User.id == Annotation.author_id)
        .where(Annotation.project_id == project_id, Annotation.deleted_at.is_(None))
        .group_by(Annotation.author_id, User.email)
        .order_by(func.count().desc())
    ).all()
    return [(a, e, n) for a, e, n in rows]


def hourly_annotations(session: Session, project_id: int, since: datetime) -> list[tuple[str, int]]:
    """Annotations per hour since `since` (bucketed here: at most a day of rows)."""
    stamps = session.scalars(
        select(Annotation.created_at).where(
            Annotation.project_id == project_id, Annotation.created_at >= since
        )
    ).all()
    buckets = Counter(s.strftime("%Y-%m-%dT%H:00") for s in stamps)
    return sorted(buckets.items())


def median_lead_time(session: Session, project_id: int) -> float | None:
    """Median lead time of the newest annotations (a bounded sample)."""
    values = sorted(
        session.scalars(
            select(Annotation.lead_time_ms)
            .where(Annotation.project_id == project_id, Annotation.lead_time_ms.is_not(None))
            .order_by(Annotation.id.desc())
            .limit(LEAD_TIME_SAMPLE)
        ).all()
    )
    if not values:
        return None
    mid = len(values) // 2
    return float(values[mid]) if len(values) % 2 else (values[mid - 1] + values[mid]) / 2
