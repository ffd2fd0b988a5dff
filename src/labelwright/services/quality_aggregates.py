"""Incremental quality aggregates: kept current in the same transaction as every annotation,
review and gold write, so each quality endpoint reads a few small rows.

How it works: a write path calls `mark_task_changed(session, task_id)`; just before that
session commits, the changed tasks are locked and refreshed: each task's old contribution to
the project sums (recomputed from the inputs stored in `quality_task_states`: annotation ids,
review ids, gold result, overturning reviewers) is subtracted and its new one added
(`quality.increments`), and its per-control agreement row is replaced. A task has few
annotations, so a refresh costs milliseconds whatever the project size.

Bulk paths that write annotations without the hook (imports, schema migrations) are caught up
on the next read: annotations newer than the newest one counted, or a new schema version,
are counted then if there are at most `CATCH_UP_LIMIT` of them; beyond that the endpoints
answer 409 until `labelwright quality rebuild` has run (also the backfill after upgrading).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from labelwright.domain import LabelingSchema
from labelwright.errors import Conflict
from labelwright.quality.increments import TaskContribution, TaskInputs, task_contribution
from labelwright.services.schemas import current_schema
from labelwright.store.db import begin_write
from labelwright.store.models import Project
from labelwright.store.repositories import quality as repo

CATCH_UP_LIMIT = 20_000
"""Most annotations a read counts on the spot when the aggregates fell behind."""
LOW_AGREEMENT = 0.5
"""Tasks whose mean pairwise agreement on a control is below this are flagged."""
_DIRTY = "labelwright.quality.changed_tasks"


def mark_task_changed(session: Session, task_id: int) -> None:
    """Note that a task's annotations, reviews or gold changed in this transaction; its
    aggregates are refreshed just before the session commits."""
    session.info.setdefault(_DIRTY, set()).add(task_id)


@event.listens_for(Session, "before_commit")
def _refresh_changed_tasks(session: Session) -> None:
    changed: set[int] | None = session.info.pop(_DIRTY, None)
    if not changed:
        return
    by_project: dict[int, list[int]] = defaultdict(list)
    for task_id, project_id in repo.project_of_tasks(session, changed).items():
        by_project[project_id].append(task_id)
    for project_id, task_ids in sorted(by_project.items()):
        project = session.get(Project, project_id)
        if project is not None:
            refresh_tasks(session, project, task_ids)


@event.listens_for(Session, "after_rollback")
def _forget_changed_tasks(session: Session) -> None:
    session.info.pop(_DIRTY, None)


def refresh_tasks(session: Session, project: Project, task_ids: Sequence[int]) -> None:
    """Bring the aggregates of these tasks up to date (inside the caller's transaction).

    A project whose aggregates do not exist yet, or were built for another schema version, is
    rebuilt instead when it is small (`CATCH_UP_LIMIT`), else left for `rebuild_project`.
    """
    state = repo.quality_state(session, project.id)
    if state is None or state.schema_version != project.schema_version:
        if repo.count_annotations_after(session, project.id, 0, limit=CATCH_UP_LIMIT) <= (
            CATCH_UP_LIMIT
        ):
            rebuild_project(session, project)
        return
    ids = sorted(set(task_ids))
    repo.lock_tasks(session, ids)
    schema = current_schema(session, project)
    texts = _texts(session, schema, ids)
    old = _stored_inputs(session, project, repo.task_states(session, ids), texts)
    new, states = _current_inputs(session, project, ids, texts)
    deltas: defaultdict[tuple[str, str, str], float] = defaultdict(float)
    scores: dict[int, Mapping[str, float]] = {}
    for task_id in ids:
        after = _contribution(schema, new.get(task_id))
        for key, amount in after.sums.items():
            deltas[key] += amount
        for key, amount in _contribution(schema, old.get(task_id)).sums.items():
            deltas[key] -= amount
        scores[task_id] = after.scores
    repo.add_to_counters(session, project.id, deltas)
    now = datetime.now(UTC)
    repo.save_task_states(session, project.id, {t: states.get(t) for t in ids}, now)
    repo.save_task_scores(session, project.id, scores)
    repo.raise_max_annotation_id(session, project.id, repo.max_annotation_id_of_tasks(session, ids))


def forget_task(session: Session, task_id: int) -> None:
    """Take a task out of the aggregates before it is deleted (its rows cascade away, so its
    contribution must be subtracted while its inputs can still be read)."""
    project_id = repo.project_of_tasks(session, [task_id]).get(task_id)
    project = session.get(Project, project_id) if project_id is not None else None
    state = repo.quality_state(session, project_id) if project_id is not None else None
    if project is None or state is None or state.schema_version != project.schema_version:
        return
    schema = current_schema(session, project)
    texts = _texts(session, schema, [task_id])
    old = _stored_inputs(session, project, repo.task_states(session, [task_id]), texts)
    contribution = _contribution(schema, old.get(task_id))
    repo.add_to_counters(session, project.id, {k: -v for k, v in contribution.sums.items()})
    repo.save_task_states(session, project.id, {task_id: None}, datetime.now(UTC))
    repo.save_task_scores(session, project.id, {task_id: {}})
    session.info.get(_DIRTY, set()).discard(task_id)


def rebuild_project(session: Session, project: Project) -> int:
    """Recompute a project's aggregates from scratch (inside the caller's transaction);
    returns the number of tasks counted."""
    now = datetime.now(UTC)
    schema = current_schema(session, project)
    newest = repo.max_annotation_id(session, project.id)
    repo.clear_aggregates(session, project.id, schema_version=project.schema_version, now=now)
    totals: defaultdict[tuple[str, str, str], float] = defaultdict(float)
    counted = 0
    for ids in repo.project_task_batches(session, project.id):
        texts = _texts(session, schema, ids)
        inputs, states = _current_inputs(session, project, ids, texts)
        scores: dict[int, Mapping[str, float]] = {}
        for task_id, task_inputs in inputs.items():
            contribution = _contribution(schema, task_inputs)
            for key, amount in contribution.sums.items():
                totals[key] += amount
            if contribution.scores:
                scores[task_id] = contribution.scores
        repo.save_task_states(session, project.id, dict(states), now)
        repo.save_task_scores(session, project.id, scores)
        counted += len(inputs)
    repo.add_to_counters(session, project.id, totals)
    repo.raise_max_annotation_id(session, project.id, newest)
    return counted


def ensure_current(session: Session, project: Project) -> None:
    """Before a read: count what bulk paths wrote since the aggregates were last current.

    Ends the session's read transaction when it has to write (the caller re-reads).

    Raises:
        Conflict: More than `CATCH_UP_LIMIT` annotations are not counted yet.
    """
    state = repo.quality_state(session, project.id)
    current = state is not None and state.schema_version == project.schema_version
    seen = state.max_annotation_id if state is not None and current else 0
    newest = repo.max_annotation_id(session, project.id)
    if current and newest <= seen:
        return
    pending = repo.count_annotations_after(session, project.id, seen, limit=CATCH_UP_LIMIT)
    if pending > CATCH_UP_LIMIT:
        raise Conflict(
            f"The quality aggregates of project {project.id} are behind by more than "
            f"{CATCH_UP_LIMIT} annotations (a bulk import, a schema change or an upgrade); "
            f"run `labelwright quality rebuild --project {project.id}` once."
        )
    project_id = project.id
    session.rollback()
    begin_write(session)
    fresh = session.get(Project, project_id)
    if fresh is None:
        session.rollback()
        return
    state = repo.quality_state(session, project_id)
    if state is None or state.schema_version != fresh.schema_version:
        rebuild_project(session, fresh)
    else:
        tasks = repo.tasks_annotated_after(session, project_id, state.max_annotation_id)
        if tasks:
            refresh_tasks(session, fresh, tasks)
        repo.raise_max_annotation_id(session, project_id, newest)
    session.commit()


def _contribution(schema: LabelingSchema, inputs: TaskInputs | None) -> TaskContribution:
    if inputs is None:
        return TaskContribution({}, {})
    return task_contribution(schema, inputs, low_threshold=LOW_AGREEMENT)


def _utc(row: repo.AnnotationRow) -> repo.AnnotationRow:
    at = row.created_at
    if at.tzinfo is None:
        return row._replace(created_at=at.replace(tzinfo=UTC))
    return row


def _texts(
    session: Session, schema: LabelingSchema, task_ids: Sequence[int]
) -> dict[int, dict[str, str]]:
    objects = {
        c.of for c in schema.controls if c.type == "spans" and schema.objects[c.of].type == "text"
    }
    if not objects:
        return {}
    texts: dict[int, dict[str, str]] = {}
    for task_id, body in repo.task_data(session, task_ids).items():
        for name in objects:
            value = body.get(schema.data_key(name))
            if isinstance(value, str):
                texts.setdefault(task_id, {})[str(name)] = value
    return texts


def _current_inputs(
    session: Session, project: Project, task_ids: Sequence[int], texts: Mapping[int, Any]
) -> tuple[dict[int, TaskInputs], dict[int, dict[str, Any]]]:
    records: dict[int, list[repo.AnnotationRow]] = defaultdict(list)
    for row in repo.live_annotations_of(session, task_ids):
        records[row.task_id].append(_utc(row))
    reviews: dict[int, list[repo.ReviewRow]] = defaultdict(list)
    for judged in repo.reviews_of_tasks(session, task_ids):
        reviews[judged.task_id].append(judged.review)
    gold = repo.gold_of_tasks(session, task_ids)
    overturning = repo.overturning_reviewers(
        session, project.id, (r.reviewer_id for rows in reviews.values() for r in rows)
    )
    inputs: dict[int, TaskInputs] = {}
    states: dict[int, dict[str, Any]] = {}
    for task_id in task_ids:
        own, judged = records.get(task_id, []), reviews.get(task_id, [])
        expected = gold.get(task_id)
        if not own and not judged and expected is None:
            continue
        deciders = sorted({r.reviewer_id for r in judged if r.reviewer_id in overturning})
        inputs[task_id] = TaskInputs(
            task_id, own, expected, texts.get(task_id, {}), judged, frozenset(deciders)
        )
        states[task_id] = {
            "a": [r.id for r in own],
            "r": [r.id for r in judged],
            "g": expected,
            "o": deciders,
        }
    return inputs, states


def _stored_inputs(
    session: Session,
    project: Project,
    states: Mapping[int, Mapping[str, Any]],
    texts: Mapping[int, Any],
) -> dict[int, TaskInputs]:
    annotation_ids = [i for s in states.values() for i in s.get("a", [])]
    review_ids = [i for s in states.values() for i in s.get("r", [])]
    records: dict[int, list[repo.AnnotationRow]] = defaultdict(list)
    for row in repo.annotations_by_id(session, annotation_ids):
        records[row.task_id].append(_utc(row))
    reviews: dict[int, list[repo.ReviewRow]] = defaultdict(list)
    for judged in repo.reviews_by_id(session, review_ids):
        reviews[judged.task_id].append(judged.review)
    return {
        task_id: TaskInputs(
            task_id,
            records.get(task_id, []),
            state.get("g"),
            texts.get(task_id, {}),
            reviews.get(task_id, []),
            frozenset(state.get("o", [])),
        )
        for task_id, state in states.items()
    }


def rebuild_all(session: Session, project_ids: Iterable[int] | None = None) -> dict[int, int]:
    """Rebuild several projects (default: all), committing after each; project id -> tasks
    counted. This is the backfill after upgrading to the aggregates."""
    counted = {}
    ids = list(project_ids) if project_ids is not None else repo.all_project_ids(session)
    for project_id in ids:
        session.rollback()
        begin_write(session)
        project = session.get(Project, project_id)
        if project is None:
            session.rollback()
            continue
        counted[project_id] = rebuild_project(session, project)
        session.commit()
    return counted
