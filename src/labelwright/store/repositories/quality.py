"""Read statements for the quality engine (plus marking flagged tasks for review)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from labelwright.store.models import (
    Annotation,
    AuditEvent,
    Gold,
    Membership,
    Prediction,
    Review,
    Task,
    User,
)

LIVE = "submitted"
CONSENSUS_ORIGIN = "consensus"
# The task's final annotation, once the workflow records one (absent in older schemas).
_FINAL_COLUMN = getattr(Task, "final_annotation_id", None)


class AnnotationRow(NamedTuple):
    id: int
    task_id: int
    author_id: int | None
    results: dict[str, Any]
    created_at: datetime
    lead_time_ms: int | None


class ReviewRow(NamedTuple):
    id: int
    annotation_id: int
    reviewer_id: int | None
    verdict: str
    severity: str | None
    created_at: datetime
    author_id: int | None


def change_marker(session: Session, project_id: int) -> int:
    """The newest audit sequence number of the project: it grows with every change to its
    annotations, gold, reviews, predictions or tasks (each writes one audit event)."""
    value = session.scalar(
        select(func.max(AuditEvent.seq)).where(AuditEvent.project_id == project_id)
    )
    return int(value or 0)


def iter_annotations(
    session: Session, project_id: int, *, times: bool = True, batch: int = 20_000
) -> Iterator[AnnotationRow]:
    """Live human annotations of the project (not superseded, deleted or consensus), by id.

    Without `times`, `created_at` and `lead_time_ms` are not read (None), which is faster.
    """
    columns = [Annotation.id, Annotation.task_id, Annotation.author_id, Annotation.results]
    if times:
        columns += [Annotation.created_at, Annotation.lead_time_ms]
    after = 0
    connection = session.connection()  # Core rows: no ORM bookkeeping per row
    while True:
        rows = connection.execute(
            select(*columns)
            .where(
                Annotation.project_id == project_id,
                Annotation.id > after,
                Annotation.status == LIVE,
                Annotation.deleted_at.is_(None),
                Annotation.origin != CONSENSUS_ORIGIN,
            )
            .order_by(Annotation.id)
            .limit(batch)
        ).all()
        if not rows:
            return
        for row in rows:
            yield AnnotationRow(*row) if times else AnnotationRow(*row, None, None)  # type: ignore[arg-type]
        after = rows[-1][0]


def task_annotations(session: Session, task_id: int) -> Sequence[AnnotationRow]:
    """Live human annotations of one task."""
    rows = session.execute(
        select(
            Annotation.id,
            Annotation.task_id,
            Annotation.author_id,
            Annotation.results,
            Annotation.created_at,
            Annotation.lead_time_ms,
        )
        .where(
            Annotation.task_id == task_id,
            Annotation.status == LIVE,
            Annotation.deleted_at.is_(None),
            Annotation.origin != CONSENSUS_ORIGIN,
        )
        .order_by(Annotation.id)
    ).all()
    return [AnnotationRow(*row) for row in rows]


def gold_results(session: Session, project_id: int) -> dict[int, dict[str, Any]]:
    """Expected results of the project's gold tasks, by task id."""
    rows = session.execute(
        select(Gold.task_id, Gold.results)
        .join(Task, Task.id == Gold.task_id)
        .where(Task.project_id == project_id)
    ).all()
    return {int(task_id): results for task_id, results in rows}


def reviews(session: Session, project_id: int) -> Sequence[ReviewRow]:
    """Every review of the project's annotations, oldest first, with the annotation's author."""
    rows = session.execute(
        select(
            Review.id,
            Review.annotation_id,
            Review.reviewer_id,
            Review.verdict,
            Review.severity,
            Review.created_at,
            Annotation.author_id,
        )
        .join(Annotation, Annotation.id == Review.annotation_id)
        .where(Annotation.project_id == project_id)
        .order_by(Review.created_at, Review.id)
    ).all()
    return [ReviewRow(*row) for row in rows]


def roles(session: Session, project_id: int) -> dict[int, str]:
    """Each member's role in the project."""
    rows = session.execute(
        select(Membership.user_id, Membership.role).where(Membership.project_id == project_id)
    ).all()
    return {int(user_id): str(role) for user_id, role in rows}


def admins(session: Session, user_ids: Iterable[int]) -> set[int]:
    """Which of these users are instance admins."""
    ids = list(user_ids)
    if not ids:
        return set()
    rows = session.scalars(select(User.id).where(User.id.in_(ids), User.is_admin.is_(True)))
    return {int(user_id) for user_id in rows}


def emails(session: Session, user_ids: Iterable[int]) -> dict[int, str]:
    """E-mail of each user id."""
    ids = list(user_ids)
    if not ids:
        return {}
    rows = session.execute(select(User.id, User.email).where(User.id.in_(ids))).all()
    return {int(user_id): str(email) for user_id, email in rows}


def task_data(session: Session, task_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """Task data by id (for span texts)."""
    ids = sorted(set(task_ids))
    data: dict[int, dict[str, Any]] = {}
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        rows = session.execute(select(Task.id, Task.data).where(Task.id.in_(chunk))).all()
        data.update({int(task_id): body for task_id, body in rows})
    return data


def latest_prediction_scores(session: Session, project_id: int) -> dict[int, dict[str, Any]]:
    """The `scores` of each task's newest prediction that has scores, by task id."""
    latest: dict[int, dict[str, Any]] = {}
    after = 0
    while True:
        rows = session.execute(
            select(Prediction.id, Prediction.task_id, Prediction.scores)
            .where(
                Prediction.project_id == project_id,
                Prediction.id > after,
                Prediction.scores.is_not(None),
            )
            .order_by(Prediction.id)
            .limit(20_000)
        ).all()
        if not rows:
            return latest
        for _, task_id, scores in rows:
            if isinstance(scores, dict):
                latest[int(task_id)] = scores
        after = rows[-1][0]


def final_results(session: Session, project_id: int) -> dict[int, dict[str, Any]]:
    """Results of each task's final annotation, where the workflow has chosen one."""
    if _FINAL_COLUMN is None:
        return {}
    rows = session.execute(
        select(Task.id, Annotation.results)
        .join(Annotation, Annotation.id == _FINAL_COLUMN)
        .where(Task.project_id == project_id)
    ).all()
    return {int(task_id): results for task_id, results in rows}


def project_task_ids(session: Session, project_id: int, task_ids: Iterable[int]) -> list[int]:
    """The given ids that are tasks of the project."""
    ids = sorted(set(task_ids))
    found: list[int] = []
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        found.extend(
            int(i)
            for i in session.scalars(
                select(Task.id).where(Task.project_id == project_id, Task.id.in_(chunk))
            )
        )
    return found


def mark_for_review(session: Session, task_ids: Sequence[int]) -> None:
    """Put tasks in the `review` state."""
    for start in range(0, len(task_ids), 5000):
        chunk = list(task_ids[start : start + 5000])
        session.execute(update(Task).where(Task.id.in_(chunk)).values(state="review"))
