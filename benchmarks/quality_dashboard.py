"""Quality dashboard latency right after writes, with the deferred incremental aggregates.

Fills a project with `tasks x 5` annotations (bulk insert), counts them once with the
backfill (`labelwright quality rebuild`), runs the whole-project analysis (Dawid-Skene,
confident learning) once, then:

1. repeatedly submits one annotation through the service and times every quality endpoint's
   first answer after it (no cache: each read hits the database and first counts the change);
2. submits `--burst` annotations in a row (no read in between, no background refresher) and
   times the first read of each view after them: each counts for at most the read budget
   (`LABELWRIGHT_QUALITY_READ_BUDGET_MS`, as the API does) and reports what is left pending.

Submissions are timed in wall-clock and in this process's CPU time, with the number of SQL
statements they send (the background refresher is not running, so nothing else does).

    python benchmarks/quality_dashboard.py --tasks 200000            # 1M annotations
    python benchmarks/quality_dashboard.py --tasks 40000 --database-url postgresql+psycopg://...
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

# benchmarks/queue.py would shadow the standard library's `queue` (psycopg imports it).
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent.resolve()]

CLASSES = ("pos", "neg", "neu")


def fill(lw: Any, n_tasks: int, annotators: int, seed: int) -> tuple[int, list[Any], Any]:
    """A project of `n_tasks` tasks with `annotators` annotations each (bulk insert)."""
    from sqlalchemy import func, insert, select

    from labelwright.services import projects, users
    from labelwright.services.auth import actor_of
    from labelwright.services.context import SYSTEM
    from labelwright.store.models import Annotation, Membership, Task

    rng = np.random.default_rng(seed)
    with lw.db.session() as session:
        owner = users.create_user(session, SYSTEM, email="owner@example.org", password="x" * 12)
        people = [
            users.create_user(session, SYSTEM, email=f"a{i}@example.org", password="x" * 12)
            for i in range(annotators + 1)
        ]
    schema = {
        "objects": {"text": {"type": "text"}},
        "controls": [
            {"name": "sentiment", "type": "choice", "of": "text", "options": list(CLASSES)},
            {"name": "stars", "type": "rating", "of": "text", "min": 1, "max": 5},
        ],
    }
    with lw.db.session() as session:
        project = projects.create_project(session, actor_of(owner), name="bench", schema=schema)
    truth = rng.integers(0, len(CLASSES), n_tasks)
    accuracy = np.linspace(0.9, 0.6, annotators)
    with lw.db.write() as session:
        session.execute(
            insert(Membership),
            [{"project_id": project.id, "user_id": p.id, "role": "annotator"} for p in people],
        )
        for chunk in range(0, n_tasks, 50_000):
            rows = [
                {"project_id": project.id, "data": {"text": f"item {i}"}, "state": "done"}
                for i in range(chunk, min(n_tasks, chunk + 50_000))
            ]
            session.execute(insert(Task), rows)
        first = session.scalar(select(func.min(Task.id)).where(Task.project_id == project.id))
        for chunk in range(0, n_tasks, 20_000):
            rows = []
            for i in range(chunk, min(n_tasks, chunk + 20_000)):
                for j, person in enumerate(people[:annotators]):
                    label = truth[i] if rng.random() < accuracy[j] else rng.integers(0, 3)
                    rows.append(
                        {
                            "task_id": (first or 0) + i,
                            "project_id": project.id,
                            "author_id": person.id,
                            "schema_version": 1,
                            "guideline_version": 1,
                            "lead_time_ms": int(rng.integers(500, 20_000)),
                            "results": {
                                "sentiment": CLASSES[int(label)],
                                "stars": int(rng.integers(1, 6)),
                            },
                        }
                    )
            session.execute(insert(Annotation), rows)
        session.commit()
    return project.id, [actor_of(p) for p in people], (first or 0)


def timed(call: Callable[[], Any]) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


class Submits:
    """Times submissions (wall and CPU) and counts their SQL statements."""

    def __init__(self, lw: Any, actor: Any, first_task: int, n_tasks: int, seed: int) -> None:
        from sqlalchemy import event

        self.lw, self.actor, self.first_task, self.n_tasks = lw, actor, first_task, n_tasks
        self.rng = np.random.default_rng(seed)
        self.wall: list[float] = []
        self.cpu: list[float] = []
        self.statements: list[int] = []
        self._counting = False
        self._count = 0

        def count(*_: Any) -> None:
            if self._counting:
                self._count += 1

        event.listen(lw.db.engine, "before_cursor_execute", count)

    def submit(self) -> None:
        from labelwright.services import annotations

        task = self.first_task + int(self.rng.integers(0, self.n_tasks))
        label = CLASSES[int(self.rng.integers(0, 3))]
        with self.lw.db.session() as session:
            self._counting, self._count = True, 0
            wall, cpu = time.perf_counter(), time.process_time()
            annotations.create_annotation(
                session,
                self.actor,
                task,
                results={"sentiment": label, "stars": 3},
                lead_time_ms=1200,
            )
            self.wall.append(time.perf_counter() - wall)
            self.cpu.append(time.process_time() - cpu)
            self._counting = False
            self.statements.append(self._count)

    def report(self, label: str) -> str:
        ms = 1000.0
        return (
            f"{label}: wall median {statistics.median(self.wall) * ms:.1f} ms, "
            f"p90 {np.percentile(self.wall, 90) * ms:.1f} ms; CPU (this process) median "
            f"{statistics.median(self.cpu) * ms:.2f} ms; {statistics.median(self.statements):.0f} "
            f"SQL statements (n={len(self.wall)})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=200_000, help="tasks (x 5 annotations)")
    parser.add_argument("--rounds", type=int, default=10, help="writes, each followed by reads")
    parser.add_argument("--burst", type=int, default=300, help="writes before one read")
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    from labelwright.services import quality, quality_aggregates
    from labelwright.services.context import SYSTEM, Platform
    from labelwright.settings import Settings

    workdir = Path(tempfile.mkdtemp(prefix="lw-dash-"))
    settings = Settings(
        data_dir=workdir,
        database_url=args.database_url or f"sqlite:///{workdir / 'bench.db'}",
        secret_key="benchmark-secret-key-0123456789",
    )
    lw = Platform.open(settings)
    start = time.perf_counter()
    project_id, people, first_task = fill(lw, args.tasks, 5, args.seed)
    deferred = hasattr(quality_aggregates, "refresh_dirty")
    print(
        f"{args.tasks * 5} annotations on {args.tasks} tasks ({lw.db.dialect}), "
        f"filled in {time.perf_counter() - start:.0f} s; aggregates "
        f"{'deferred (marked at commit, counted by reads)' if deferred else 'in the write'}"
    )
    with lw.db.session() as session:
        took = timed(lambda: quality_aggregates.rebuild_all(session, [project_id]))
    print(f"backfill (labelwright quality rebuild): {took:.1f} s")
    with lw.db.session() as session:
        took = timed(lambda: quality.analyze_quality(session, SYSTEM, project_id))
    print(f"whole-project analysis (Dawid-Skene + confident learning): {took:.1f} s")

    budget = settings.quality_read_budget_ms / 1000  # what the API passes
    views: dict[str, Callable[[Any], Any]] = {
        "summary": lambda s: quality.quality_summary(s, SYSTEM, project_id, budget=budget),
        "annotators": lambda s: quality.annotator_quality(s, SYSTEM, project_id, budget=budget),
        "agreement-matrix": lambda s: quality.agreement_matrix_for(
            s, SYSTEM, project_id, budget=budget
        ),
        "label-issues": lambda s: quality.label_issues(s, SYSTEM, project_id, budget=budget),
    }
    ms = 1000.0
    # Each view once, so the whole-project analysis is current before timing.
    for view in views.values():
        with lw.db.session() as session:
            view(session)
    submits = Submits(lw, people[5], first_task, args.tasks, args.seed + 1)
    reads: dict[str, list[float]] = {name: [] for name in views}
    for _ in range(args.rounds):
        submits.submit()
        for name, view in views.items():
            with lw.db.session() as session:
                reads[name].append(timed(lambda view=view, session=session: view(session)))
    print(submits.report("submit one annotation"))
    for name, values in reads.items():
        print(
            f"{name} right after a write: median {statistics.median(values) * ms:.1f} ms, "
            f"max {max(values) * ms:.1f} ms"
        )

    burst = Submits(lw, people[5], first_task, args.tasks, args.seed + 2)
    for _ in range(args.burst):
        burst.submit()
    print(burst.report(f"{args.burst} submissions in a row"))
    for name, view in views.items():
        with lw.db.session() as session:
            started = time.perf_counter()
            answer = view(session)
            took = time.perf_counter() - started
        print(
            f"{name}: first read after the {args.burst} submissions {took * ms:.1f} ms, "
            f"{answer.pending} changes left pending"
        )
    lw.close()


if __name__ == "__main__":
    main()
