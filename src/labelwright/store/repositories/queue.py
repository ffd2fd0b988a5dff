"""The queue's statements: lease expiry and the next-task index range scans."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Select, and_, exists, func, select, update
from sqlalchemy.orm import Session

from labelwright.store.models import Annotation, Assignment, Review, Task, TaskComment

# Assignments that keep a user from being served the task again ("released" and "expired" ones
# let the task come back to them).
BLOCKING = ("active", "submitted", "skipped", "escalated")


def expire_leases(session: Session, project_id: int, now: datetime) -> int:
    """Mark run-out leases expired and hand their tasks back to the pool."""
    rows = session.execute(
        select(Assignment.id, Assignment.task_id).where(
            Assignment.project_id == project_id,
            Assignment.status == "active",
            Assignment.leased_until < now,
        )
    ).all()
    if not rows:
        return 0
    session.execute(
        update(Assignment)
        .where(Assignment.id.in_([r[0] for r in rows]), Assignment.status == "active")
        .values(status="expired")
    )
    for task_id, n in Counter(r[1] for r in rows).items():
        session.execute(
            update(Task).where(Task.id == task_id).values(lease_count=Task.lease_count - n)
        )
    return len(rows)


def active_assignments(
    session: Session, project_id: int, user_id: int, stage: str, now: datetime
) -> Sequence[Assignment]:
    """The user's live claims in a stage, oldest first."""
    return session.scalars(
        select(Assignment)
        .where(
            Assignment.user_id == user_id,
            Assignment.project_id == project_id,
            Assignment.stage == stage,
            Assignment.status == "active",
            Assignment.leased_until >= now,
        )
        .order_by(Assignment.id)
        .limit(2)
    ).all()


def _not_served_to(user_id: int) -> object:
    return ~exists().where(
        Assignment.task_id == Task.id,
        Assignment.user_id == user_id,
        Assignment.status.in_(BLOCKING),
    )


def _not_authored_by(user_id: int) -> object:
    return ~exists().where(
        Annotation.task_id == Task.id,
        Annotation.author_id == user_id,
        Annotation.deleted_at.is_(None),
    )


def _in_queue_order(statement: Select[tuple[int]], *, locking: bool) -> Select[tuple[int]]:
    statement = statement.order_by(Task.priority.desc(), Task.learning_score.desc(), Task.id).limit(
        1
    )
    if locking:
        statement = statement.with_for_update(skip_locked=True, of=Task)
    return statement


def next_label_task(
    session: Session, project_id: int, user_id: int, *, overlap: int, locking: bool
) -> int | None:
    """The first task (partly annotated first) that still needs an annotator and not this one."""
    for state in ("labeling", "new"):
        statement = select(Task.id).where(
            Task.project_id == project_id,
            Task.state == state,
            Task.annotation_count + Task.lease_count < overlap + Task.extra_overlap,
            _not_served_to(user_id),  # type: ignore[arg-type]
        )
        found = session.scalars(_in_queue_order(statement, locking=locking)).first()
        if found is not None:
            return found
    return None


def next_gold_task(session: Session, project_id: int, user_id: int) -> int | None:
    statement = select(Task.id).where(
        Task.project_id == project_id,
        Task.state == "gold",
        _not_served_to(user_id),  # type: ignore[arg-type]
    )
    return session.scalars(_in_queue_order(statement, locking=False)).first()


def next_single_task(
    session: Session, project_id: int, user_id: int, *, state: str, locking: bool
) -> int | None:
    """Review and adjudication: one holder at a time, never the task's own annotators."""
    statement = select(Task.id).where(
        Task.project_id == project_id,
        Task.state == state,
        Task.lease_count < 1,
        _not_served_to(user_id),  # type: ignore[arg-type]
        _not_authored_by(user_id),  # type: ignore[arg-type]
    )
    return session.scalars(_in_queue_order(statement, locking=locking)).first()


def submitted_count(session: Session, project_id: int, user_id: int) -> int:
    return (
        session.scalar(
            select(func.count()).where(
                and_(
                    Assignment.project_id == project_id,
                    Assignment.user_id == user_id,
                    Assignment.stage == "label",
                    Assignment.status == "submitted",
                )
            )
        )
        or 0
    )


def current_label_annotations(session: Session, task_id: int) -> Sequence[Annotation]:
    return session.scalars(
        select(Annotation)
        .where(
            Annotation.task_id == task_id,
            Annotation.status == "submitted",
            Annotation.deleted_at.is_(None),
        )
        .order_by(Annotation.id)
    ).all()


def task_comments(session: Session, task_id: int) -> Sequence[TaskComment]:
    return session.scalars(
        select(TaskComment).where(TaskComment.task_id == task_id).order_by(TaskComment.id)
    ).all()


def task_reviews(session: Session, task_id: int) -> Sequence[Review]:
    return session.scalars(
        select(Review)
        .join(Annotation, Annotation.id == Review.annotation_id)
        .where(Annotation.task_id == task_id)
        .order_by(Review.id)
    ).all()


def escalations(session: Session, task_id: int) -> Sequence[Assignment]:
    return session.scalars(
        select(Assignment)
        .where(Assignment.task_id == task_id, Assignment.status == "escalated")
        .order_by(Assignment.id)
    ).all()
