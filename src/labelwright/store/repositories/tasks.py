"""Statements for tasks, including the set-based bulk insert used by imports."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import String, Text, cast, func, insert, select, text, update
from sqlalchemy.orm import Session

from labelwright.store.models import Annotation, Prediction, ProjectMedia, Task

_SQLITE_TIME = "%Y-%m-%d %H:%M:%S.%f"  # SQLAlchemy's storage format for DateTime on SQLite


# (data JSON text, meta JSON text, priority, annotation count) - a tuple: built per imported row.
NewTask = tuple[str, str, int, int]


def allocate_task_ids(session: Session, count: int) -> list[int]:
    """Reserve `count` new task ids (the caller holds the write transaction)."""
    if count == 0:
        return []
    if session.get_bind().dialect.name == "postgresql":
        return list(
            session.scalars(
                text(
                    "SELECT nextval(pg_get_serial_sequence('tasks', 'id')) "
                    "FROM generate_series(1, :n)"
                ),
                {"n": count},
            ).all()
        )
    # SQLite: under BEGIN IMMEDIATE nobody else inserts; AUTOINCREMENT's high-water mark
    # (sqlite_sequence) keeps ids of deleted tasks from being reused.
    high = session.execute(
        text(
            "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'tasks'), 0), "
            "coalesce((SELECT max(id) FROM tasks), 0))"
        )
    ).scalar_one()
    return list(range(high + 1, high + 1 + count))


def insert_tasks(
    session: Session, project_id: int, ids: Sequence[int], rows: Sequence[NewTask]
) -> None:
    """Insert rows with pre-allocated ids: COPY on PostgreSQL, executemany on SQLite."""
    now = datetime.now(UTC)
    raw = session.connection().connection.driver_connection
    columns = (
        "id, project_id, data, meta, priority, learning_score, state, annotation_count, created_at"
    )
    if session.get_bind().dialect.name == "postgresql":
        with raw.cursor() as cursor, cursor.copy(f"COPY tasks ({columns}) FROM STDIN") as copy:  # type: ignore[union-attr]
            for task_id, (data, meta, priority, count) in zip(ids, rows, strict=True):
                copy.write_row(
                    (
                        task_id,
                        project_id,
                        data,
                        meta,
                        priority,
                        0.0,
                        "done" if count else "new",
                        count,
                        now,
                    )
                )
        return
    stamp = now.replace(tzinfo=None).strftime(_SQLITE_TIME)
    raw.executemany(  # type: ignore[union-attr]
        f"INSERT INTO tasks ({columns}) VALUES (?, ?, ?, ?, ?, 0.0, ?, ?, ?)",
        [
            (task_id, project_id, data, meta, priority, "done" if count else "new", count, stamp)
            for task_id, (data, meta, priority, count) in zip(ids, rows, strict=True)
        ],
    )


def insert_annotations(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        session.execute(insert(Annotation), list(rows))


def insert_predictions(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        session.execute(insert(Prediction), list(rows))


def link_media(session: Session, project_id: int, shas: Iterable[str]) -> None:
    """Record that the project refers to these media (idempotent)."""
    values = [{"project_id": project_id, "sha256": s} for s in sorted(set(shas))]
    if not values:
        return
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        session.execute(pg_insert(ProjectMedia).on_conflict_do_nothing(), values)
    else:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        session.execute(sqlite_insert(ProjectMedia).on_conflict_do_nothing(), values)


@dataclass(frozen=True)
class TaskFilter:
    state: str | None = None
    annotated: bool | None = None
    meta: tuple[tuple[str, str], ...] = ()
    search: str | None = None


def list_tasks(
    session: Session, project_id: int, where: TaskFilter, *, after: int, limit: int
) -> Sequence[Task]:
    statement = select(Task).where(Task.project_id == project_id, Task.id > after)
    if where.state is not None:
        statement = statement.where(Task.state == where.state)
    if where.annotated is True:
        statement = statement.where(Task.annotation_count > 0)
    elif where.annotated is False:
        statement = statement.where(Task.annotation_count == 0)
    for key, value in where.meta:
        statement = statement.where(cast(Task.meta[key].as_string(), String) == value)
    if where.search:
        pattern = (
            "%" + where.search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        )
        statement = statement.where(
            func.lower(cast(Task.data, Text)).like(pattern.lower(), escape="\\")
        )
    return session.scalars(statement.order_by(Task.id).limit(limit)).all()


def set_imported_finals(session: Session, task_ids: Sequence[int]) -> None:
    """Imported annotations are final: the newest imported one per task, path `import`."""
    if not task_ids:
        return
    newest = select(func.max(Annotation.id)).where(Annotation.task_id == Task.id).scalar_subquery()
    session.execute(
        update(Task)
        .where(Task.id.in_(list(task_ids)))
        .values(final_annotation_id=newest, final_path="import")
    )


def latest_predictions(session: Session, task_ids: Sequence[int]) -> dict[int, Prediction]:
    """The newest prediction of each task."""
    rows = session.scalars(
        select(Prediction).where(Prediction.task_id.in_(list(task_ids))).order_by(Prediction.id)
    ).all()
    return {p.task_id: p for p in rows}


def refresh_statistics(session: Session) -> None:
    """After a bulk import, let PostgreSQL's planner see the new rows at once (autovacuum would
    only catch up later; until then it plans sorts where an index walk is right)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("ANALYZE tasks"))
        session.commit()
