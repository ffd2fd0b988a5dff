"""The hot queries are index range scans, with the order served by the index (no sort)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from labelwright.services.context import Platform
from labelwright.store.repositories.queue import BLOCKING
from labelwright.store.repositories.queue_batches import _LABEL_WINDOWS

HOT_QUERIES = {
    "queue order": (
        "SELECT id FROM tasks WHERE project_id = 1 AND state = 'new' "
        "ORDER BY priority DESC, learning_score DESC, id LIMIT 10",
        "ix_tasks_queue",
    ),
    "queue window of a batch of claims": (
        "SELECT id FROM tasks WHERE project_id = 1 AND state = 'labeling' "
        "AND annotation_count + lease_count < 2 + extra_overlap "
        "ORDER BY priority DESC, learning_score DESC, id LIMIT 40",
        "ix_tasks_queue",
    ),
    "tasks of a project in import order": (
        "SELECT id FROM tasks WHERE project_id = 1 AND id > 100 ORDER BY id LIMIT 100",
        "ix_tasks_project_id_id",
    ),
    "annotations of a task": (
        "SELECT id FROM annotations WHERE task_id = 1 ORDER BY id",
        "ix_annotations_task_id_id",
    ),
    "audit by entity": (
        "SELECT seq FROM audit_events WHERE entity = 'task' AND entity_id = '1' ORDER BY seq",
        "ix_audit_events_entity_entity_id_seq",
    ),
}


@pytest.mark.parametrize("name", list(HOT_QUERIES))
def test_hot_query_uses_its_index_without_sorting(platform: Platform, name: str) -> None:
    sql, index = HOT_QUERIES[name]
    with platform.db.session() as session:
        if platform.db.is_sqlite:
            plan = " ".join(str(r[-1]) for r in session.execute(text(f"EXPLAIN QUERY PLAN {sql}")))
            assert f"USING INDEX {index}" in plan or f"USING COVERING INDEX {index}" in plan, plan
            assert "TEMP B-TREE" not in plan, plan
        else:
            # Tiny test tables make sequential and bitmap scans (which lose the index order)
            # cheaper whatever the statistics of the day; forbid them to see the index path.
            session.execute(text("SET LOCAL enable_seqscan = off"))
            session.execute(text("SET LOCAL enable_bitmapscan = off"))
            plan = " ".join(str(r[0]) for r in session.execute(text(f"EXPLAIN {sql}")))
            assert index in plan, plan
            assert "Sort" not in plan, plan


def test_a_batch_window_scans_the_queue_and_probes_each_task_for_the_users(
    platform: Platform,
) -> None:
    """The window of a batch of claims: each label state by the queue index, then the claims of
    the batch's users on each window task by the (task, user) index, never all their claims."""
    postgresql = not platform.db.is_sqlite
    statement = _LABEL_WINDOWS[postgresql].params(
        project_id=1, overlap=2, limit=40, user_ids=[4, 5], blocking=list(BLOCKING)
    )
    sql = str(
        statement.compile(
            dialect=platform.db.engine.dialect, compile_kwargs={"literal_binds": True}
        )
    )
    with platform.db.session() as session:
        if postgresql:
            session.execute(text("SET LOCAL enable_seqscan = off"))
            session.execute(text("SET LOCAL enable_bitmapscan = off"))
            plan = " ".join(str(r[0]) for r in session.execute(text(f"EXPLAIN {sql}")))
            assert "Hash" not in plan and "Nested Loop Left Join" in plan, plan
            probe = "uq_assignments_task_id_user_id_live"
        else:
            plan = " ".join(str(r[-1]) for r in session.execute(text(f"EXPLAIN QUERY PLAN {sql}")))
            probe = "(task_id=?"
        assert plan.count("ix_tasks_queue") == 2, plan
        assert probe in plan, plan
