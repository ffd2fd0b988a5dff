"""Incremental quality aggregates, refreshed off the write path, so that each quality
endpoint reads a few small rows and a submission pays for one small insert.

Writers only record which tasks changed: a write path calls
`mark_task_changed(session, project_id, task_id)`, and just before that session commits one
upsert stores the pairs in `quality_dirty_tasks` (before the audit writer takes its global
lock). Nothing else about quality happens in the writing transaction, so concurrent submitters
never queue on the shared counter rows.

A catch-up counts the marked tasks later (`refresh_dirty`): in one transaction it takes the
project's aggregate lock (a PostgreSQL advisory lock; SQLite's write lock), deletes a batch of
marked rows (`FOR UPDATE SKIP LOCKED`: rows that writers in flight hold stay for later) and
refreshes those tasks: each task's old contribution to the project sums (recomputed from the
inputs stored in `quality_task_states`: annotation ids, review ids, gold result, overturning
reviewers) is subtracted and its new one added (`quality.increments`), and its per-control
agreement row is replaced. Because the rows are deleted first, a write that commits after the
catch-up read the task marks it again and is counted by the next catch-up; a refresh is
idempotent, so counting a task twice is harmless. Writers lock their marked rows until they
commit (the upsert updates an existing row), so a catch-up never takes a row whose
transaction is still in flight. Catch-ups run in the server's background refresher
(`catch_up_all`, every `LABELWRIGHT_QUALITY_REFRESH_SECONDS`), safely from several processes,
and briefly on every quality read (`catch_up_for_read`: for at most
`LABELWRIGHT_QUALITY_READ_BUDGET_MS`, then the read answers from the aggregates as they are,
with the number of changes still `pending`).

Annotations not marked by their writer (an upgrade from before the aggregates, rows written
around the services) are found by a watermark: `quality_states.max_annotation_id` is the newest
annotation counted, and newer ones are counted in chunks by the same catch-ups. Imports mark
the tasks they annotate, so they are counted like submissions. A new schema version, or no
aggregates yet, means a rebuild: done on the spot for a project of at most
`INLINE_REBUILD_LIMIT` annotations; a larger project's aggregates are emptied and the
watermark set back to the start, so the background catch-ups recount it chunk by chunk
(`labelwright quality rebuild` does it in one go).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from labelwright.domain import LabelingSchema
from labelwright.quality.increments import TaskContribution, TaskInputs, task_contribution
from labelwright.services.schemas import current_schema
from labelwright.store.db import begin_write
from labelwright.store.models import Project
from labelwright.store.repositories import quality as repo

INLINE_REBUILD_LIMIT = 2_000
"""Most annotations of a project whose missing or outdated aggregates are rebuilt in one
transaction (by a read or the refresher); larger projects are recounted in chunks."""
PENDING_COUNT_LIMIT = 100_000
"""Most uncounted changes a read counts to report them (`pending`)."""
READ_BATCH = 50
"""Changed tasks counted per transaction by a read's catch-up (the writers of those tasks, and
on SQLite every writer, wait for it)."""
REFRESH_BATCH = 20
"""Changed tasks per transaction of the background refresher on SQLite: few, since every
writer waits for the database's one write lock meanwhile, and it rests as long as each batch
took before the next one."""
REFRESH_BATCH_POSTGRESQL = 200
"""The same on PostgreSQL, where a batch holds up only writers of its own tasks: per task, a
batch of 200 costs a quarter of the CPU of ten batches of 20 (measured at 1M tasks)."""
MAX_BATCHES_PER_PASS = 50
"""Batches per project in one pass of the background refresher."""
_MAX_REST = 0.1
LOW_AGREEMENT = 0.5
"""Tasks whose mean pairwise agreement on a control is below this are flagged."""
_CHANGED = "labelwright.quality.changed_tasks"


def mark_task_changed(session: Session, project_id: int, task_id: int) -> None:
    """Note that a task's annotations, reviews or gold changed in this transaction; the task is
    marked for the next catch-up when the session commits."""
    session.info.setdefault(_CHANGED, set()).add((project_id, task_id))


def mark_tasks_changed_in_bulk(session: Session, project_id: int, task_ids: Sequence[int]) -> None:
    """Mark many tasks of a project at once, now, with one statement (bulk writes)."""
    repo.mark_dirty_tasks_of(session, project_id, task_ids)


@event.listens_for(Session, "before_commit", insert=True)
def _record_changed_tasks(session: Session) -> None:
    changed: set[tuple[int, int]] | None = session.info.pop(_CHANGED, None)
    if not changed:
        return
    session.flush()  # the transaction's own row locks first, then the marks
    repo.mark_dirty(session, sorted(changed))


@event.listens_for(Session, "after_rollback")
def _forget_changed_tasks(session: Session) -> None:
    session.info.pop(_CHANGED, None)


def _is_current(session: Session, project: Project) -> bool:
    state = repo.quality_state(session, project.id)
    return state is not None and state.schema_version == project.schema_version


def refresh_tasks(session: Session, project: Project, task_ids: Sequence[int]) -> None:
    """Bring the aggregates of these tasks up to date, inside the caller's write transaction,
    which holds the project's aggregate lock (`repo.lock_project_aggregates`) and found the
    aggregates current for the project's schema version. Idempotent."""
    ids = sorted(set(task_ids))
    if not ids:
        return
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


def refresh_dirty(
    session: Session,
    project_id: int | None = None,
    *,
    limit: int = REFRESH_BATCH,
    wait: bool = True,
) -> int:
    """Count one batch of changed tasks: at most `limit` of the project's (None: of each
    project with changed tasks), one committed transaction per project; returns how many
    tasks were taken. Ends the session's current transaction first.

    Without `wait`, a project whose aggregates another transaction is writing is skipped.
    Safe to run from several processes at once: each batch is taken away atomically.
    """
    ids = [project_id] if project_id is not None else _dirty_projects(session)
    return sum(_refresh_dirty_batch(session, p, limit=limit, wait=wait) for p in ids)


def _dirty_projects(session: Session) -> list[int]:
    session.rollback()
    ids = repo.dirty_project_ids(session)
    session.rollback()
    return ids


def _refresh_dirty_batch(session: Session, project_id: int, *, limit: int, wait: bool) -> int:
    session.rollback()
    begin_write(session)
    try:
        if not repo.lock_project_aggregates(session, project_id, wait=wait):
            session.rollback()
            return 0
        project = session.get(Project, project_id)
        taken = repo.take_dirty_tasks(session, project_id, limit=limit) if project else []
        if not taken:
            session.rollback()
            return 0
        if project is not None:
            state = repo.quality_state(session, project_id)
            if state is None or state.schema_version != project.schema_version:
                # Counted by the rebuild, now when the project is small, else chunk by chunk.
                if _small(session, project):
                    rebuild_project(session, project)
                else:
                    reset_for_recount(session, project)
            else:
                refresh_tasks(session, project, taken)
                _advance_watermark(session, project_id, state.max_annotation_id, taken)
        session.commit()
        return len(taken)
    except BaseException:
        session.rollback()
        raise


def _advance_watermark(session: Session, project_id: int, seen: int, counted: list[int]) -> None:
    """After counting marked tasks: the watermark moves up to their newest annotation, but
    not past an annotation that nobody marked (that one is left to the watermark path)."""
    upto = repo.max_annotation_id_of_tasks(session, counted)
    if upto <= seen:
        return
    unmarked = repo.first_unmarked_annotation(
        session, project_id, after=seen, upto=upto, counted=counted
    )
    repo.raise_max_annotation_id(session, project_id, upto if unmarked is None else unmarked - 1)


def _small(session: Session, project: Project) -> bool:
    """Whether a rebuild of the project fits one short transaction."""
    annotations = repo.count_annotations_after(session, project.id, 0, limit=INLINE_REBUILD_LIMIT)
    return annotations <= INLINE_REBUILD_LIMIT


def _catch_up_watermark(
    session: Session,
    project_id: int,
    *,
    chunk: int,
    chunks: int | None,
    wait: bool,
    rest: bool = False,
) -> int:
    """Count annotations newer than the watermark, `chunk` annotations per committed
    transaction, at most `chunks` transactions (None: until current); returns how many."""
    counted = done = 0
    took = 0.0
    while chunks is None or done < chunks:
        if rest and done:
            time.sleep(min(took, _MAX_REST))
        started = time.monotonic()
        session.rollback()
        begin_write(session)
        if not repo.lock_project_aggregates(session, project_id, wait=wait):
            session.rollback()
            break
        project = session.get(Project, project_id)
        state = repo.quality_state(session, project_id)
        if project is None or state is None or state.schema_version != project.schema_version:
            session.rollback()
            break
        rows = repo.annotations_after(session, project_id, state.max_annotation_id, limit=chunk)
        if not rows:
            session.rollback()
            break
        refresh_tasks(session, project, sorted({task_id for _, task_id in rows}))
        repo.raise_max_annotation_id(session, project_id, rows[-1][0])
        session.commit()
        counted += len(rows)
        done += 1
        took = time.monotonic() - started
    return counted


def forget_task(session: Session, task_id: int) -> None:
    """Take a task out of the aggregates before it is deleted, inside the deleting
    transaction (its contribution must be subtracted while its inputs can still be read)."""
    project_id = repo.project_of_tasks(session, [task_id]).get(task_id)
    if project_id is None:
        return
    for key in [k for k in session.info.get(_CHANGED, set()) if k[1] == task_id]:
        session.info[_CHANGED].discard(key)
    repo.lock_project_aggregates(session, project_id)
    project = session.get(Project, project_id)
    if project is None or not _is_current(session, project):
        return
    schema = current_schema(session, project)
    texts = _texts(session, schema, [task_id])
    old = _stored_inputs(session, project, repo.task_states(session, [task_id]), texts)
    contribution = _contribution(schema, old.get(task_id))
    repo.add_to_counters(session, project.id, {k: -v for k, v in contribution.sums.items()})
    repo.save_task_states(session, project.id, {task_id: None}, datetime.now(UTC))
    repo.save_task_scores(session, project.id, {task_id: {}})


def rebuild_project(session: Session, project: Project) -> int:
    """Recompute a project's aggregates from scratch (inside the caller's write transaction);
    returns the number of tasks counted. Marks of the project's tasks are consumed."""
    repo.lock_project_aggregates(session, project.id)
    repo.take_dirty_tasks(session, project.id, limit=None)
    now = datetime.now(UTC)
    schema = current_schema(session, project)
    newest = repo.max_annotation_id(session, project.id)
    repo.clear_aggregates(session, project.id, schema_version=project.schema_version, now=now)
    totals: defaultdict[tuple[str, str, str], float] = defaultdict(float)
    counted = 0
    for ids in repo.project_task_batches(session, project.id, upto=newest):
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


def catch_up_for_read(session: Session, project: Project, *, budget: float | None) -> int:
    """Before a read: count the changes made since the aggregates were last current, for at
    most `budget` seconds (None: until done; batches of `READ_BATCH` changed tasks, then
    chunks of unmarked annotations), and return how many changes are still not counted
    (changed tasks plus newer annotations of other tasks, at most `PENDING_COUNT_LIMIT`): the
    read answers at once from the aggregates as they are, and the background refresher counts
    the rest.

    Aggregates missing or built for an older schema version are rebuilt on the spot for a
    project of at most `INLINE_REBUILD_LIMIT` annotations; a larger project's are reset and
    recounted by the background refresher (`catch_up_all`), and all its annotations are
    pending meanwhile.

    Ends the session's read transaction when it has to write (the caller re-reads).
    """
    deadline = time.monotonic() + budget if budget is not None else float("inf")
    project_id = project.id
    state = repo.quality_state(session, project_id)
    if state is None or state.schema_version != project.schema_version:
        total = repo.count_annotations_after(session, project_id, 0, limit=PENDING_COUNT_LIMIT)
        if total > INLINE_REBUILD_LIMIT:
            session.rollback()
            return total
        _rebuild_now(session, project_id)
        return 0
    caught_up = False
    while time.monotonic() < deadline:
        if refresh_dirty(session, project_id, limit=READ_BATCH) < READ_BATCH:
            caught_up = True
            break
    if caught_up:
        session.rollback()
        while time.monotonic() < deadline:
            if not _catch_up_watermark(
                session, project_id, chunk=READ_BATCH * 4, chunks=1, wait=True
            ):
                break
    session.rollback()
    state = repo.quality_state(session, project_id)
    seen = state.max_annotation_id if state is not None else 0
    marked = repo.count_dirty(session, project_id, limit=PENDING_COUNT_LIMIT)
    unmarked = repo.count_unmarked_annotations_after(
        session, project_id, seen, limit=PENDING_COUNT_LIMIT
    )
    return min(marked + unmarked, PENDING_COUNT_LIMIT)


def _rebuild_now(session: Session, project_id: int) -> None:
    session.rollback()
    begin_write(session)
    repo.lock_project_aggregates(session, project_id)
    fresh = session.get(Project, project_id)
    if fresh is not None and not _is_current(session, fresh):
        rebuild_project(session, fresh)
    session.commit()


def reset_for_recount(session: Session, project: Project) -> None:
    """Empty a project's aggregates for its current schema version, with the watermark at the
    start, inside the caller's write transaction: the watermark path then counts every
    annotated task in chunks (and the marks, every gold task), which adds up to a rebuild
    without one long transaction."""
    repo.lock_project_aggregates(session, project.id)
    repo.take_dirty_tasks(session, project.id, limit=None)
    repo.clear_aggregates(
        session, project.id, schema_version=project.schema_version, now=datetime.now(UTC)
    )
    repo.mark_gold_tasks_dirty(session, project.id)


def _rebuild_in_background(session: Session, project_id: int) -> int:
    """A project whose aggregates are missing or out of date: rebuilt at once when small (the
    number of tasks counted is returned), else reset for the chunked recount (0)."""
    session.rollback()
    begin_write(session)
    if not repo.lock_project_aggregates(session, project_id, wait=False):
        session.rollback()
        return 0
    counted = 0
    project = session.get(Project, project_id)
    if project is not None and not _is_current(session, project):
        if _small(session, project):
            counted = rebuild_project(session, project)
        else:
            reset_for_recount(session, project)
    session.commit()
    return counted


def catch_up_all(
    session: Session,
    *,
    batch: int = REFRESH_BATCH,
    max_batches: int = MAX_BATCHES_PER_PASS,
    should_stop: Callable[[], bool] | None = None,
) -> int:
    """One pass of the background refresher over every project: the rebuilds due (small
    projects at once, larger ones reset for a chunked recount), at most `max_batches`
    batches of `batch` changed tasks each, then as many chunks of unmarked annotations of
    projects behind their watermark. Between two transactions it rests as long as the last one
    took (so SQLite writers get the write lock in between). Projects another process is
    catching up are skipped. Returns the number of tasks and annotations counted."""
    stop = should_stop or (lambda: False)
    counted = 0
    session.rollback()
    for project_id in repo.projects_to_rebuild(session):
        if stop():
            return counted
        counted += _rebuild_in_background(session, project_id)
    for project_id in _dirty_projects(session):
        for _ in range(max_batches):
            if stop():
                return counted
            started = time.monotonic()
            taken = refresh_dirty(session, project_id, limit=batch, wait=False)
            counted += taken
            if taken < batch:
                break
            time.sleep(min(time.monotonic() - started, _MAX_REST))
    session.rollback()
    # Projects still marking tasks move their watermark themselves (`_advance_watermark`).
    marking = set(repo.dirty_project_ids(session))
    behind = [p for p in repo.projects_behind(session) if p not in marking]
    for project_id in behind:
        if stop():
            break
        counted += _catch_up_watermark(
            session, project_id, chunk=batch * 4, chunks=max_batches, wait=False, rest=True
        )
    session.rollback()
    return counted


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
    for reviewed in repo.reviews_of_tasks(session, task_ids):
        reviews[reviewed.task_id].append(reviewed.review)
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
    for reviewed in repo.reviews_by_id(session, review_ids):
        reviews[reviewed.task_id].append(reviewed.review)
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
