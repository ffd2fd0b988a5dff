"""Deferred quality aggregates: writers only mark changed tasks; catch-ups (reads, the
background refresher) count them, concurrently and racing writers, without losing or double
counting anything (SQLite and PostgreSQL)."""

from __future__ import annotations

import io
import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import orjson
import psycopg
import pytest
from sqlalchemy import event, func, insert, select

from labelwright.services import (
    annotations,
    gold,
    imports,
    projects,
    quality,
    quality_aggregates,
    queue,
)
from labelwright.services import stages as stage_service
from labelwright.services.context import Platform
from labelwright.services.quality_refresher import QualityRefresher, start_quality_refresher
from labelwright.store.models import Annotation, Project, QualityState, Task
from labelwright.store.models.quality import QualityDirtyTask
from labelwright.store.repositories import quality as repo
from tests.builders import MadeUser, add_member, make_user
from tests.services.test_quality_aggregates import (
    SCHEMA,
    TEXT,
    World,
    _assert_matches_rebuild,
    _results,
    catch_up,
)

AGGREGATE_TABLES = ("quality_counters", "quality_task_states", "quality_task_scores")


def _marked(platform: Platform, project_id: int) -> set[int]:
    with platform.db.session() as session:
        rows = session.scalars(
            select(QualityDirtyTask.task_id).where(QualityDirtyTask.project_id == project_id)
        )
        return {int(t) for t in rows}


@contextmanager
def _statements(platform: Platform) -> Iterator[list[str]]:
    """The statements run meanwhile: on PostgreSQL as psycopg's cursors get them (some run
    there without SQLAlchemy), on SQLite as SQLAlchemy sends them."""
    seen: list[str] = []
    if platform.db.is_sqlite:

        def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
            seen.append(statement)

        event.listen(platform.db.engine, "before_cursor_execute", record)
        try:
            yield seen
        finally:
            event.remove(platform.db.engine, "before_cursor_execute", record)
        return
    with pytest.MonkeyPatch.context() as patch:
        for name in ("execute", "executemany"):
            real = getattr(psycopg.Cursor, name)

            def recording(cursor: Any, query: Any, *args: Any, _real: Any = real, **kw: Any) -> Any:
                seen.append(query if isinstance(query, str) else str(query))
                return _real(cursor, query, *args, **kw)

            patch.setattr(psycopg.Cursor, name, recording)
        yield seen


def test_a_submission_only_marks_its_task(platform: Platform) -> None:
    world = World(platform, 11)
    with platform.db.session() as session:
        annotations.create_annotation(
            session, world.annotators[1].actor, world.tasks[0], results={"sentiment": "pos"}
        )
    catch_up(platform, world.id)
    annotator = world.annotators[0]
    with platform.db.session() as session:
        served = queue.claim_next_task(platform, session, annotator.actor, world.id)
        assert served is not None
        task_id = served.task.id
        body = stage_service.Submission(results={"sentiment": "neg", "stars": 2})
        with _statements(platform) as seen:
            stage_service.submit_assignment(
                platform, session, annotator.actor, served.assignment.id, body
            )
    assert not [s for s in seen if any(t in s for t in AGGREGATE_TABLES)]
    assert not [s for s in seen if "quality_states" in s]
    marks = [s for s in seen if "quality_dirty_tasks" in s]
    assert len(marks) == 1 and marks[0].lstrip().upper().startswith("INSERT")
    assert _marked(platform, world.id) == {task_id}
    # Direct annotation writes, deletions and gold: likewise one mark per transaction.
    for write in (
        lambda s: annotations.create_annotation(
            s, world.annotators[2].actor, world.tasks[3], results={"sentiment": "neu"}
        ),
        lambda s: gold.mark_gold(
            s,
            world.manager.actor,
            world.id,
            [gold.GoldItem(task_id=t, results={"sentiment": "pos"}) for t in world.tasks[4:7]],
        ),
    ):
        with platform.db.session() as session, _statements(platform) as seen:
            write(session)
        assert not [s for s in seen if any(t in s for t in AGGREGATE_TABLES)]
        assert len([s for s in seen if "quality_dirty_tasks" in s]) == 1
    assert _marked(platform, world.id) == {task_id, *world.tasks[3:7]}
    # The next read counts them.
    with platform.db.session() as session:
        summary = quality.quality_summary(session, world.manager.actor, world.id)
    assert (summary.annotations, summary.gold_tasks) == (3, 3)
    assert _marked(platform, world.id) == set()
    _assert_matches_rebuild(platform, world.id)


def test_a_rolled_back_write_marks_nothing(platform: Platform) -> None:
    world = World(platform, 12)
    with platform.db.session() as session:
        annotations.create_annotation(
            session, world.annotators[0].actor, world.tasks[0], results={"sentiment": "pos"}
        )
    catch_up(platform, world.id)
    with platform.db.write() as session:
        quality_aggregates.mark_task_changed(session, world.id, world.tasks[1])
        session.rollback()
        session.commit()
    assert _marked(platform, world.id) == set()


def _write_many(world: World, steps: int) -> None:
    for _ in range(steps):
        world.step()


def test_concurrent_catch_ups_do_not_double_count(platform: Platform) -> None:
    world = World(platform, 13)
    _write_many(world, 40)
    assert len(_marked(platform, world.id)) >= 3
    start = threading.Barrier(3)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            with platform.db.session() as session:
                start.wait()
                while quality_aggregates.refresh_dirty(session, world.id, limit=2):
                    pass
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    assert _marked(platform, world.id) == set()
    _assert_matches_rebuild(platform, world.id)


def test_background_passes_on_several_processes_do_not_double_count(platform: Platform) -> None:
    worlds = [World(platform, 14), World(platform, 15)]
    for world in worlds:
        _write_many(world, 25)
    start = threading.Barrier(2)

    def work() -> None:
        with platform.db.session() as session:
            start.wait()
            for _ in range(20):
                quality_aggregates.catch_up_all(session, batch=2, max_batches=1)

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    with platform.db.session() as session:
        while quality_aggregates.catch_up_all(session, batch=50):
            pass
    for world in worlds:
        assert _marked(platform, world.id) == set()
        _assert_matches_rebuild(platform, world.id)


def test_a_write_racing_a_catch_up_is_not_lost(
    platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = World(platform, 16)
    task_id = world.tasks[0]
    with platform.db.session() as session:
        annotations.create_annotation(
            session, world.annotators[0].actor, task_id, results={"sentiment": "pos"}
        )
    take: Callable[..., list[int]] = repo.take_dirty_tasks
    racing: list[threading.Thread] = []

    def write() -> None:
        with platform.db.session() as session:
            annotations.create_annotation(
                session, world.annotators[1].actor, task_id, results={"sentiment": "neg"}
            )

    def take_then_race(session: Any, project_id: int, *, limit: int | None) -> list[int]:
        taken = take(session, project_id, limit=limit)
        if not racing:  # the write starts after the marks are taken, before the recount
            racing.append(threading.Thread(target=write))
            racing[0].start()
            time.sleep(0.5)
            # It waits for this catch-up (SQLite: the write lock; PostgreSQL: its mark's key,
            # which this transaction deleted) instead of committing in between.
            assert racing[0].is_alive()
        return taken

    monkeypatch.setattr(repo, "take_dirty_tasks", take_then_race)
    with platform.db.session() as session:
        assert quality_aggregates.refresh_dirty(session, world.id) == 1
    racing[0].join(30)
    assert not racing[0].is_alive()
    monkeypatch.setattr(repo, "take_dirty_tasks", take)
    # The racing write committed after the catch-up read the task: marked again, and the
    # next catch-up counts it.
    assert _marked(platform, world.id) == {task_id}
    with platform.db.session() as session:
        summary = quality.quality_summary(session, world.manager.actor, world.id)
    assert summary.annotations == 2 and summary.overlapping_tasks == 1
    _assert_matches_rebuild(platform, world.id)


def test_unmarked_annotations_are_not_skipped_by_the_watermark(platform: Platform) -> None:
    world = World(platform, 17)
    with platform.db.session() as session:
        annotations.create_annotation(
            session, world.annotators[0].actor, world.tasks[0], results={"sentiment": "pos"}
        )
    catch_up(platform, world.id)
    with platform.db.write() as session:  # written around the services: nothing marked
        session.execute(
            insert(Annotation),
            [
                {
                    "task_id": world.tasks[1],
                    "project_id": world.id,
                    "author_id": user.actor.id,
                    "schema_version": 1,
                    "guideline_version": 1,
                    "results": {"sentiment": "neg"},
                }
                for user in world.annotators[:2]
            ],
        )
        session.commit()
    with platform.db.session() as session:  # a newer, marked annotation on another task
        annotations.create_annotation(
            session, world.annotators[0].actor, world.tasks[2], results={"sentiment": "neu"}
        )
    with platform.db.session() as session:
        quality_aggregates.refresh_dirty(session, world.id)
        unmarked = session.scalar(
            select(func.min(Annotation.id)).where(Annotation.task_id == world.tasks[1])
        )
        state = session.get(QualityState, world.id)
        assert state is not None and state.max_annotation_id < (unmarked or 0)
        # The refresher counts from the watermark: the two unmarked ones and the newer one.
        assert quality_aggregates.catch_up_all(session) == 3
    with platform.db.session() as session:
        summary = quality.quality_summary(session, world.manager.actor, world.id)
    assert summary.annotations == 4 and summary.overlapping_tasks == 1
    _assert_matches_rebuild(platform, world.id)


def test_imported_annotations_are_marked(platform: Platform) -> None:
    world = World(platform, 18)
    rows = [
        {"data": {"text": "imported"}, "annotations": [{"results": {"sentiment": "pos"}}]},
        {"data": {"text": "imported"}, "annotations": [{"results": {"sentiment": "neg"}}] * 2},
        {"data": {"text": "plain"}},
    ]
    body = b"\n".join(orjson.dumps(r) for r in rows)
    with platform.db.session() as session:
        imports.import_tasks(session, world.manager.actor, world.id, io.BytesIO(body), fmt="jsonl")
    marked = _marked(platform, world.id)
    assert len(marked) == 2
    with platform.db.session() as session:
        summary = quality.quality_summary(session, world.manager.actor, world.id)
    assert (summary.annotations, summary.annotated_tasks) == (3, 2)
    _assert_matches_rebuild(platform, world.id)


def test_a_read_without_time_to_count_answers_at_once_with_the_pending_changes(
    platform: Platform,
) -> None:
    world = World(platform, 19)
    with platform.db.session() as session:
        for task in world.tasks[:5]:
            annotations.create_annotation(
                session, world.annotators[0].actor, task, results=_results(world.rng)
            )
            if task == world.tasks[0]:
                catch_up(platform, world.id)
    with platform.db.session() as session:  # no time to count: answers from what it has
        summary = quality.quality_summary(session, world.manager.actor, world.id, budget=0)
    assert (summary.annotations, summary.pending) == (1, 4)
    refresher = QualityRefresher(platform, every=3600)
    assert refresher.run_once() == 4
    with platform.db.session() as session:
        summary = quality.quality_summary(session, world.manager.actor, world.id, budget=0)
    assert (summary.annotations, summary.pending) == (5, 0)
    _assert_matches_rebuild(platform, world.id)


def test_the_background_refresher_starts_and_stops(platform: Platform) -> None:
    assert start_quality_refresher(platform, every=0) is None
    world = World(platform, 20)
    with platform.db.session() as session:
        annotations.create_annotation(
            session, world.annotators[0].actor, world.tasks[0], results={"sentiment": "pos"}
        )
    refresher = start_quality_refresher(platform, every=0.05)
    assert refresher is not None
    try:
        deadline = time.monotonic() + 30
        while _marked(platform, world.id) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        refresher.stop()
    assert not refresher._thread.is_alive()
    assert _marked(platform, world.id) == set()
    with platform.db.session() as session:
        project = session.get(Project, world.id)
        assert project is not None
        assert repo.counters(session, world.id, "p")  # counted without a read


def test_a_schema_change_is_counted_by_a_rebuild_in_the_background(platform: Platform) -> None:
    world = World(platform, 21)
    with platform.db.session() as session:
        annotations.create_annotation(
            session, world.annotators[0].actor, world.tasks[0], results={"sentiment": "pos"}
        )
    catch_up(platform, world.id)
    schema = {
        **SCHEMA,
        "controls": [*SCHEMA["controls"], {"name": "note", "type": "textarea", "of": "text"}],
    }
    with platform.db.session() as session:
        projects.update_schema(session, world.manager.actor, world.id, schema)
    with platform.db.session() as session:
        annotations.create_annotation(
            session, world.annotators[1].actor, world.tasks[0], results={"sentiment": "neg"}
        )
    with platform.db.session() as session:
        assert quality_aggregates.catch_up_all(session) == 1
        state = session.get(QualityState, world.id)
        assert state is not None and state.schema_version == 2
    assert _marked(platform, world.id) == set()
    with platform.db.session() as session:
        summary = quality.quality_summary(session, world.manager.actor, world.id)
    assert summary.annotations == 2 and [c.control for c in summary.controls][-1] == "note"
    _assert_matches_rebuild(platform, world.id)


def test_a_schema_change_of_a_large_project_is_recounted_in_chunks(
    platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = World(platform, 22)
    with platform.db.session() as session:
        for user, task in zip(world.annotators, world.tasks, strict=False):
            annotations.create_annotation(session, user.actor, task, results=_results(world.rng))
    catch_up(platform, world.id)
    schema = {
        **SCHEMA,
        "controls": [*SCHEMA["controls"], {"name": "note", "type": "textarea", "of": "text"}],
    }
    with platform.db.session() as session:
        projects.update_schema(session, world.manager.actor, world.id, schema)
    monkeypatch.setattr(quality_aggregates, "INLINE_REBUILD_LIMIT", 1)
    with platform.db.session() as session:
        stale = quality.quality_summary(session, world.manager.actor, world.id, budget=0)
    assert stale.pending == 4
    with platform.db.session() as session:
        assert quality_aggregates.catch_up_all(session, batch=1) == 4
        state = session.get(QualityState, world.id)
        assert state is not None and state.schema_version == 2
        summary = quality.quality_summary(session, world.manager.actor, world.id, budget=0)
    assert (summary.annotations, summary.pending) == (4, 0)
    _assert_matches_rebuild(platform, world.id)


def test_queue_submissions_racing_background_passes_neither_deadlock_nor_lose_counts(
    platform: Platform,
) -> None:
    manager = make_user(platform, prefix="manager")
    with platform.db.session() as session:
        project_id = projects.create_project(
            session, manager.actor, name="race", schema=SCHEMA, workflow={"overlap": 3}
        ).id
    people = [make_user(platform, prefix="ann") for _ in range(5)]
    for user in people:
        add_member(platform, manager, project_id, user, "annotator")
    with platform.db.write() as session:
        session.add_all([Task(project_id=project_id, data={"text": TEXT}) for _ in range(12)])
        session.commit()
    stop = threading.Event()
    errors: list[BaseException] = []

    def label(user: MadeUser, seed: int) -> None:
        rng = random.Random(seed)
        try:
            with platform.db.session() as session:
                idle = 0
                while idle < 5:  # tasks other claims hold are skipped: ask again a few times
                    served = queue.claim_next_task(platform, session, user.actor, project_id)
                    if served is None:
                        idle += 1
                        time.sleep(0.05)
                        continue
                    idle = 0
                    body = stage_service.Submission(results=_results(rng), lead_time_ms=900)
                    stage_service.submit_assignment(
                        platform, session, user.actor, served.assignment.id, body
                    )
        except BaseException as exc:  # reported below
            errors.append(exc)

    def refresh() -> None:
        try:
            with platform.db.session() as session:
                while not stop.is_set():
                    quality_aggregates.catch_up_all(session, batch=3, max_batches=2)
        except BaseException as exc:  # reported below
            errors.append(exc)

    refresher = threading.Thread(target=refresh)
    refresher.start()
    workers = [threading.Thread(target=label, args=(u, i)) for i, u in enumerate(people)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join(120)
    stop.set()
    refresher.join(60)
    assert not errors, errors
    with platform.db.session() as session:
        stored = session.scalar(
            select(func.count()).where(
                Annotation.project_id == project_id, Annotation.status == "submitted"
            )
        )
        summary = quality.quality_summary(session, manager.actor, project_id)
    assert summary.annotations == stored and stored > 30
    _assert_matches_rebuild(platform, project_id)
