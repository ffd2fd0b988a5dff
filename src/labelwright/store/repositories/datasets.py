"""Statements for dataset versions: snapshot, hash rows, lists, diffs and version exports.

A version's items are `(version_id, task_id, annotation_id)`: the final annotation of every task
that had one when the version was made. The primary key `(version_id, task_id)` orders them, so
every read here walks one version in task order by index.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    BigInteger,
    Select,
    Text,
    and_,
    case,
    cast,
    func,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql import Executable

from labelwright.store.models import (
    Annotation,
    DatasetVersion,
    DatasetVersionItem,
    Project,
    Task,
)

CURRENT = "submitted"
HASH_BATCH = 5000


@dataclass(frozen=True)
class DiffCounts:
    common: int
    changed: int


def lock_project(session: Session, project_id: int) -> None:
    """Serialize version creation per project (PostgreSQL row lock; SQLite's write lock already
    serializes every writer)."""
    session.execute(select(Project.id).where(Project.id == project_id).with_for_update())


def next_number(session: Session, project_id: int) -> int:
    latest = session.scalar(
        select(func.max(DatasetVersion.version)).where(DatasetVersion.project_id == project_id)
    )
    return int(latest or 0) + 1


def current_final() -> Any:
    """The task's final annotation id when it counts as final (see `services.export.
    final_annotation`), else NULL; needs `Annotation` outer-joined on `Task.final_annotation_id`."""
    return case(
        (
            and_(
                Task.final_path.is_not(None),
                Annotation.status == CURRENT,
                Annotation.deleted_at.is_(None),
            ),
            Annotation.id,
        ),
        else_=None,
    )


def snapshot_finals(session: Session, version_id: int, project_id: int) -> None:
    """One set-based INSERT ... SELECT of every task's final annotation into the version."""
    finals = (
        select(literal(version_id, BigInteger), Task.id, Task.final_annotation_id)
        .join(Annotation, Annotation.id == Task.final_annotation_id)
        .where(
            Task.project_id == project_id,
            Task.final_path.is_not(None),
            Annotation.status == CURRENT,
            Annotation.deleted_at.is_(None),
        )
    )
    session.execute(
        insert(DatasetVersionItem).from_select(["version_id", "task_id", "annotation_id"], finals)
    )


def iter_hash_rows(session: Session, version_id: int) -> Iterator[tuple[int, int, str | None]]:
    """`(task_id, annotation_id, results as stored JSON text)` of a version in task order,
    streamed (a server-side cursor on PostgreSQL). Annotations are read by id whatever their
    status now. The JSON text is left for the caller to parse: SQLAlchemy's per-row JSON
    processing would cost more than the query."""
    statement = (
        select(
            DatasetVersionItem.task_id,
            DatasetVersionItem.annotation_id,
            cast(Annotation.results, Text),
        )
        .outerjoin(Annotation, Annotation.id == DatasetVersionItem.annotation_id)
        .where(DatasetVersionItem.version_id == version_id)
        .order_by(DatasetVersionItem.task_id)
    )
    yield from _stream(session, statement)


def _stream(session: Session, statement: Executable) -> Iterator[Any]:
    """Rows of a Core statement on the session's connection (no ORM row processing), fetched
    in batches; the options go on the statement, not the connection, which later statements
    share."""
    streamed = statement.execution_options(stream_results=True, yield_per=HASH_BATCH)
    for part in session.connection().execute(streamed).partitions():
        yield from part


def versions_holding_task(session: Session, task_id: int) -> list[int]:
    """The numbers of the versions that hold task `task_id`, in order (by the task_id index)."""
    return list(
        session.scalars(
            select(DatasetVersion.version)
            .join(DatasetVersionItem, DatasetVersionItem.version_id == DatasetVersion.id)
            .where(DatasetVersionItem.task_id == task_id)
            .order_by(DatasetVersion.version)
        )
    )


def finish_version(session: Session, version_id: int, *, sha256: str, task_count: int) -> None:
    session.execute(
        update(DatasetVersion)
        .where(DatasetVersion.id == version_id)
        .values(content_sha256=sha256, task_count=task_count)
    )


def get_version(session: Session, project_id: int, number: int) -> DatasetVersion | None:
    return session.scalars(
        select(DatasetVersion).where(
            DatasetVersion.project_id == project_id, DatasetVersion.version == number
        )
    ).first()


def list_versions(
    session: Session, project_id: int, *, after: int, limit: int
) -> Sequence[DatasetVersion]:
    """Versions in number order after version `after`."""
    return session.scalars(
        select(DatasetVersion)
        .where(DatasetVersion.project_id == project_id, DatasetVersion.version > after)
        .order_by(DatasetVersion.version)
        .limit(limit)
    ).all()


def diff_counts(session: Session, base_id: int, target_id: int) -> DiffCounts:
    """Tasks in both versions, and how many of those have another annotation in `target`."""
    base = aliased(DatasetVersionItem)
    target = aliased(DatasetVersionItem)
    row = session.execute(
        select(
            func.count(),
            func.coalesce(
                func.sum(case((base.annotation_id != target.annotation_id, 1), else_=0)), 0
            ),
        )
        .select_from(base)
        .join(target, and_(target.task_id == base.task_id, target.version_id == target_id))
        .where(base.version_id == base_id)
    ).one()
    return DiffCounts(common=int(row[0]), changed=int(row[1]))


def iter_diff(
    session: Session, base_id: int, target_id: int
) -> Iterator[tuple[int, int | None, int | None]]:
    """`(task_id, base annotation, target annotation)` of every task whose annotation differs
    between two versions (None where a version lacks the task), in task order, streamed: two
    index walks, only the differing rows sorted by the database."""
    base = aliased(DatasetVersionItem)
    target = aliased(DatasetVersionItem)
    changed_or_removed = (
        select(base.task_id, base.annotation_id, target.annotation_id)
        .outerjoin(target, and_(target.version_id == target_id, target.task_id == base.task_id))
        .where(
            base.version_id == base_id, target.annotation_id.is_distinct_from(base.annotation_id)
        )
    )
    in_base = select(base.task_id).where(base.version_id == base_id, base.task_id == target.task_id)
    added = select(target.task_id, literal(None, BigInteger), target.annotation_id).where(
        target.version_id == target_id, ~in_base.exists()
    )
    union = changed_or_removed.union_all(added).subquery()
    statement: Select[Any] = select(union).order_by(union.c[0])
    yield from _stream(session, statement)


def _task_columns(raw: bool) -> tuple[Any, Any]:
    data: Any = cast(Task.data, Text) if raw else Task.data
    meta: Any = cast(Task.meta, Text) if raw else Task.meta
    return data, meta


def version_task_batches(
    session: Session,
    project_id: int,
    version_id: int,
    *,
    since_version_id: int | None = None,
    raw: bool = False,
    batch: int = 2000,
) -> Iterator[Sequence[Any]]:
    """Rows `(task_id, data, meta, annotation_id)` of a version's tasks in task order; with
    `since_version_id`, only the tasks whose annotation differs from (or is missing in) that
    version. The join on tasks keeps the export to live task rows (a task a version holds
    cannot be deleted, see `services.datasets.refuse_deleting_held_task`)."""
    data, meta = _task_columns(raw)
    item = DatasetVersionItem
    statement = (
        select(Task.id, data, meta, item.annotation_id)
        .select_from(item)
        .join(Task, Task.id == item.task_id)
        .where(item.version_id == version_id, Task.project_id == project_id)
    )
    if since_version_id is not None:
        older = aliased(DatasetVersionItem)
        statement = statement.outerjoin(
            older, and_(older.version_id == since_version_id, older.task_id == item.task_id)
        ).where(older.annotation_id.is_distinct_from(item.annotation_id))
    after = -1
    while True:
        rows = session.execute(
            statement.where(item.task_id > after).order_by(item.task_id).limit(batch)
        ).all()
        if not rows:
            return
        yield rows
        after = rows[-1][0]


def changed_since_version_batches(
    session: Session,
    project_id: int,
    since_version_id: int,
    *,
    raw: bool = False,
    batch: int = 2000,
) -> Iterator[Sequence[Any]]:
    """Rows `(task_id, data, meta, final_annotation_id, final_path)` of the project's tasks whose
    current final annotation differs from the one in version `since_version_id`: newly final,
    final changed, or no longer final (a task without a final in either is unchanged)."""
    data, meta = _task_columns(raw)
    older = aliased(DatasetVersionItem)
    final = current_final()
    statement: Select[Any] = (
        select(Task.id, data, meta, Task.final_annotation_id, Task.final_path)
        .outerjoin(Annotation, Annotation.id == Task.final_annotation_id)
        .outerjoin(older, and_(older.version_id == since_version_id, older.task_id == Task.id))
        .where(Task.project_id == project_id, final.is_distinct_from(older.annotation_id))
    )
    after = -1
    while True:
        rows = session.execute(
            statement.where(Task.id > after).order_by(Task.id).limit(batch)
        ).all()
        if not rows:
            return
        yield rows
        after = rows[-1][0]


def version_annotations(
    session: Session, version_id: int, first_task: int, last_task: int
) -> Sequence[Any]:
    """The annotations a version holds for tasks `first_task..last_task`, whatever their status
    now (superseded, rejected and deleted annotations keep their rows and results)."""
    return session.execute(
        select(
            Annotation.id,
            Annotation.task_id,
            Annotation.results,
            Annotation.author_id,
            Annotation.origin,
            Annotation.parent_id,
            Annotation.schema_version,
            Annotation.guideline_version,
            Annotation.lead_time_ms,
            Annotation.stage,
            Annotation.status,
            Annotation.created_at,
        )
        .join(DatasetVersionItem, DatasetVersionItem.annotation_id == Annotation.id)
        .where(
            DatasetVersionItem.version_id == version_id,
            DatasetVersionItem.task_id >= first_task,
            DatasetVersionItem.task_id <= last_task,
        )
    ).all()
