"""Quality engine benchmark: Krippendorff's alpha and Dawid-Skene on 1M labels x 5 annotators,
confident learning, side by side with `krippendorff`, `crowd-kit` and `cleanlab` when they are
importable, and the quality dashboard at 1M annotations (cold and cached).

cleanlab is AGPL-3.0 and crowd-kit pulls pandas: neither is a dependency of Labelwright. Run
the comparison from a separate environment that has them, reading this checkout's code:

    python -m venv /tmp/bench-venv
    /tmp/bench-venv/bin/pip install crowd-kit cleanlab krippendorff <labelwright's dependencies>
    PYTHONPATH=src /tmp/bench-venv/bin/python -P benchmarks/quality.py

(`-P`: benchmarks/queue.py would otherwise shadow the standard library's `queue`.)

Sections whose comparison library is missing print only our own timing.
"""

from __future__ import annotations

import argparse
import importlib.util
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np

from labelwright.quality import Ratings, find_label_issues
from labelwright.quality.aggregation import dawid_skene
from labelwright.quality.agreement import krippendorff_alpha

CLASSES = ("pos", "neg", "neu", "mixed")


def timed(fn: Callable[[], Any], *, repeat: int = 1) -> tuple[float, Any]:
    """Best wall time of `repeat` runs, and the last result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def planted_labels(
    n_items: int, accuracy: list[float], k: int, seed: int
) -> tuple[Ratings, np.ndarray]:
    """Every annotator labels every item; a wrong label is uniform over the other classes."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, k, n_items)
    r = len(accuracy)
    item = np.repeat(np.arange(n_items), r)
    rater = np.tile(np.arange(r), n_items)
    correct = rng.random(item.size) < np.asarray(accuracy)[rater]
    wrong = (truth[item] + rng.integers(1, k, item.size)) % k
    labels = np.where(correct, truth[item], wrong)
    return Ratings.from_arrays(item, rater, labels, n_items=n_items, n_raters=r), truth


def bench_alpha(ratings: Ratings) -> None:
    seconds, alpha = timed(lambda: krippendorff_alpha(ratings), repeat=3)
    print(f"alpha nominal, ours: {alpha:.6f} in {seconds:.3f} s")
    for level in ("ordinal", "interval"):
        s, a = timed(lambda level=level: krippendorff_alpha(ratings, level=level), repeat=3)  # type: ignore[misc]
        print(f"alpha {level}, ours: {a:.6f} in {s:.3f} s")
    if importlib.util.find_spec("krippendorff") is None:
        print("krippendorff not installed: no comparison")
        return
    import krippendorff

    matrix = np.full((ratings.n_raters, ratings.n_items), np.nan)
    matrix[ratings.rater, ratings.item] = ratings.value
    theirs_s, theirs = timed(
        lambda: krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal"),
        repeat=3,
    )
    print(
        f"alpha nominal, krippendorff {version('krippendorff')}: {theirs:.6f} in "
        f"{theirs_s:.3f} s; |difference| {abs(alpha - theirs):.1e}; "
        f"ours is {theirs_s / seconds:.1f}x faster"
    )


def bench_dawid_skene(ratings: Ratings, truth: np.ndarray, k: int) -> None:
    seconds, ours = timed(lambda: dawid_skene(ratings, n_classes=k, tol=1e-7))
    print(
        f"Dawid-Skene, ours: {seconds:.2f} s, {ours.iterations} iterations, "
        f"accuracy vs truth {(ours.labels == truth).mean():.4f}"
    )
    if importlib.util.find_spec("crowdkit") is None:
        print("crowd-kit not installed: no comparison")
        return
    import pandas as pd
    from crowdkit.aggregation import DawidSkene

    frame = pd.DataFrame({"task": ratings.item, "worker": ratings.rater, "label": ratings.codes()})
    theirs_s, theirs = timed(lambda: DawidSkene(n_iter=100).fit_predict(frame))
    theirs_labels = theirs.reindex(np.arange(ratings.n_items)).to_numpy()
    same = (theirs_labels == ours.labels).mean()
    print(
        f"Dawid-Skene, crowd-kit {version('crowd-kit')}: {theirs_s:.2f} s, accuracy vs truth "
        f"{(theirs_labels == truth).mean():.4f}; same label on {same:.4%} of items; "
        f"ours is {theirs_s / seconds:.1f}x faster"
    )


def bench_confident_learning(n: int, k: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, k, n)
    logits = rng.normal(size=(n, k))
    logits[np.arange(n), truth] += 2.5
    probs = np.exp(logits)
    probs /= probs.sum(axis=1, keepdims=True)
    given = truth.copy()
    flip = rng.random(n) < 0.1
    given[flip] = (truth[flip] + rng.integers(1, k, flip.sum())) % k
    seconds, ours = timed(lambda: find_label_issues(given, probs))
    precision = flip[ours.is_issue].mean()
    recall = ours.is_issue[flip].mean()
    print(
        f"confident learning, ours ({n} examples, {k} classes, 10% flipped): {seconds:.3f} s, "
        f"{ours.n_issues} flagged, precision {precision:.3f}, recall {recall:.3f}"
    )
    if importlib.util.find_spec("cleanlab") is None:
        print("cleanlab not installed: no comparison")
        return
    from cleanlab.filter import find_label_issues as cleanlab_issues

    theirs_s, theirs = timed(lambda: cleanlab_issues(given, probs, n_jobs=1))
    both = (ours.is_issue & theirs).sum()
    either = (ours.is_issue | theirs).sum()
    print(
        f"confident learning, cleanlab {version('cleanlab')}: {theirs_s:.3f} s, "
        f"{theirs.sum()} flagged; same flag on "
        f"{(ours.is_issue == theirs).mean():.4%} of examples, Jaccard of flag sets "
        f"{both / max(either, 1):.4f}"
    )


def bench_dashboard(n_tasks: int, annotators: int, seed: int, url: str | None) -> None:
    """Fill a database with `n_tasks * annotators` annotations and time the dashboard."""
    from sqlalchemy import func, insert, select

    from labelwright.services import projects, quality, users
    from labelwright.services.context import SYSTEM, Platform
    from labelwright.settings import Settings
    from labelwright.store.audit import append_event
    from labelwright.store.models import Annotation, Membership, Task

    workdir = Path(tempfile.mkdtemp(prefix="lw-bench-"))
    settings = Settings(
        data_dir=workdir,
        database_url=url or f"sqlite:///{workdir / 'bench.db'}",
        secret_key="benchmark-secret-key-0123456789",
    )
    lw = Platform.open(settings)
    rng = np.random.default_rng(seed)
    start = time.perf_counter()
    with lw.db.session() as session:
        owner = users.create_user(session, SYSTEM, email="owner@example.org", password="x" * 12)
        people = [
            users.create_user(session, SYSTEM, email=f"a{i}@example.org", password="x" * 12)
            for i in range(annotators)
        ]
    schema = {
        "objects": {"text": {"type": "text"}},
        "controls": [
            {"name": "sentiment", "type": "choice", "of": "text", "options": list(CLASSES)}
        ],
    }
    from labelwright.services.auth import actor_of

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
                {
                    "project_id": project.id,
                    "data": {"text": f"item {i}"},
                    "annotation_count": annotators,
                    "state": "done",
                }
                for i in range(chunk, min(n_tasks, chunk + 50_000))
            ]
            session.execute(insert(Task), rows)
        first = session.scalar(select(func.min(Task.id)).where(Task.project_id == project.id))
        for chunk in range(0, n_tasks, 20_000):
            rows = []
            for i in range(chunk, min(n_tasks, chunk + 20_000)):
                for j, person in enumerate(people):
                    label = (
                        truth[i] if rng.random() < accuracy[j] else rng.integers(0, len(CLASSES))
                    )
                    rows.append(
                        {
                            "task_id": (first or 0) + i,
                            "project_id": project.id,
                            "author_id": person.id,
                            "schema_version": 1,
                            "guideline_version": 1,
                            "lead_time_ms": 1000,
                            "results": {"sentiment": CLASSES[int(label)]},
                        }
                    )
            session.execute(insert(Annotation), rows)
        append_event(
            session,
            actor="bench",
            action="bench.fill",
            entity="project",
            entity_id=project.id,
            project_id=project.id,
        )
        session.commit()
    elapsed = time.perf_counter() - start
    print(
        f"dashboard: {n_tasks * annotators} annotations ({lw.db.dialect}), filled {elapsed:.0f} s"
    )
    admin = SYSTEM
    for name, call in (
        ("summary", lambda s: quality.quality_summary(s, admin, project.id)),
        ("annotators", lambda s: quality.annotator_quality(s, admin, project.id)),
        ("agreement-matrix", lambda s: quality.agreement_matrix_for(s, admin, project.id)),
        ("label-issues", lambda s: quality.label_issues(s, admin, project.id)),
    ):
        with lw.db.session() as session:
            cold, _ = timed(lambda call=call, session=session: call(session))
            warm, _ = timed(lambda call=call, session=session: call(session), repeat=5)
        print(f"dashboard {name}: cold {cold:.2f} s, cached {warm * 1000:.1f} ms")
    lw.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=200_000, help="items (x 5 annotators)")
    parser.add_argument("--dashboard-tasks", type=int, default=200_000, help="0 skips it")
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    print(f"python {platform.python_version()}, numpy {np.__version__}, {sys.platform}")
    accuracy = [0.9, 0.8, 0.7, 0.6, 0.55]
    ratings, truth = planted_labels(args.items, accuracy, len(CLASSES), args.seed)
    print(
        f"{ratings.size} labels: {args.items} items x {len(accuracy)} annotators, "
        f"{len(CLASSES)} classes"
    )
    bench_alpha(ratings)
    bench_dawid_skene(ratings, truth, len(CLASSES))
    bench_confident_learning(100_000, 5, args.seed)
    if args.dashboard_tasks:
        bench_dashboard(args.dashboard_tasks, 5, args.seed, args.database_url)


if __name__ == "__main__":
    main()
