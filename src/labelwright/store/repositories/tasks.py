"""Statements for tasks, including the set-based bulk insert used by imports."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import (
    ColumnElement,
    String,
    Text,
    and_,
    cast,
    exists,
    false,
    func,
    insert,
    literal,
    or_,
    select,
    text,
    type_coerce,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session

from labelwright.store.models import Annotation, Prediction, ProjectMedia, Task


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
    annotator_id: int | None = None
    label: str | None = None
    control: str | None = None


LabelShape = Literal["value", "list", "items"]


@dataclass(frozen=True)
class LabelPath:
    """Where a control's labels sit in `results[control]`: the value itself (`choice`), an
    element of a list (`choices`), or the `label` key of a list's items (regions, relations)."""

    control: str
    shape: LabelShape


def _has_label(dialect: str, label: str, paths: Sequence[LabelPath]) -> ColumnElement[bool]:
    """An annotation whose results carry `label` in one of `paths`."""
    conditions: list[ColumnElement[bool]] = []
    for path in paths:
        if dialect == "postgresql":
            node = type_coerce(Annotation.results, JSONB)[path.control]
            if path.shape == "value":
                conditions.append(node.astext == label)
            else:  # jsonb containment: an element equal to / an item with that label
                conditions.append(
                    node.contains([label] if path.shape == "list" else [{"label": label}])
                )
            continue
        json_path = f'$."{path.control}"'
        if path.shape == "value":
            conditions.append(func.json_extract(Annotation.results, json_path) == label)
            continue
        each = func.json_each(Annotation.results, json_path).table_valued("value", "type")
        match = (
            and_(each.c.type == "text", each.c.value == label)
            if path.shape == "list"
            else func.json_extract(each.c.value, "$.label") == label
        )
        conditions.append(exists(select(literal(1)).select_from(each).where(match)))
    return or_(*conditions) if conditions else false()


def list_tasks(
    session: Session,
    project_id: int,
    where: TaskFilter,
    *,
    after: int,
    limit: int,
    label_paths: Sequence[LabelPath] = (),
) -> Sequence[Task]:
    """A page of a project's tasks in id order. `annotator_id` and `label` (found in
    `label_paths`) keep tasks with a live annotation by that person carrying that label; both
    given, the same annotation must match both."""
    statement = select(Task).where(Task.project_id == project_id, Task.id > after)
    if where.annotator_id is not None or where.label is not None:
        annotation = select(literal(1)).where(
            Annotation.task_id == Task.id, Annotation.deleted_at.is_(None)
        )
        if where.annotator_id is not None:
            annotation = annotation.where(Annotation.author_id == where.annotator_id)
        if where.label is not None:
            dialect = session.get_bind().dialect.name
            annotation = annotation.where(_has_label(dialect, where.label, label_paths))
        statement = statement.where(exists(annotation))
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
    only catch up later; until then it plans sorts where an index walk is right). On SQLite,
    copy the import's write-ahead log into the database now, so that the next annotator's
    submit does not pay for checkpointing hundreds of megabytes."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("PRAGMA wal_checkpoint(PASSIVE)"))
        session.commit()
        return
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text(
                "ANALYZE tasks (id, project_id, state, priority, learning_score, "
                "annotation_count, final_annotation_id)"
            )
        )
        session.commit()
