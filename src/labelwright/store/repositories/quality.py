"""Statements of the quality engine: reading annotations, reviews and gold, keeping the
incremental aggregates (`quality_*` tables), and marking flagged tasks for review."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import BigInteger, bindparam, delete, exists, func, insert, or_, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from labelwright.store.models import (
    Annotation,
    AuditEvent,
    Gold,
    Membership,
    Prediction,
    QualityCounter,
    QualityIssue,
    QualityState,
    QualityTaskScore,
    QualityTaskState,
    Review,
    Task,
    User,
)
from labelwright.store.models.quality import QualityDirtyTask
from labelwright.store.sql import any_of, insert_many, rows_of

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


# --- Incremental aggregates -------------------------------------------------------------------

OVERTURNING_ROLES = ("expert", "manager")
_CHUNK = 2000


def _chunks(ids: Sequence[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield list(ids[start : start + _CHUNK])


# Key space of PostgreSQL's two-key advisory locks taken by aggregate writers ("LWQA").
_AGGREGATES_LOCK_CLASS = 0x4C57_5141


def _is_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def lock_project_aggregates(session: Session, project_id: int, *, wait: bool = True) -> bool:
    """Serialize the writers of one project's aggregates (catch-ups, rebuilds, task deletions)
    until the transaction ends: PostgreSQL transaction-scoped advisory lock; SQLite's write lock
    already serializes them. Without `wait`, returns False when another transaction holds it."""
    if not _is_postgresql(session):
        return True
    key = (_AGGREGATES_LOCK_CLASS, project_id % 2_147_483_647)
    if wait:
        session.execute(select(func.pg_advisory_xact_lock(*key)))
        return True
    return bool(session.scalar(select(func.pg_try_advisory_xact_lock(*key))))


def _upsert(session: Session) -> Any:
    if _is_postgresql(session):
        from sqlalchemy.dialects.postgresql import insert as upsert
    else:
        from sqlalchemy.dialects.sqlite import insert as upsert  # type: ignore[assignment]
    return upsert


def mark_dirty(session: Session, keys: Sequence[tuple[int, int]]) -> None:
    """Record `(project_id, task_id)` pairs as changed, in key order (concurrent writers lock
    rows in the same order).

    An existing row is updated to itself rather than left alone: the update locks it until
    this transaction ends, so a catch-up (which skips locked rows) cannot take it away and
    count the task before this transaction's changes are visible.
    """
    pairs = sorted(set(keys))
    if not pairs:
        return
    if _is_postgresql(session):  # one statement, from two arrays
        params = {"project_ids": [p for p, _ in pairs], "task_ids": [t for _, t in pairs]}
        rows_of(session, _MARK_DIRTY_ARRAYS, params)
    else:
        session.execute(_MARK_DIRTY_ROW, [{"project_id": p, "task_id": t} for p, t in pairs])


def _mark_dirty_statements() -> tuple[Any, Any]:
    """The upsert of one changed-task row (SQLite), and of arrays of them in key order
    (PostgreSQL), built once: they run on every submit."""
    from sqlalchemy.dialects.postgresql import insert as postgresql_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    dirty = QualityDirtyTask.__table__
    one = sqlite_insert(dirty)
    one = one.on_conflict_do_update(
        index_elements=["project_id", "task_id"], set_={"task_id": one.excluded.task_id}
    )
    pairs = (
        func.unnest(
            bindparam("project_ids", type_=ARRAY(BigInteger)),
            bindparam("task_ids", type_=ARRAY(BigInteger)),
        )
        .table_valued("project_id", "task_id")
        .render_derived(name="pairs")
    )
    many = postgresql_insert(dirty).from_select(
        ["project_id", "task_id"],
        select(pairs.c.project_id, pairs.c.task_id).order_by(pairs.c.project_id, pairs.c.task_id),
    )
    many = many.on_conflict_do_update(
        index_elements=["project_id", "task_id"], set_={"task_id": many.excluded.task_id}
    )
    return one, many


_MARK_DIRTY_ROW, _MARK_DIRTY_ARRAYS = _mark_dirty_statements()


def mark_dirty_tasks_of(session: Session, project_id: int, task_ids: Sequence[int]) -> None:
    """Record these tasks of the project as changed with one INSERT ... SELECT (bulk writes)."""
    if not task_ids:
        return
    dirty = QualityDirtyTask.__table__
    statement = _upsert(session)(dirty).from_select(
        ["project_id", "task_id"],
        select(Task.project_id, Task.id).where(
            Task.project_id == project_id, Task.id.in_(sorted(set(task_ids)))
        ),
    )
    session.execute(statement.on_conflict_do_nothing(index_elements=["project_id", "task_id"]))


def take_dirty_tasks(session: Session, project_id: int, *, limit: int | None) -> list[int]:
    """Delete up to `limit` (None: all) of the project's changed-task rows and return their
    task ids, in one statement. PostgreSQL skips rows locked by writers still in flight (they
    stay for the next catch-up); SQLite runs this under its write lock."""
    dirty = QualityDirtyTask.__table__
    pick = select(dirty.c.task_id).where(dirty.c.project_id == project_id)
    if limit is not None:
        pick = pick.order_by(dirty.c.task_id).limit(limit)
    if _is_postgresql(session):
        pick = pick.with_for_update(skip_locked=True)
    statement = (
        delete(QualityDirtyTask)
        .where(QualityDirtyTask.project_id == project_id, QualityDirtyTask.task_id.in_(pick))
        .returning(QualityDirtyTask.task_id)
    )
    return sorted(int(t) for t in session.scalars(statement))


def count_dirty(session: Session, project_id: int, *, limit: int) -> int:
    """How many of the project's tasks are marked changed, counting at most `limit` + 1."""
    dirty = QualityDirtyTask.__table__
    marked = select(dirty.c.task_id).where(dirty.c.project_id == project_id).limit(limit + 1)
    return int(session.scalar(select(func.count()).select_from(marked.subquery())) or 0)


def dirty_project_ids(session: Session) -> list[int]:
    """Projects with tasks marked changed."""
    dirty = QualityDirtyTask.__table__
    statement = select(dirty.c.project_id).distinct().order_by(dirty.c.project_id)
    return [int(p) for p in session.scalars(statement)]


def first_unmarked_annotation(
    session: Session, project_id: int, *, after: int, upto: int, counted: Sequence[int]
) -> int | None:
    """The oldest annotation with `after < id <= upto` that is on none of the `counted` tasks
    and on no task marked changed (one written by a bulk path that does not mark its tasks)."""
    dirty = QualityDirtyTask.__table__
    statement = select(func.min(Annotation.id)).where(
        Annotation.project_id == project_id,
        Annotation.id > after,
        Annotation.id <= upto,
        ~exists().where(dirty.c.project_id == project_id, dirty.c.task_id == Annotation.task_id),
    )
    if counted:
        statement = statement.where(Annotation.task_id.not_in(sorted(set(counted))))
    value = session.scalar(statement)
    return None if value is None else int(value)


def annotations_after(
    session: Session, project_id: int, after: int, *, limit: int
) -> list[tuple[int, int]]:
    """`(annotation id, task id)` of the oldest `limit` annotations newer than `after`."""
    rows = session.execute(
        select(Annotation.id, Annotation.task_id)
        .where(Annotation.project_id == project_id, Annotation.id > after)
        .order_by(Annotation.id)
        .limit(limit)
    ).all()
    return [(int(a), int(t)) for a, t in rows]


def projects_behind(session: Session) -> list[int]:
    """Projects whose aggregates (built for the current schema version) have not seen their
    newest annotation: a bulk path wrote annotations without marking their tasks."""
    from labelwright.store.models import Project

    newest = (
        select(func.max(Annotation.id))
        .where(Annotation.project_id == QualityState.project_id)
        .scalar_subquery()
    )
    statement = (
        select(QualityState.project_id)
        .join(Project, Project.id == QualityState.project_id)
        .where(
            QualityState.schema_version == Project.schema_version,
            QualityState.max_annotation_id < newest,
        )
        .order_by(QualityState.project_id)
    )
    return [int(p) for p in session.scalars(statement)]


def projects_to_rebuild(session: Session) -> list[int]:
    """Projects with annotations whose aggregates are missing or were built for an older
    schema version."""
    from labelwright.store.models import Project

    statement = (
        select(Project.id)
        .outerjoin(QualityState, QualityState.project_id == Project.id)
        .where(
            or_(
                QualityState.project_id.is_(None),
                QualityState.schema_version != Project.schema_version,
            ),
            exists().where(Annotation.project_id == Project.id),
        )
        .order_by(Project.id)
    )
    return [int(p) for p in session.scalars(statement)]


def mark_gold_tasks_dirty(session: Session, project_id: int) -> None:
    """Mark every gold task of the project as changed (one INSERT ... SELECT): a recount that
    follows the annotations' watermark finds the gold tasks nobody annotated this way."""
    dirty = QualityDirtyTask.__table__
    statement = _upsert(session)(dirty).from_select(
        ["project_id", "task_id"],
        select(Task.project_id, Task.id)
        .join(Gold, Gold.task_id == Task.id)
        .where(Task.project_id == project_id),
    )
    session.execute(statement.on_conflict_do_nothing(index_elements=["project_id", "task_id"]))


def live_annotations_of(session: Session, task_ids: Sequence[int]) -> list[AnnotationRow]:
    """Live human annotations of these tasks, by id."""
    rows: list[AnnotationRow] = []
    for chunk in _chunks(sorted(task_ids)):
        rows += [
            AnnotationRow(*row)
            for row in session.execute(
                select(*_ANNOTATION_COLUMNS)
                .where(
                    Annotation.task_id.in_(chunk),
                    Annotation.status == LIVE,
                    Annotation.deleted_at.is_(None),
                    Annotation.origin != CONSENSUS_ORIGIN,
                )
                .order_by(Annotation.id)
            ).all()
        ]
    return rows


def annotations_by_id(session: Session, annotation_ids: Sequence[int]) -> list[AnnotationRow]:
    """Annotations by id, whatever their status, by id."""
    rows: list[AnnotationRow] = []
    for chunk in _chunks(sorted(annotation_ids)):
        rows += [
            AnnotationRow(*row)
            for row in session.execute(
                select(*_ANNOTATION_COLUMNS).where(Annotation.id.in_(chunk)).order_by(Annotation.id)
            ).all()
        ]
    return rows


_ANNOTATION_COLUMNS = (
    Annotation.id,
    Annotation.task_id,
    Annotation.author_id,
    Annotation.results,
    Annotation.created_at,
    Annotation.lead_time_ms,
)
_REVIEW_COLUMNS = (
    Review.id,
    Review.annotation_id,
    Review.reviewer_id,
    Review.verdict,
    Review.severity,
    Review.created_at,
    Annotation.author_id,
)


class TaskReviewRow(NamedTuple):
    task_id: int
    review: ReviewRow


def reviews_of_tasks(session: Session, task_ids: Sequence[int]) -> list[TaskReviewRow]:
    """Reviews of every annotation of these tasks, oldest first."""
    found: list[TaskReviewRow] = []
    for chunk in _chunks(sorted(task_ids)):
        rows = session.execute(
            select(Annotation.task_id, *_REVIEW_COLUMNS)
            .join(Annotation, Annotation.id == Review.annotation_id)
            .where(Annotation.task_id.in_(chunk))
            .order_by(Review.created_at, Review.id)
        ).all()
        found += [TaskReviewRow(int(row[0]), ReviewRow(*row[1:])) for row in rows]
    return found


def reviews_by_id(session: Session, review_ids: Sequence[int]) -> list[TaskReviewRow]:
    """Reviews by id with their task, oldest first."""
    found: list[TaskReviewRow] = []
    for chunk in _chunks(sorted(review_ids)):
        rows = session.execute(
            select(Annotation.task_id, *_REVIEW_COLUMNS)
            .join(Annotation, Annotation.id == Review.annotation_id)
            .where(Review.id.in_(chunk))
        ).all()
        found += [TaskReviewRow(int(row[0]), ReviewRow(*row[1:])) for row in rows]
    return sorted(found, key=lambda r: (r.review.created_at, r.review.id))


def gold_of_tasks(session: Session, task_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """Gold results of those of these tasks that are gold."""
    found: dict[int, dict[str, Any]] = {}
    for chunk in _chunks(sorted(task_ids)):
        rows = session.execute(select(Gold.task_id, Gold.results).where(Gold.task_id.in_(chunk)))
        found.update({int(task_id): results for task_id, results in rows})
    return found


def overturning_reviewers(
    session: Session, project_id: int, reviewer_ids: Iterable[int | None]
) -> set[int]:
    """Which of these reviewers are experts or managers of the project, or instance admins."""
    ids = sorted({i for i in reviewer_ids if i is not None})
    if not ids:
        return set()
    members = session.scalars(
        select(Membership.user_id).where(
            Membership.project_id == project_id,
            Membership.user_id.in_(ids),
            Membership.role.in_(OVERTURNING_ROLES),
        )
    )
    return {int(i) for i in members} | admins(session, ids)


def task_states(session: Session, task_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """The stored inputs of each task's current contribution."""
    found: dict[int, dict[str, Any]] = {}
    for chunk in _chunks(sorted(task_ids)):
        rows = session.execute(
            select(QualityTaskState.task_id, QualityTaskState.inputs).where(
                QualityTaskState.task_id.in_(chunk)
            )
        )
        found.update({int(task_id): inputs for task_id, inputs in rows})
    return found


def save_task_states(
    session: Session, project_id: int, states: Mapping[int, dict[str, Any] | None], now: datetime
) -> None:
    """Replace the stored inputs of these tasks (None: the task contributes nothing)."""
    ids = sorted(states)
    _delete_of_tasks(session, QualityTaskState.__table__, ids)
    rows = [
        {"task_id": t, "project_id": project_id, "inputs": states[t], "updated_at": now}
        for t in ids
        if states[t] is not None
    ]
    insert_many(session, QualityTaskState.__table__, rows)


def save_task_scores(
    session: Session, project_id: int, scores: Mapping[int, Mapping[str, float]]
) -> None:
    """Replace the per-control agreement of these tasks."""
    ids = sorted(scores)
    _delete_of_tasks(session, QualityTaskScore.__table__, ids)
    rows = [
        {"task_id": t, "control": control, "project_id": project_id, "score": score}
        for t in ids
        for control, score in scores[t].items()
    ]
    insert_many(session, QualityTaskScore.__table__, rows)


_DELETES_OF_TASKS: dict[str, Any] = {}


def _delete_of_tasks(session: Session, table: Any, task_ids: Sequence[int]) -> None:
    """Delete the rows of these tasks (one statement per chunk of ids)."""
    statement = _DELETES_OF_TASKS.get(table.name)
    if statement is None:
        statement = _DELETES_OF_TASKS[table.name] = table.delete().where(
            any_of(table.c.task_id, "task_ids")
        )
    for chunk in _chunks(task_ids):
        rows_of(session, statement, {"task_ids": chunk})


def add_to_counters(
    session: Session, project_id: int, deltas: Mapping[tuple[str, str, str], float]
) -> None:
    """Add amounts to counters (creating them at 0), in key order so that concurrent writers
    lock rows in the same order."""
    rows = [
        {"project_id": project_id, "area": a, "scope": s, "key": k, "total": v}
        for (a, s, k), v in sorted(deltas.items())
        if v != 0.0
    ]
    if not rows:
        return
    statement = _upsert(session)(QualityCounter)
    statement = statement.on_conflict_do_update(
        index_elements=["project_id", "area", "scope", "key"],
        set_={"total": QualityCounter.total + statement.excluded.total},
    )
    for start in range(0, len(rows), 1000):
        session.execute(statement, rows[start : start + 1000])


def counters(
    session: Session, project_id: int, area: str, scope: str | None = None
) -> dict[str, dict[str, float]]:
    """Counters of one area (optionally one scope): scope -> key -> total."""
    statement = select(QualityCounter.scope, QualityCounter.key, QualityCounter.total).where(
        QualityCounter.project_id == project_id, QualityCounter.area == area
    )
    if scope is not None:
        statement = statement.where(QualityCounter.scope == scope)
    found: dict[str, dict[str, float]] = {}
    for row_scope, key, total in session.connection().execute(statement):
        found.setdefault(row_scope, {})[key] = float(total)
    return found


def quality_state(session: Session, project_id: int) -> QualityState | None:
    return session.get(QualityState, project_id)


def raise_max_annotation_id(session: Session, project_id: int, annotation_id: int) -> None:
    """Record that the aggregates have seen annotations up to this id."""
    session.execute(
        update(QualityState)
        .where(
            QualityState.project_id == project_id,
            QualityState.max_annotation_id < annotation_id,
        )
        .values(max_annotation_id=annotation_id)
    )


def max_annotation_id(session: Session, project_id: int) -> int:
    value = session.scalar(
        select(func.max(Annotation.id)).where(Annotation.project_id == project_id)
    )
    return int(value or 0)


def count_annotations_after(session: Session, project_id: int, after: int, *, limit: int) -> int:
    """How many annotations are newer than `after`, counting at most `limit` + 1."""
    newer = (
        select(Annotation.id)
        .where(Annotation.project_id == project_id, Annotation.id > after)
        .limit(limit + 1)
        .subquery()
    )
    return int(session.scalar(select(func.count()).select_from(newer)) or 0)


def count_unmarked_annotations_after(
    session: Session, project_id: int, after: int, *, limit: int
) -> int:
    """How many annotations newer than `after` belong to tasks not marked changed (the marked
    ones are counted with their task), counting at most `limit` + 1."""
    dirty = QualityDirtyTask.__table__
    newer = (
        select(Annotation.id)
        .where(
            Annotation.project_id == project_id,
            Annotation.id > after,
            ~exists().where(
                dirty.c.project_id == project_id, dirty.c.task_id == Annotation.task_id
            ),
        )
        .limit(limit + 1)
        .subquery()
    )
    return int(session.scalar(select(func.count()).select_from(newer)) or 0)


def project_task_batches(
    session: Session, project_id: int, *, upto: int, size: int = 2000
) -> Iterator[list[int]]:
    """The ids of the project's tasks that have gold or an annotation up to id `upto` (the
    only ones that count), in batches, by id; the filter runs in SQL. The scan ends with its
    first short batch: tasks labeled while it runs (their writers mark them for the next
    catch-up) do not keep it going on PostgreSQL, where each batch sees new commits."""
    after = 0
    labelled = or_(
        exists().where(Annotation.task_id == Task.id, Annotation.id <= upto),
        exists().where(Gold.task_id == Task.id),
    )
    while True:
        ids = [
            int(t)
            for t in session.scalars(
                select(Task.id)
                .where(Task.project_id == project_id, Task.id > after, labelled)
                .order_by(Task.id)
                .limit(size)
            )
        ]
        if ids:
            yield ids
        if len(ids) < size:
            return
        after = ids[-1]


def clear_aggregates(
    session: Session, project_id: int, *, schema_version: int, now: datetime
) -> None:
    """Drop a project's aggregates and start an empty state (before a rebuild)."""
    for model in (QualityCounter, QualityTaskScore, QualityTaskState):
        session.execute(delete(model).where(model.project_id == project_id))
    session.execute(delete(QualityState).where(QualityState.project_id == project_id))
    session.add(
        QualityState(
            project_id=project_id,
            schema_version=schema_version,
            max_annotation_id=0,
            rebuilt_at=now,
        )
    )
    session.flush()


def low_agreement_tasks(
    session: Session, project_id: int, *, below: float, limit: int
) -> list[tuple[int, str, float]]:
    """`(task, control, score)` below the threshold, lowest first."""
    rows = session.execute(
        select(QualityTaskScore.task_id, QualityTaskScore.control, QualityTaskScore.score)
        .where(QualityTaskScore.project_id == project_id, QualityTaskScore.score < below)
        .order_by(QualityTaskScore.score, QualityTaskScore.task_id, QualityTaskScore.control)
        .limit(limit)
    ).all()
    return [(int(t), str(c), float(s)) for t, c, s in rows]


def replace_issues(session: Session, project_id: int, rows: Sequence[dict[str, Any]]) -> None:
    """Replace the analysis issues of a project (`rank` orders them)."""
    session.execute(delete(QualityIssue).where(QualityIssue.project_id == project_id))
    for start in range(0, len(rows), 5000):
        session.execute(
            insert(QualityIssue),
            [{"project_id": project_id, **row} for row in rows[start : start + 5000]],
        )


def analysis_issues(
    session: Session, project_id: int, *, kind: str | None, limit: int
) -> list[QualityIssue]:
    statement = select(QualityIssue).where(QualityIssue.project_id == project_id)
    if kind is not None:
        statement = statement.where(QualityIssue.kind == kind)
    return list(session.scalars(statement.order_by(QualityIssue.rank).limit(limit)))


def analysis_issue_counts(session: Session, project_id: int) -> dict[str, int]:
    rows = session.execute(
        select(QualityIssue.kind, func.count())
        .where(QualityIssue.project_id == project_id)
        .group_by(QualityIssue.kind)
    ).all()
    return {str(kind): int(n) for kind, n in rows}


def analysis_task_ids(session: Session, project_id: int) -> list[int]:
    return [
        int(t)
        for t in session.scalars(
            select(QualityIssue.task_id).where(QualityIssue.project_id == project_id).distinct()
        )
    ]


def low_agreement_task_ids(session: Session, project_id: int, *, below: float) -> list[int]:
    return [
        int(t)
        for t in session.scalars(
            select(QualityTaskScore.task_id)
            .where(QualityTaskScore.project_id == project_id, QualityTaskScore.score < below)
            .distinct()
        )
    ]


def counter_by_scope(session: Session, project_id: int, area: str, key: str) -> dict[str, float]:
    """One counter across the scopes of an area: scope -> total."""
    rows = session.execute(
        select(QualityCounter.scope, QualityCounter.total).where(
            QualityCounter.project_id == project_id,
            QualityCounter.area == area,
            QualityCounter.key == key,
        )
    ).all()
    return {str(scope): float(total) for scope, total in rows}


def max_annotation_id_of_tasks(session: Session, task_ids: Sequence[int]) -> int:
    best = 0
    for chunk in _chunks(sorted(task_ids)):
        value = session.scalar(select(func.max(Annotation.id)).where(Annotation.task_id.in_(chunk)))
        best = max(best, int(value or 0))
    return best


def project_of_tasks(session: Session, task_ids: Iterable[int]) -> dict[int, int]:
    """Task id -> project id."""
    found: dict[int, int] = {}
    for chunk in _chunks(sorted(set(task_ids))):
        rows = session.execute(select(Task.id, Task.project_id).where(Task.id.in_(chunk)))
        found.update({int(t): int(p) for t, p in rows})
    return found


def all_project_ids(session: Session) -> list[int]:
    from labelwright.store.models import Project

    return [int(i) for i in session.scalars(select(Project.id).order_by(Project.id))]
