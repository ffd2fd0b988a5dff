"""The versions that hold a task are found by the `dataset_version_items(task_id)` index."""

from __future__ import annotations

from sqlalchemy import text

from labelwright.services.context import Platform

SQL = "SELECT version_id FROM dataset_version_items WHERE task_id = 1"
INDEX = "ix_dataset_version_items_task_id"


def test_versions_holding_a_task_are_an_index_lookup(platform: Platform) -> None:
    with platform.db.session() as session:
        if platform.db.is_sqlite:
            plan = " ".join(str(r[-1]) for r in session.execute(text(f"EXPLAIN QUERY PLAN {SQL}")))
            assert f"INDEX {INDEX}" in plan, plan
        else:
            # Tiny test tables make sequential scans cheaper; forbid them to see the index path.
            session.execute(text("SET LOCAL enable_seqscan = off"))
            plan = " ".join(str(r[0]) for r in session.execute(text(f"EXPLAIN {SQL}")))
            assert INDEX in plan, plan
