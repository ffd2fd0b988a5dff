"""The bulk task writer behind imports: rows arrive with their ids, every foreign key holds,
and a missing project is refused (on PostgreSQL the copy checks the project once, not per
row; the per-row checks are back on as soon as the copy ends)."""

from __future__ import annotations

import sqlite3

import psycopg
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from labelwright.services.context import Platform
from labelwright.store.models import Task
from labelwright.store.repositories.bulk_tasks import TaskWriter, allocate_task_ids
from tests.builders import make_project, make_user


def _rows(n: int) -> list[tuple[bytes, bytes, int, int]]:
    return [(b'{"text": "row %d"}' % i, b"{}", 0, 0) for i in range(n)]


def test_rows_are_written_and_foreign_keys_hold_again_after_the_copy(platform: Platform) -> None:
    project_id = make_project(platform, make_user(platform, prefix="owner")).id
    with platform.db.write() as session:
        writer = TaskWriter(session, project_id)
        ids = allocate_task_ids(session, 5)
        writer.write(ids[:3], _rows(3))
        writer.write(ids[3:], _rows(2))
        writer.pause()
        # a task of a project that does not exist
        with pytest.raises(IntegrityError), session.begin_nested():
            session.execute(
                text(
                    "INSERT INTO tasks (project_id, data, meta, priority, learning_score, "
                    "state, annotation_count, created_at, lease_count, extra_overlap) "
                    "VALUES (987654, '{}', '{}', 0, 0, 'new', 0, CURRENT_TIMESTAMP, 0, 0)"
                )
            )
        session.commit()
    with platform.db.session() as session:
        stored = session.scalars(select(Task.id).where(Task.project_id == project_id)).all()
        assert sorted(stored) == ids
        assert session.get(Task, ids[0]).data == {"text": "row 0"}


def test_rows_of_a_missing_project_are_refused(platform: Platform) -> None:
    with platform.db.write() as session:
        before = session.scalar(select(func.count()).select_from(Task))
        writer = TaskWriter(session, 987654)
        ids = allocate_task_ids(session, 2)
        # the writer talks to the driver directly: its own integrity errors surface
        with pytest.raises((sqlite3.IntegrityError, psycopg.errors.IntegrityError)):
            writer.write(ids, _rows(2))
            writer.pause()
        writer.abort()
        session.rollback()
    with platform.db.session() as session:
        assert session.scalar(select(func.count()).select_from(Task)) == before
