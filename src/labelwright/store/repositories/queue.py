"""The queue's statements: lease expiry, the next-task index range scans, and the claim.

The statements run on every `next` are built once, as Core statements with bound parameters,
so a claim spends its time in the database rather than in building SQL.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Select, and_, bindparam, exists, func, insert, select, update
from sqlalchemy.orm import Session

from labelwright.store.models import (
    Annotation,
    Assignment,
    GuidelineAck,
    Prediction,
    Review,
    Task,
    TaskComment,
)

_tasks = Task.__table__
_assignments = Assignment.__table__

# Assignments that keep a user from being served the task again ("released" and "expired" ones
# let the task come back to them).
BLOCKING = ("active", "submitted", "skipped", "escalated")


_EXPIRED = select(_assignments.c.id, _assignments.c.task_id).where(
    _assignments.c.project_id == bindparam("project_id"),
    _assignments.c.status == "active",
    _assignments.c.leased_until < bindparam("now"),
)


def expire_leases(session: Session, project_id: int, now: datetime) -> int:
    """Mark run-out leases expired and hand their tasks back to the pool."""
    rows = session.connection().execute(_EXPIRED, {"project_id": project_id, "now": now}).all()
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


_LIVE_CLAIM = (
    select(_assignments.c.id)
    .where(
        _assignments.c.user_id == bindparam("user_id"),
        _assignments.c.project_id == bindparam("project_id"),
        _assignments.c.stage == bindparam("stage"),
        _assignments.c.status == "active",
        _assignments.c.leased_until >= bindparam("now"),
    )
    .limit(1)
)


def holds_live_claim(
    session: Session, project_id: int, user_id: int, stage: str, now: datetime
) -> bool:
    """Whether the user holds a live claim in the stage (one cheap probe before loading)."""
    params = {"user_id": user_id, "project_id": project_id, "stage": stage, "now": now}
    return session.connection().execute(_LIVE_CLAIM, params).first() is not None


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


# The queue's order (the `ix_tasks_queue` index): explicit priority, then the learning score,
# then import order.
QUEUE_ORDER = (_tasks.c.priority.desc(), _tasks.c.learning_score.desc(), _tasks.c.id)


def needs_annotators(overlap: Any) -> Any:
    """A task has room for another annotator: fewer annotations and live claims than its
    overlap (`overlap`, a bound parameter, plus its own extra)."""
    return _tasks.c.annotation_count + _tasks.c.lease_count < overlap + _tasks.c.extra_overlap


def _in_queue_order(statement: Select[tuple[int]], *, locking: bool) -> Select[tuple[int]]:
    statement = statement.order_by(*QUEUE_ORDER).limit(1)
    if locking:
        statement = statement.with_for_update(skip_locked=True, of=Task)
    return statement


def _label_candidate(*, locking: bool) -> Any:
    statement = (
        select(_tasks.c.id)
        .where(
            _tasks.c.project_id == bindparam("project_id"),
            _tasks.c.state == bindparam("state"),
            needs_annotators(bindparam("overlap")),
            ~exists().where(
                _assignments.c.task_id == _tasks.c.id,
                _assignments.c.user_id == bindparam("user_id"),
                _assignments.c.status.in_(BLOCKING),
            ),
        )
        .order_by(*QUEUE_ORDER)
        .limit(1)
    )
    return statement.with_for_update(skip_locked=True, of=_tasks) if locking else statement


_LABEL_CANDIDATE = {False: _label_candidate(locking=False), True: _label_candidate(locking=True)}


LABEL_SERVING_ORDER = ("labeling", "new")  # partly labeled tasks are served first


def next_label_task(
    session: Session, project_id: int, user_id: int, *, overlap: int, locking: bool
) -> int | None:
    """The first task (partly annotated first) that still needs an annotator and not this one."""
    statement = _LABEL_CANDIDATE[locking]
    connection = session.connection()
    for state in LABEL_SERVING_ORDER:
        params = {"project_id": project_id, "state": state, "overlap": overlap, "user_id": user_id}
        found = connection.execute(statement, params).scalar()
        if found is not None:
            return int(found)
    return None


_WAIT_FOR_TASK = select(_tasks.c.id).where(_tasks.c.id == bindparam("task_id")).with_for_update()


def wait_for_task(session: Session, task_id: int) -> None:
    """PostgreSQL: wait until no other transaction holds the task's row (holding nothing else
    meanwhile, so no deadlock can form), then end the transaction."""
    session.rollback()
    session.connection().execute(_WAIT_FOR_TASK, {"task_id": task_id})
    session.rollback()


_LEASE = (
    update(_tasks)
    .where(_tasks.c.id == bindparam("task_id"))
    .values(lease_count=_tasks.c.lease_count + 1)
    .returning(*_tasks.c)
)
_NEW_CLAIM = insert(_assignments).returning(*_assignments.c)


def lease_task(session: Session, task_id: int) -> Row[Any]:
    """Count one more live claim on the task; returns the task's row."""
    return session.connection().execute(_LEASE, {"task_id": task_id}).one()


def insert_assignment(session: Session, values: dict[str, Any]) -> Row[Any]:
    """A new claim; returns its row."""
    return session.connection().execute(_NEW_CLAIM, values).one()


_PREDICTIONS = (
    select(Prediction.__table__)
    .where(Prediction.__table__.c.task_id == bindparam("task_id"))
    .order_by(Prediction.__table__.c.id)
)
_COMMENTS = (
    select(TaskComment.__table__)
    .where(TaskComment.__table__.c.task_id == bindparam("task_id"))
    .order_by(TaskComment.__table__.c.id)
)
_REVIEWS = (
    select(Review.__table__)
    .join(Annotation.__table__, Annotation.__table__.c.id == Review.__table__.c.annotation_id)
    .where(Annotation.__table__.c.task_id == bindparam("task_id"))
    .order_by(Review.__table__.c.id)
)
_ACKED = select(GuidelineAck.__table__.c.version).where(
    GuidelineAck.__table__.c.project_id == bindparam("project_id"),
    GuidelineAck.__table__.c.user_id == bindparam("user_id"),
)


def task_context(session: Session, task_id: int) -> tuple[list[Row[Any]], ...]:
    """A served task's predictions, comments and reviews, oldest first."""
    connection = session.connection()
    params = {"task_id": task_id}
    return tuple(
        list(connection.execute(statement, params))
        for statement in (_PREDICTIONS, _COMMENTS, _REVIEWS)
    )


def acknowledged_guideline(session: Session, project_id: int, user_id: int) -> int:
    """The newest guideline version the user acknowledged (1 when none)."""
    params = {"project_id": project_id, "user_id": user_id}
    version = session.connection().execute(_ACKED, params).scalar()
    return int(version) if version is not None else 1


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


_annotations = Annotation.__table__

_CURRENT_RESULTS = (
    select(_annotations.c.id, _annotations.c.results)
    .where(
        _annotations.c.task_id == bindparam("task_id"),
        _annotations.c.status == "submitted",
        _annotations.c.deleted_at.is_(None),
    )
    .order_by(_annotations.c.id)
)


def current_label_results(session: Session, task_id: int) -> list[Row[Any]]:
    """`(id, results)` of the task's live submitted annotations, oldest first."""
    return list(session.connection().execute(_CURRENT_RESULTS, {"task_id": task_id}))
