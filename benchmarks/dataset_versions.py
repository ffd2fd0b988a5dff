"""Dataset versions at scale: create (snapshot + streamed hash), diff and version export.

A project of `--tasks` text tasks (default 1,000,000), each with a final annotation, is filled
with set-based SQL; then the benchmark creates version 1, corrects 1% of the finals (new
annotations, the old ones superseded) and deletes 0.5%, creates version 2, and times the diff
counts, the streamed diff and the JSONL export of version 1 (whose corrected annotations are now
superseded). Peak RSS is `ru_maxrss` of the whole process.

    python benchmarks/dataset_versions.py --tasks 200000
    python benchmarks/dataset_versions.py --database-url postgresql+psycopg://postgres@127.0.0.1/x
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

# benchmarks/queue.py would shadow the standard library's `queue`.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]

SCHEMA = {
    "objects": {"text": {"type": "text"}},
    "controls": [{"name": "sentiment", "type": "choice", "of": "text", "options": ["pos", "neg"]}],
}


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _fill(platform: Any, project_id: int, n: int) -> None:
    from sqlalchemy import text

    sqlite = platform.db.is_sqlite
    series = (
        "WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < :n) "
        "SELECT i FROM g"
        if sqlite
        else "SELECT generate_series(1, :n) AS i"
    )
    obj = "json_object" if sqlite else "json_build_object"
    now = "CURRENT_TIMESTAMP" if sqlite else "now()"
    results = f"{obj}('sentiment', CASE WHEN t.id % 2 = 0 THEN 'pos' ELSE 'neg' END)"
    if not sqlite:
        results += "::jsonb"
    with platform.db.write() as session:
        session.execute(
            text(
                "INSERT INTO tasks (project_id, data, meta, priority, learning_score, state, "
                "annotation_count, lease_count, extra_overlap, created_at) "
                f"SELECT :p, {obj}('text', 'task ' || s.i || ' lorem ipsum dolor sit amet'), "
                f"{obj}(), 0, 0, 'done', 1, 0, 0, {now} FROM ({series}) s"
            ),
            {"p": project_id, "n": n},
        )
        session.execute(
            text(
                "INSERT INTO annotations (task_id, project_id, origin, schema_version, "
                "guideline_version, stage, status, results, created_at) "
                f"SELECT t.id, t.project_id, 'import', 1, 1, 'label', 'submitted', {results}, "
                f"{now} FROM tasks t WHERE t.project_id = :p ORDER BY t.id"
            ),
            {"p": project_id},
        )
        session.execute(
            text(
                "UPDATE tasks SET final_path = 'import', final_annotation_id = a.id FROM "
                "annotations a WHERE a.task_id = tasks.id AND tasks.project_id = :p"
            ),
            {"p": project_id},
        )
        session.commit()
        if not sqlite:
            session.execute(text("ANALYZE tasks"))
            session.execute(text("ANALYZE annotations"))
            session.commit()


def _churn(platform: Any, project_id: int, n: int) -> None:
    """Correct every 100th task's final (new annotation, old superseded); delete every 200th+1."""
    from sqlalchemy import text

    sqlite = platform.db.is_sqlite
    obj = "json_object" if sqlite else "json_build_object"
    cast = "" if sqlite else "::jsonb"
    now = "CURRENT_TIMESTAMP" if sqlite else "now()"
    with platform.db.write() as session:
        session.execute(
            text(
                "INSERT INTO annotations (task_id, project_id, origin, parent_id, schema_version, "
                "guideline_version, stage, status, results, created_at) "
                "SELECT t.id, t.project_id, 'human', t.final_annotation_id, 1, 1, 'label', "
                f"'submitted', {obj}('sentiment', 'pos'){cast}, {now} FROM tasks t "
                "WHERE t.project_id = :p AND t.id % 100 = 0"
            ),
            {"p": project_id},
        )
        session.execute(
            text(
                "UPDATE annotations SET status = 'superseded' WHERE project_id = :p AND id IN "
                "(SELECT parent_id FROM annotations WHERE project_id = :p AND parent_id IS NOT "
                "NULL)"
            ),
            {"p": project_id},
        )
        session.execute(
            text(
                "UPDATE tasks SET final_path = 'correction', final_annotation_id = (SELECT "
                "max(a.id) FROM annotations a WHERE a.task_id = tasks.id) "
                "WHERE project_id = :p AND id % 100 = 0"
            ),
            {"p": project_id},
        )
        session.execute(
            text(
                f"UPDATE annotations SET status = 'deleted', deleted_at = {now} WHERE "
                "project_id = :p AND status = 'submitted' AND task_id % 200 = 1"
            ),
            {"p": project_id},
        )
        session.execute(
            text(
                "UPDATE tasks SET final_path = NULL, final_annotation_id = NULL "
                "WHERE project_id = :p AND id % 200 = 1"
            ),
            {"p": project_id},
        )
        session.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    from labelwright.services import datasets, export, projects, users
    from labelwright.services.auth import actor_of
    from labelwright.services.context import SYSTEM, Platform
    from labelwright.settings import Settings

    data_dir = Path(tempfile.mkdtemp(prefix="lw-dsv-"))
    settings = Settings(
        data_dir=data_dir,
        database_url=args.database_url,
        secret_key="benchmark-secret-key-0123456789",
    )
    platform = Platform.open(settings)
    with platform.db.session() as session:
        user = users.create_user(
            session, SYSTEM, email="bench@example.org", password="benchmark-pass", is_admin=True
        )
        actor = actor_of(user)
        project_id = projects.create_project(session, actor, name="bench", schema=SCHEMA).id
    print(f"database: {platform.db.dialect}, tasks: {args.tasks:,}")
    start = time.perf_counter()
    _fill(platform, project_id, args.tasks)
    print(f"fill: {time.perf_counter() - start:.1f} s")

    def timed(label: str, work: Any) -> Any:
        start = time.perf_counter()
        out = work()
        print(f"{label}: {time.perf_counter() - start:.2f} s (peak RSS {_rss_mb():.0f} MB)")
        return out

    def create() -> Any:
        with platform.db.session() as session:
            return datasets.create_dataset_version(session, actor, project_id)

    v1 = timed("create version 1", create)
    print(f"  {v1.task_count:,} tasks, sha256 {v1.content_sha256[:16]}...")
    _churn(platform, project_id, args.tasks)
    v2 = timed("create version 2 (after 1% corrected, 0.5% deleted)", create)

    def counts() -> Any:
        with platform.db.session() as session:
            return datasets.diff_dataset_versions(session, actor, project_id, base=1, target=2)

    diff = timed("diff counts", counts)
    print(f"  {diff}")

    def stream() -> int:
        with platform.db.session() as session:
            plan = datasets.check_diff(session, actor, project_id, base=1, target=2)
        return sum(c.count(b"\n") for c in datasets.stream_dataset_diff(platform, plan))

    print(f"  {timed('streamed diff', stream):,} lines")

    def export_v1() -> int:
        with platform.db.session() as session:
            plan = export.check_export(session, actor, project_id, fmt="jsonl", version=1)
        return sum(len(c) for c in export.stream_export(platform, actor, project_id, plan))

    size = timed("JSONL export of version 1", export_v1)
    print(f"  {size / 1e6:.0f} MB")

    def export_since() -> int:
        with platform.db.session() as session:
            plan = export.check_export(session, actor, project_id, fmt="jsonl", since_version=1)
        return sum(c.count(b"\n") for c in export.stream_export(platform, actor, project_id, plan))

    print(f"  {timed('JSONL export since version 1', export_since):,} tasks")
    print(f"version 2: {v2.task_count:,} tasks")
    platform.close()


if __name__ == "__main__":
    main()
