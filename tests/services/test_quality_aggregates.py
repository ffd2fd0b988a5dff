"""The incremental quality aggregates equal a from-scratch recompute after a random sequence
of submissions, corrections, deletions, gold changes and reviews, counted by catch-ups at
random points (SQLite and PostgreSQL)."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pytest
from sqlalchemy import delete, func, select

from labelwright.quality.annotator_report import annotator_stats, reviewer_stats
from labelwright.quality.annotators import agreement_matrix
from labelwright.quality.issues import categorical_consensus
from labelwright.quality.project import categorical_label, rater_pairs
from labelwright.services import (
    annotations,
    gold,
    quality,
    quality_aggregates,
    queue,
    stages,
    tasks,
)
from labelwright.services.context import Platform
from labelwright.services.quality_refresher import QualityRefresher
from labelwright.services.schemas import current_schema
from labelwright.store.db import begin_write
from labelwright.store.models import (
    Annotation,
    Project,
    QualityCounter,
    QualityState,
    QualityTaskScore,
    Task,
)
from labelwright.store.models.quality import QualityDirtyTask
from labelwright.store.repositories import quality as repo
from tests.builders import MadeUser, add_member, make_project, make_user

TEXT = "Alice met Bob at Acme in Paris today ."
SPANS = [(0, 5, "PER"), (10, 13, "PER"), (17, 21, "ORG"), (25, 30, "LOC")]
SCHEMA: dict[str, Any] = {
    "objects": {"text": {"type": "text"}},
    "controls": [
        {"name": "sentiment", "type": "choice", "of": "text", "options": ["pos", "neg", "neu"]},
        {"name": "stars", "type": "rating", "of": "text", "min": 1, "max": 5},
        {"name": "tags", "type": "choices", "of": "text", "options": ["a", "b", "c"]},
        {"name": "entities", "type": "spans", "of": "text", "labels": ["PER", "ORG", "LOC"]},
        {"name": "score", "type": "number", "of": "text"},
    ],
}


def _results(rng: random.Random) -> dict[str, Any]:
    results: dict[str, Any] = {}
    if rng.random() < 0.9:
        results["sentiment"] = rng.choice(["pos", "pos", "neg", "neu"])
    if rng.random() < 0.8:
        results["stars"] = rng.randint(1, 5)
    results["tags"] = sorted(rng.sample(["a", "b", "c"], rng.randint(0, 2)))
    chosen = rng.sample(SPANS, rng.randint(0, 3))
    results["entities"] = [
        {"start": s, "end": e, "label": rng.choice([label, label, "ORG"]), "text": TEXT[s:e]}
        for s, e, label in sorted(chosen)
    ]
    if rng.random() < 0.7:
        results["score"] = rng.choice([1.0, 2.5, 4.0, 4.0, 7.25])
    return results


class World:
    def __init__(self, platform: Platform, seed: int) -> None:
        self.platform = platform
        self.rng = random.Random(seed)
        self.manager = make_user(platform, prefix="manager")
        self.id = make_project(platform, self.manager, schema=SCHEMA).id
        self.annotators = [make_user(platform, prefix="ann") for _ in range(4)]
        for user in self.annotators:
            add_member(platform, self.manager, self.id, user, "annotator")
        self.reviewer = make_user(platform, prefix="reviewer")
        self.expert = make_user(platform, prefix="expert")
        add_member(platform, self.manager, self.id, self.reviewer, "reviewer")
        add_member(platform, self.manager, self.id, self.expert, "expert")
        with platform.db.write() as session:
            tasks = [Task(project_id=self.id, data={"text": TEXT}) for _ in range(8)]
            session.add_all(tasks)
            session.commit()
            self.tasks = [t.id for t in tasks]
        # The database is shared with earlier tests: count their projects now, so that what a
        # test's catch-ups count is its own project's.
        with platform.db.session() as session:
            while quality_aggregates.catch_up_all(session):
                pass

    def live(self) -> list[tuple[int, int, int | None]]:
        with self.platform.db.session() as session:
            rows = session.execute(
                select(Annotation.id, Annotation.task_id, Annotation.author_id).where(
                    Annotation.project_id == self.id, Annotation.status == "submitted"
                )
            ).all()
        return [(int(a), int(t), u) for a, t, u in rows]

    def user(self, user_id: int | None) -> MadeUser:
        people = [*self.annotators, self.reviewer, self.manager]
        return next(u for u in people if u.actor.id == user_id)

    def step(self) -> None:
        rng = self.rng
        action = rng.choices(["annotate", "correct", "delete", "gold", "review"], [8, 3, 1, 1, 2])
        live = self.live()
        with self.platform.db.session() as session:
            user, task = rng.choice(self.annotators), rng.choice(self.tasks)
            # Like the queue, nobody labels a task twice: a second answer corrects the first.
            own = [a for a in live if a[1:] == (task, user.actor.id)]
            if (action[0] == "annotate" or not live) and not own:
                annotations.create_annotation(
                    session,
                    user.actor,
                    task,
                    results=_results(rng),
                    lead_time_ms=rng.choice([300, 900, 4000, 65_000, None]),
                )
            elif action[0] in ("annotate", "correct"):
                annotation_id, task, author = own[0] if own else rng.choice(live)
                annotations.create_annotation(
                    session,
                    self.user(author).actor,
                    task,
                    results=_results(rng),
                    parent_id=annotation_id,
                    lead_time_ms=1500,
                )
            elif action[0] == "delete":
                annotation_id, _, author = rng.choice(live)
                annotations.delete_annotation(session, self.user(author).actor, annotation_id)
            elif action[0] == "gold":
                item = gold.GoldItem(task_id=rng.choice(self.tasks), results=_results(rng))
                gold.mark_gold(session, self.manager.actor, self.id, [item])
            else:
                self.review(session)

    def review(self, session: Any) -> None:
        finals = [
            t
            for t in session.scalars(
                select(Task.id).where(
                    Task.project_id == self.id, Task.final_annotation_id.is_not(None)
                )
            )
        ]
        if not finals:
            return
        quality.send_to_review(
            session, self.manager.actor, self.id, task_ids=[self.rng.choice(finals)]
        )
        who = self.rng.choice([self.reviewer, self.manager])
        served = queue.claim_next_task(self.platform, session, who.actor, self.id, stage="review")
        if served is None:
            return
        verdict = self.rng.choice(["accept", "reject", "fix"])
        body = stages.Submission(
            verdict=verdict,
            severity=None if verdict == "accept" else self.rng.choice(["minor", "major"]),
            results=_results(self.rng) if verdict == "fix" else None,
        )
        stages.submit_assignment(self.platform, session, who.actor, served.assignment.id, body)


def _counters(session: Any, project_id: int) -> dict[tuple[str, str, str], float]:
    rows = session.execute(
        select(
            QualityCounter.area, QualityCounter.scope, QualityCounter.key, QualityCounter.total
        ).where(QualityCounter.project_id == project_id)
    ).all()
    return {(a, s, k): float(v) for a, s, k, v in rows if abs(v) > 1e-9}


def _scores(session: Any, project_id: int) -> dict[tuple[int, str], float]:
    rows = session.execute(
        select(QualityTaskScore.task_id, QualityTaskScore.control, QualityTaskScore.score).where(
            QualityTaskScore.project_id == project_id
        )
    ).all()
    return {(int(t), c): float(s) for t, c, s in rows}


def catch_up(platform: Platform, project_id: int) -> None:
    """Count every task marked changed (what a quality read or the background refresher does)."""
    with platform.db.session() as session:
        while quality_aggregates.refresh_dirty(session, project_id, limit=5):
            pass


def _assert_matches_rebuild(platform: Platform, project_id: int) -> None:
    catch_up(platform, project_id)
    with platform.db.session() as session:
        begin_write(session)
        incremental, scores = _counters(session, project_id), _scores(session, project_id)
        project = session.get(Project, project_id)
        quality_aggregates.rebuild_project(session, project)
        rebuilt, rebuilt_scores = _counters(session, project_id), _scores(session, project_id)
        session.rollback()
    assert set(incremental) == set(rebuilt)
    for key, value in rebuilt.items():
        assert incremental[key] == pytest.approx(value, abs=1e-9), key
    assert scores.keys() == rebuilt_scores.keys()
    assert all(scores[k] == pytest.approx(v, abs=1e-12) for k, v in rebuilt_scores.items())


def _close(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is b
    return bool(a == pytest.approx(b, abs=1e-9))


def _assert_views_match_reference(world: World) -> None:
    actor = world.manager.actor
    with world.platform.db.session() as session:
        summary = quality.quality_summary(session, actor, world.id)
        people = quality.annotator_quality(session, actor, world.id)
        matrices = {
            c["name"]: quality.agreement_matrix_for(session, actor, world.id, control=c["name"])
            for c in SCHEMA["controls"]
        }
        project = session.get(Project, world.id)
        assert project is not None
        analysis = quality.analyze(session, project)
        schema = current_schema(session, project)
        records = [r for rows in analysis.by_task.values() for r in rows]
        golds = repo.gold_results(session, world.id)
        reviews = repo.reviews(session, world.id)
        roles = repo.roles(session, world.id)
    # Summary: every control's figures equal the whole-project computation.
    assert summary.annotations == len(records)
    assert summary.annotated_tasks == len(analysis.by_task)
    assert summary.overlapping_tasks == sum(len(r) >= 2 for r in analysis.by_task.values())
    assert summary.gold_tasks == len(golds)
    for out, (_, _, reference) in zip(summary.controls, analysis.agreements, strict=True):
        assert (out.control, out.metric, out.items) == (
            reference.control,
            reference.metric,
            reference.n_items,
        )
        assert out.annotations == reference.n_annotations
        assert _close(out.value, reference.value), (out.control, out.value, reference.value)
        assert _close(out.mean_pairwise, reference.mean_pairwise)
        assert out.details.keys() == reference.details.keys(), out.control
        assert all(_close(out.details[k], v) for k, v in reference.details.items())
        low = sum(s is not None and s < 0.5 for s in reference.item_scores)
        assert out.low_agreement_items == low
    # Annotators: the same numbers as annotator_stats with each task's majority label.
    consensus = {}
    for control in schema.controls:
        if control.type != "choice":
            continue
        answers = [(r.task_id, r.author_id, categorical_label(control, r.results)) for r in records]
        answers = [a for a in answers if a[2] is not None]
        if answers:
            consensus[control.name] = categorical_consensus(
                answers, classes=control.label_names, aggregator="majority@1"
            ).as_mapping()
    expected = {
        s.author_id: s
        for s in annotator_stats(
            schema,
            records,
            gold=golds,
            consensus=consensus,
            reviews=reviews,
            now=datetime.now(UTC),
        )
    }
    assert {a.user_id for a in people.annotators} == set(expected)
    for a in people.annotators:
        s = expected[a.user_id]
        assert (a.annotations, a.tasks, a.gold_answers) == (s.annotations, s.tasks, s.gold_answers)
        assert _close(a.gold_accuracy, s.gold_accuracy)
        assert a.gold_accuracy_by_control.keys() == s.gold_accuracy_by_control.keys()
        assert _close(a.consensus_agreement, s.consensus_agreement)
        assert _close(a.peer_agreement, s.peer_agreement)
        assert a.reviews.reviewed == s.reviewed
        assert a.reviews.rejected == s.verdicts.get("reject", 0)
        assert a.reviews.by_severity == s.by_severity
        assert [(w.week, w.annotations, w.gold_answers) for w in a.weekly] == [
            (w, n, g) for w, n, g, _ in s.weekly
        ]
        assert _close(a.annotations_per_active_week, s.annotations_per_active_week)
        if s.lead_time_ms_median is None:
            assert a.lead_time_ms_median is None
        else:
            assert a.lead_time_ms_median == pytest.approx(s.lead_time_ms_median, rel=0.005)
        assert (a.drift.drifted, a.drift.method) == (s.drift.drifted, s.drift.method)
    admins: dict[int, str] = {}
    overturns = {r.reviewer_id: r for r in reviewer_stats(reviews, {**roles, **admins})}
    assert {(r.user_id, r.reviews, r.adjudicated, r.overturned) for r in people.reviewers} == {
        (r.reviewer_id, r.reviews, r.adjudicated, r.overturned) for r in overturns.values()
    }
    # Agreement matrices equal the pairwise computation.
    for spec in schema.controls:
        pairs = rater_pairs(schema, spec, records)
        reference_matrix = agreement_matrix(
            pairs.rater_a, pairs.rater_b, pairs.similarity, n_raters=len(pairs.raters)
        )
        got = matrices[spec.name]
        assert [a.user_id for a in got.annotators] == list(pairs.raters)
        assert got.counts == reference_matrix.counts.tolist()
        for row, want in zip(got.matrix, reference_matrix.mean, strict=True):
            assert [np.nan if v is None else v for v in row] == pytest.approx(
                want.tolist(), abs=1e-9, nan_ok=True
            )


@pytest.mark.parametrize("seed", [1, 2])
def test_aggregates_equal_a_recompute_after_random_writes(platform: Platform, seed: int) -> None:
    world = World(platform, seed)
    for step in range(70):
        world.step()
        if world.rng.random() < 0.2:  # a catch-up between some writes, not after each
            with platform.db.session() as session:
                quality_aggregates.refresh_dirty(session, world.id, limit=world.rng.randint(1, 4))
        if step in (20, 69):
            _assert_matches_rebuild(platform, world.id)
    _assert_views_match_reference(world)


def test_bulk_written_annotations_are_counted_on_the_next_read(platform: Platform) -> None:
    world = World(platform, 3)
    with platform.db.session() as session:
        annotations.create_annotation(
            session, world.annotators[0].actor, world.tasks[0], results={"sentiment": "pos"}
        )
    # An import writes rows without the hook (here: straight into the table).
    with platform.db.write() as session:
        for user in world.annotators[1:3]:
            session.add(
                Annotation(
                    task_id=world.tasks[0],
                    project_id=world.id,
                    author_id=user.actor.id,
                    schema_version=1,
                    guideline_version=1,
                    results={"sentiment": "neg"},
                )
            )
        session.commit()
    with platform.db.session() as session:
        summary = quality.quality_summary(session, world.manager.actor, world.id)
    assert summary.annotations == 3 and summary.controls[0].items == 1
    _assert_matches_rebuild(platform, world.id)


def test_a_large_project_without_aggregates_is_recounted_in_the_background(
    platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = World(platform, 4)
    for _ in range(40):
        world.step()
    with platform.db.session() as session:
        gold.mark_gold(  # a gold task nobody annotated counts too
            session,
            world.manager.actor,
            world.id,
            [gold.GoldItem(task_id=world.tasks[-1], results={"sentiment": "pos"})],
        )
    with platform.db.write() as session:
        session.execute(delete(QualityState).where(QualityState.project_id == world.id))
        session.commit()
        written = session.scalar(
            select(func.count()).select_from(Annotation).where(Annotation.project_id == world.id)
        )
    monkeypatch.setattr(quality_aggregates, "INLINE_REBUILD_LIMIT", 2)
    with platform.db.session() as session:  # answers at once, nothing counted yet
        before = quality.quality_summary(session, world.manager.actor, world.id)
    assert before.pending == written > 2
    refresher = QualityRefresher(platform, every=3600)
    passes = 0
    while refresher.run_once():
        passes += 1
    assert passes >= 1
    with platform.db.session() as session:
        summary = quality.quality_summary(session, world.manager.actor, world.id, budget=0)
    assert summary.pending == 0
    assert summary.annotations == len(world.live())
    assert summary.gold_tasks >= 1
    _assert_matches_rebuild(platform, world.id)


def test_deleting_a_task_takes_it_out_of_the_aggregates(platform: Platform) -> None:
    world = World(platform, 5)
    with platform.db.session() as session:
        for user in world.annotators[:2]:
            annotations.create_annotation(
                session, user.actor, world.tasks[0], results={"sentiment": "pos"}
            )
    catch_up(platform, world.id)  # counted, then deleted
    with platform.db.session() as session:
        annotations.create_annotation(
            session, world.annotators[2].actor, world.tasks[1], results={"sentiment": "neg"}
        )  # marked, then deleted before any catch-up
    with platform.db.session() as session:
        tasks.delete_task(session, world.manager.actor, world.tasks[0])
        tasks.delete_task(session, world.manager.actor, world.tasks[1])
    with platform.db.session() as session:
        left = select(func.count()).where(QualityDirtyTask.project_id == world.id)
        assert session.scalar(left) == 0  # the shared database holds other tests' projects
        summary = quality.quality_summary(session, world.manager.actor, world.id)
    assert summary.annotations == 0 and summary.controls[0].items == 0
    _assert_matches_rebuild(platform, world.id)
