"""Statements for annotations and predictions."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from labelwright.store.models import Annotation, Assignment, Prediction

LIVE = ("submitted",)


def list_for_task(
    session: Session, task_id: int, *, author_id: int | None = None, include_deleted: bool = False
) -> Sequence[Annotation]:
    statement = select(Annotation).where(Annotation.task_id == task_id)
    if author_id is not None:
        statement = statement.where(Annotation.author_id == author_id)
    if not include_deleted:
        statement = statement.where(Annotation.deleted_at.is_(None))
    return session.scalars(statement.order_by(Annotation.id)).all()


def iter_current(session: Session, project_id: int, *, batch: int = 2000) -> Iterator[Annotation]:
    """Every live, not superseded annotation of a project, in id order, batch by batch."""
    after = 0
    while True:
        rows = session.scalars(
            select(Annotation)
            .where(
                Annotation.project_id == project_id,
                Annotation.id > after,
                Annotation.status.in_(LIVE),
                Annotation.deleted_at.is_(None),
            )
            .order_by(Annotation.id)
            .limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        after = rows[-1].id


def iter_predictions(
    session: Session, project_id: int, *, batch: int = 2000
) -> Iterator[Prediction]:
    after = 0
    while True:
        rows = session.scalars(
            select(Prediction)
            .where(Prediction.project_id == project_id, Prediction.id > after)
            .order_by(Prediction.id)
            .limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        after = rows[-1].id


def list_predictions(session: Session, task_id: int) -> Sequence[Prediction]:
    return session.scalars(
        select(Prediction).where(Prediction.task_id == task_id).order_by(Prediction.id)
    ).all()


def mark_superseded(session: Session, annotation_id: int) -> None:
    session.execute(
        update(Annotation).where(Annotation.id == annotation_id).values(status="superseded")
    )


def live_claim(session: Session, task_id: int, user_id: int) -> Assignment | None:
    """The user's blocking assignment on a task (active, submitted, skipped or escalated)."""
    return session.scalars(
        select(Assignment).where(
            Assignment.task_id == task_id,
            Assignment.user_id == user_id,
            Assignment.status.in_(("active", "submitted", "skipped", "escalated")),
        )
    ).first()
