"""Set-based statements for many claims or submissions at once (`services.queue_batches`).

Each statement serves a whole batch of waiting requests: one read of many tokens, one window of
candidate tasks, one insert of many claims or annotations. A batch costs about as many
statements as a single request did.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Integer,
    Row,
    and_,
    bindparam,
    cast,
    func,
    literal,
    null,
    or_,
    select,
    true,
    union_all,
    update,
)
from sqlalchemy.dialects.postgresql import REGCLASS
from sqlalchemy.orm import Session

from labelwright.store.models import (
    Annotation,
    ApiToken,
    Assignment,
    GuidelineAck,
    Membership,
    Prediction,
    Project,
    Review,
    Task,
    TaskComment,
    User,
)
from labelwright.store.repositories.queue import (
    BLOCKING,
    LABEL_SERVING_ORDER,
    QUEUE_ORDER,
    needs_annotators,
)
from labelwright.store.sql import any_of, insert_many, rows_of, update_many

_tasks = Task.__table__
_assignments = Assignment.__table__
_annotations = Annotation.__table__
_tokens, _users = ApiToken.__table__, User.__table__
_memberships = Membership.__table__


_TOKEN_HOLDERS = (
    select(_tokens.c.token_sha256, _users.c.id, _users.c.email, _users.c.is_admin)
    .join(_users, _users.c.id == _tokens.c.user_id)
    .where(
        any_of(_tokens.c.token_sha256, "shas"),
        _tokens.c.revoked_at.is_(None),
        or_(_tokens.c.expires_at.is_(None), _tokens.c.expires_at > bindparam("now")),
        _users.c.is_active.is_(True),
    )
)


def live_token_holders(
    session: Session, shas: Iterable[str], now: datetime
) -> dict[str, tuple[int, str, bool]]:
    """(user id, email, is admin) by token digest, for the live tokens of active users."""
    rows = rows_of(session, _TOKEN_HOLDERS, {"shas": sorted(set(shas)), "now": now})
    return {row[0]: (row[1], row[2], bool(row[3])) for row in rows}


_projects = Project.__table__
# The project's versions and workflow, under the same names in every read that carries them.
_PROJECT_VERSION = (
    _projects.c.id.label("project_id"),
    _projects.c.schema_version,
    _projects.c.guideline_version,
    _projects.c.workflow,
    _projects.c.workflow_version,
    _projects.c.created_at.label("project_created_at"),
)
_PROJECT_ROLES = (
    select(
        *_PROJECT_VERSION,
        _memberships.c.user_id,
        _memberships.c.role,
    )
    .select_from(
        _projects.outerjoin(
            _memberships,
            and_(
                _memberships.c.project_id == _projects.c.id,
                any_of(_memberships.c.user_id, "user_ids"),
            ),
        )
    )
    .where(_projects.c.id == bindparam("project_id"))
)


def project_and_roles(
    session: Session, project_id: int, user_ids: Iterable[int]
) -> tuple[Row[Any] | None, dict[int, str]]:
    """A project's versions and workflow, and the roles these users have in it, in one read."""
    params = {"project_id": project_id, "user_ids": sorted(set(user_ids))}
    rows = rows_of(session, _PROJECT_ROLES, params)
    roles = {row.user_id: row.role for row in rows if row.user_id is not None}
    return (rows[0] if rows else None), roles


_LIVE_CLAIMS = select(_assignments.c.user_id).where(
    _assignments.c.project_id == bindparam("project_id"),
    any_of(_assignments.c.user_id, "user_ids"),
    _assignments.c.stage == bindparam("stage"),
    _assignments.c.status == "active",
    _assignments.c.leased_until >= bindparam("now"),
)


def users_with_live_claims(
    session: Session, project_id: int, user_ids: Iterable[int], stage: str, now: datetime
) -> set[int]:
    params = {
        "project_id": project_id,
        "user_ids": sorted(set(user_ids)),
        "stage": stage,
        "now": now,
    }
    return {row[0] for row in rows_of(session, _LIVE_CLAIMS, params)}


def _label_windows(*, locking: bool) -> Any:
    """The first tasks of each label state that still need annotators, with how many more
    each takes (each window the same index range scan as a single claim, without its per-user
    condition), and for each task the batch's users it may not be served to again: one row per
    (task, such user), or one row with no user."""
    overlap = bindparam("overlap", type_=Integer)
    room = overlap + _tasks.c.extra_overlap - _tasks.c.annotation_count
    windows = []
    for rank, state in enumerate(LABEL_SERVING_ORDER):
        window = (
            select(
                _tasks.c.id,
                (room - _tasks.c.lease_count).label("room"),
                literal(rank).label("rank"),
                _tasks.c.priority,
                _tasks.c.learning_score,
            )
            .where(
                _tasks.c.project_id == bindparam("project_id"),
                _tasks.c.state == state,
                needs_annotators(overlap),
            )
            .order_by(*QUEUE_ORDER)
            .limit(bindparam("limit", type_=Integer))
        )
        if locking:  # skipping the rows other claims hold
            window = window.with_for_update(skip_locked=True, of=_tasks)
        windows.append(select(window.cte(f"window_{state}")))
    both = union_all(*windows).subquery("windows")
    served = _assignments.alias("served")
    blocking = and_(
        served.c.task_id == both.c.id,
        any_of(served.c.user_id, "user_ids"),
        any_of(served.c.status, "blocking"),
    )
    if locking:
        # PostgreSQL: a lateral join probes the (task, user) index once per window task
        # whatever the statistics say (a hash join would read all the users' claims); OFFSET 0
        # keeps the planner from flattening it into such a join.
        users = select(served.c.user_id).where(blocking).offset(0).lateral("served_users")
        joined, user_id = both.outerjoin(users, true()), users.c.user_id
    else:
        joined, user_id = both.outerjoin(served, blocking), served.c.user_id
    return (
        select(both.c.id, both.c.room, both.c.rank, user_id)
        .select_from(joined)
        .order_by(both.c.rank, both.c.priority.desc(), both.c.learning_score.desc(), both.c.id)
    )


_LABEL_WINDOWS = {False: _label_windows(locking=False), True: _label_windows(locking=True)}


@dataclass
class LabelWindow:
    """One label state's window: `(task id, free places)` in queue order; `full` when tasks of
    the state may lie beyond it."""

    tasks: list[tuple[int, int]] = field(default_factory=list)
    full: bool = False


def label_windows(
    session: Session,
    project_id: int,
    user_ids: Iterable[int],
    *,
    overlap: int,
    limit: int,
    locking: bool,
) -> tuple[dict[str, LabelWindow], set[tuple[int, int]]]:
    """Each label state's window of `limit` tasks (on PostgreSQL locked), and the (task, user)
    pairs among them and these users that may not be served again. One statement."""
    params = {
        "project_id": project_id,
        "overlap": overlap,
        "limit": limit,
        "user_ids": sorted(set(user_ids)),
        "blocking": list(BLOCKING),
    }
    windows = {state: LabelWindow() for state in LABEL_SERVING_ORDER}
    blocked: set[tuple[int, int]] = set()
    last: int | None = None
    rows = rows_of(session, _LABEL_WINDOWS[locking], params)
    for task_id, room, rank, user_id in rows:
        if task_id != last:
            windows[LABEL_SERVING_ORDER[rank]].tasks.append((int(task_id), int(room)))
            last = task_id
        if user_id is not None:
            blocked.add((int(task_id), int(user_id)))
    for window in windows.values():
        window.full = len(window.tasks) == limit
    return windows, blocked


_ADD_LEASES = (
    update(_tasks)
    .where(any_of(_tasks.c.id, "task_ids"))
    .values(lease_count=_tasks.c.lease_count + bindparam("n"))
    .returning(*_tasks.c)
)


def add_leases(session: Session, leases: Mapping[int, int]) -> dict[int, Row[Any]]:
    """Count `n` more live claims on each task (`{task id: n}`); returns the tasks' rows."""
    by_count: dict[int, list[int]] = defaultdict(list)
    for task_id, n in leases.items():
        by_count[n].append(task_id)
    rows = {}
    for n, task_ids in sorted(by_count.items()):
        params = {"task_ids": sorted(task_ids), "n": n}
        rows.update((row.id, row) for row in rows_of(session, _ADD_LEASES, params))
    return rows


_TASK_AND_USER = ("task_id", "user_id")  # one claim per user and task


def insert_assignments(session: Session, values: list[dict[str, Any]]) -> list[Row[Any]]:
    """New claims, one round trip; their rows in the order given."""
    return insert_many(
        session, _assignments, values, returning=_assignments.c.keys(), match=_TASK_AND_USER
    )


def _by_task(statement: Any, task_ids: Iterable[int], session: Session) -> dict[int, list[Any]]:
    out: dict[int, list[Any]] = defaultdict(list)
    for row in rows_of(session, statement, {"task_ids": sorted(set(task_ids))}):
        out[row.task_id].append(row)
    return out


_predictions, _comments, _reviews = (
    Prediction.__table__,
    TaskComment.__table__,
    Review.__table__,
)
_PREDICTIONS = (
    select(_predictions)
    .where(any_of(_predictions.c.task_id, "task_ids"))
    .order_by(_predictions.c.id)
)
_COMMENTS = (
    select(_comments).where(any_of(_comments.c.task_id, "task_ids")).order_by(_comments.c.id)
)
_REVIEWS = (
    select(_reviews, _annotations.c.task_id)
    .join(_annotations, _annotations.c.id == _reviews.c.annotation_id)
    .where(any_of(_annotations.c.task_id, "task_ids"))
    .order_by(_reviews.c.id)
)


_CONTEXT_KINDS = union_all(
    *(
        select(literal(kind).label("kind"), column)
        .select_from(source)
        .where(any_of(column, "task_ids"))
        .group_by(column)
        for kind, column, source in (
            ("predictions", _predictions.c.task_id, _predictions),
            ("comments", _comments.c.task_id, _comments),
            (
                "reviews",
                _annotations.c.task_id,
                _reviews.join(_annotations, _annotations.c.id == _reviews.c.annotation_id),
            ),
        )
    )
)


def task_contexts(
    session: Session, task_ids: Sequence[int]
) -> tuple[dict[int, list[Row[Any]]], dict[int, list[Row[Any]]], dict[int, list[Row[Any]]]]:
    """Predictions, comments and reviews of many tasks, by task, oldest first. One probe says
    which tasks have any of each; only those are read."""
    having: dict[str, set[int]] = defaultdict(set)
    params = {"task_ids": sorted(set(task_ids))}
    for kind, task_id in rows_of(session, _CONTEXT_KINDS, params):
        having[kind].add(task_id)
    predictions, comments, reviews = (
        _by_task(statement, having[kind], session) if having[kind] else {}
        for kind, statement in (
            ("predictions", _PREDICTIONS),
            ("comments", _COMMENTS),
            ("reviews", _REVIEWS),
        )
    )
    return predictions, comments, reviews


_ACKED = select(GuidelineAck.__table__.c.user_id, GuidelineAck.__table__.c.version).where(
    GuidelineAck.__table__.c.project_id == bindparam("project_id"),
    any_of(GuidelineAck.__table__.c.user_id, "user_ids"),
)


def acknowledged_guidelines(
    session: Session, project_id: int, user_ids: Iterable[int]
) -> dict[int, int]:
    """The newest guideline version each user acknowledged (absent: none)."""
    params = {"project_id": project_id, "user_ids": sorted(set(user_ids))}
    return {row[0]: int(row[1]) for row in rows_of(session, _ACKED, params)}


# Submissions.

_SUBMISSIONS = (
    select(
        _assignments.c.id,
        _assignments.c.user_id,
        _assignments.c.stage,
        _assignments.c.status,
        _assignments.c.leased_until,
        _assignments.c.created_at,
        _tasks.c.id.label("task_id"),
        _tasks.c.data,
        _tasks.c.state,
        *_PROJECT_VERSION,
    )
    .join(_tasks, _tasks.c.id == _assignments.c.task_id)
    # Through the task, not the claim's own project_id: with that join a planner that thinks
    # the claims are few read all the project's claims from the (project, status, lease)
    # index to intersect them with the ids asked for.
    .join(_projects, _projects.c.id == _tasks.c.project_id)
    .where(any_of(_assignments.c.id, "assignment_ids"))
)


def submission_contexts(session: Session, assignment_ids: Iterable[int]) -> dict[int, Row[Any]]:
    """Assignments with what submitting them needs to know of their task and project."""
    params = {"assignment_ids": sorted(set(assignment_ids))}
    return {row.id: row for row in rows_of(session, _SUBMISSIONS, params)}


_COMPLETE_MANY = (
    update(_assignments)
    .where(
        any_of(_assignments.c.id, "assignment_ids"),
        _assignments.c.status == "active",
        _assignments.c.leased_until >= bindparam("now"),
    )
    .values(status="submitted", completed_at=bindparam("now"))
)
_COMPLETE_MANY_RETURNING = {
    # SQLite: the annotations' ids are known once they are inserted (`link_annotations`).
    False: _COMPLETE_MANY.returning(_assignments.c.id, null().label("annotation_id")),
    # PostgreSQL: each live claim draws its annotation's id from the annotations' sequence
    # and keeps it, so the claim is written once (a second update of the claim to link it
    # cost more than the first: a new version of the row in each of its indexes).
    True: _COMPLETE_MANY.values(
        annotation_id=func.nextval(cast(func.pg_get_serial_sequence("annotations", "id"), REGCLASS))
    ).returning(_assignments.c.id, _assignments.c.annotation_id),
}
_REOPEN = (
    update(_assignments)
    .where(any_of(_assignments.c.id, "assignment_ids"))
    .values(status="active", completed_at=None, annotation_id=None)
)


def complete_assignments(
    session: Session, assignment_ids: Iterable[int], now: datetime, *, allocate: bool
) -> dict[int, int | None]:
    """Mark live claims submitted (locks them). Returns the ids that were live, each with the
    id its annotation is to have: with `allocate` (PostgreSQL) drawn here and already linked
    to the claim, else None (insert, then `link_annotations`)."""
    params = {"assignment_ids": sorted(set(assignment_ids)), "now": now}
    return dict(rows_of(session, _COMPLETE_MANY_RETURNING[allocate], params))


def reopen_assignments(session: Session, assignment_ids: Iterable[int]) -> None:
    """Undo `complete_assignments` for some of them, in the same transaction."""
    rows_of(session, _REOPEN, {"assignment_ids": sorted(set(assignment_ids))})


_PROGRESS_COLUMNS = (
    _tasks.c.id,
    _tasks.c.state,
    _tasks.c.annotation_count,
    _tasks.c.lease_count,
    _tasks.c.extra_overlap,
    _tasks.c.stage_reason,
    _tasks.c.final_annotation_id,
    _tasks.c.final_path,
)


def _progress(*, locking: bool) -> Any:
    # FOR NO KEY UPDATE: what the UPDATE of these columns takes anyway; it does not conflict
    # with the KEY SHARE lock that inserting an annotation of the task takes.
    statement = (
        select(*_PROGRESS_COLUMNS).where(any_of(_tasks.c.id, "task_ids")).order_by(_tasks.c.id)
    )
    return statement.with_for_update(key_share=True, of=_tasks) if locking else statement


_PROGRESS_MANY = {False: _progress(locking=False), True: _progress(locking=True)}


def tasks_progress(
    session: Session, task_ids: Iterable[int], *, locking: bool
) -> dict[int, Row[Any]]:
    """Tasks' workflow columns (locked in id order on PostgreSQL)."""
    params = {"task_ids": sorted(set(task_ids))}
    return {row.id: row for row in rows_of(session, _PROGRESS_MANY[locking], params)}


def save_tasks_progress(session: Session, values: list[dict[str, Any]]) -> None:
    """Write tasks' workflow columns (`id` and the columns of `tasks_progress`)."""
    update_many(session, _tasks, values)


_TASK_AND_AUTHOR = ("task_id", "author_id")  # one label per claim


def insert_annotations(session: Session, values: list[dict[str, Any]]) -> list[Row[Any]]:
    """New annotations (with their `id` where `complete_assignments` drew it), one statement;
    their rows in the order given."""
    return insert_many(
        session, _annotations, values, returning=_annotations.c.keys(), match=_TASK_AND_AUTHOR
    )


def link_annotations(session: Session, links: list[dict[str, int]]) -> None:
    """`[{id, annotation_id}]`: the annotation each claim produced."""
    update_many(session, _assignments, links)


_CURRENT_RESULTS = (
    select(_annotations.c.id, _annotations.c.task_id, _annotations.c.results)
    .where(
        any_of(_annotations.c.task_id, "task_ids"),
        _annotations.c.status == "submitted",
        _annotations.c.deleted_at.is_(None),
    )
    .order_by(_annotations.c.id)
)


def current_label_results(session: Session, task_ids: Iterable[int]) -> dict[int, list[Row[Any]]]:
    """`(id, task_id, results)` of the tasks' live submitted annotations, by task, oldest first."""
    return _by_task(_CURRENT_RESULTS, task_ids, session)
