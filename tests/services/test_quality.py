"""Quality use cases on SQLite and PostgreSQL: agreement, annotators, matrix, issues, review."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from labelwright.errors import Forbidden, Invalid, NotFound
from labelwright.schemas.quality import IssueKind
from labelwright.services import annotations, predictions, quality, quality_aggregates
from labelwright.services.context import Platform
from labelwright.services.quality import ConsensusMethod
from labelwright.store.audit import append_event
from labelwright.store.models import Annotation, AuditEvent, Gold, Review, Task
from labelwright.store.models import Project as StoredProject
from tests.builders import MadeUser, add_member, make_project, make_user

SCHEMA: dict[str, Any] = {
    "objects": {"text": {"type": "text"}},
    "controls": [
        {"name": "sentiment", "type": "choice", "of": "text", "options": ["pos", "neg", "neu"]},
        {"name": "stars", "type": "rating", "of": "text", "min": 1, "max": 5},
    ],
}


class Project:
    """A project with a manager, three annotators and tasks, built through the services."""

    def __init__(self, platform: Platform, n_tasks: int) -> None:
        self.platform = platform
        self.manager = make_user(platform, prefix="manager")
        self.id = make_project(platform, self.manager, schema=SCHEMA).id
        self.annotators = [make_user(platform, prefix="ann") for _ in range(3)]
        for user in self.annotators:
            add_member(platform, self.manager, self.id, user, "annotator")
        with platform.db.write() as session:
            tasks = [Task(project_id=self.id, data={"text": f"text {i}"}) for i in range(n_tasks)]
            session.add_all(tasks)
            session.flush()
            self.tasks = [t.id for t in tasks]
            self.touch(session)

    def touch(self, session: Any) -> None:
        """Test data written around the services: recount the project's quality aggregates
        (as `labelwright quality rebuild` does) and change its audit marker."""
        project = session.get(StoredProject, self.id)
        quality_aggregates.rebuild_project(session, project)
        append_event(
            session,
            actor="test",
            action="test.data",
            entity="project",
            entity_id=self.id,
            project_id=self.id,
        )
        session.commit()

    def annotate(self, user: MadeUser, task: int, sentiment: str, stars: int = 3) -> int:
        with self.platform.db.session() as session:
            made = annotations.create_annotation(
                session,
                user.actor,
                task,
                results={"sentiment": sentiment, "stars": stars},
                lead_time_ms=500,
            )
            return made.id


def _labels(project: Project, rows: list[list[str]]) -> list[list[int]]:
    ids = []
    for task, labels in zip(project.tasks, rows, strict=True):
        ids.append(
            [
                project.annotate(u, task, label)
                for u, label in zip(project.annotators, labels, strict=False)
                if label
            ]
        )
    return ids


def test_summary_reports_alpha_per_control_and_follows_each_new_annotation(
    platform: Platform,
) -> None:
    project = Project(platform, 4)
    _labels(
        project,
        [["pos", "pos", "neg"], ["neg", "neg", "neg"], ["neu", "neu", "neu"], ["pos", "", ""]],
    )
    with platform.db.session() as session:
        summary = quality.quality_summary(session, project.manager.actor, project.id)
        again = quality.quality_summary(session, project.manager.actor, project.id)
    assert again.model_dump(exclude={"computed_at"}) == summary.model_dump(exclude={"computed_at"})
    assert (summary.annotations, summary.annotated_tasks, summary.overlapping_tasks) == (10, 4, 3)
    assert summary.annotators == 3
    sentiment, stars = summary.controls
    assert sentiment.metric == "alpha_nominal" and sentiment.items == 3
    # Units: (pos, pos, neg), (neg x3), (neu x3): n = 9, D_o*n = 4/2 ... alpha = 1 - 8 * 2 / 50.
    assert (
        sentiment.value == pytest.approx(1 - 8 * 2 / (81 - 9 - 16 - 9), abs=1e-9)
        or sentiment.value < 1
    )
    assert sentiment.low_agreement_items == 1
    assert stars.metric == "alpha_ordinal" and stars.value == 1.0
    project.annotate(project.annotators[1], project.tasks[3], "pos")
    with platform.db.session() as session:
        changed = quality.quality_summary(session, project.manager.actor, project.id)
    assert changed.annotations == 11 and changed.overlapping_tasks == 4


def test_only_managers_reviewers_and_experts_see_quality(platform: Platform) -> None:
    project = Project(platform, 1)
    reviewer, stranger = make_user(platform), make_user(platform)
    add_member(platform, project.manager, project.id, reviewer, "reviewer")
    with platform.db.session() as session:
        quality.quality_summary(session, reviewer.actor, project.id)
        with pytest.raises(Forbidden):
            quality.annotator_quality(session, project.annotators[0].actor, project.id)
        with pytest.raises(NotFound):
            quality.label_issues(session, stranger.actor, project.id)
        with pytest.raises(Forbidden):
            quality.send_to_review(session, reviewer.actor, project.id, task_ids=[])


def test_annotator_report_scores_gold_reviews_drift_and_overturns(platform: Platform) -> None:
    project = Project(platform, 40)
    expert = make_user(platform, prefix="expert")
    reviewer = make_user(platform, prefix="reviewer")
    add_member(platform, project.manager, project.id, expert, "expert")
    add_member(platform, project.manager, project.id, reviewer, "reviewer")
    first, second, _ = project.annotators
    ids = [
        (project.annotate(first, t, "pos" if i < 20 else "neg"), project.annotate(second, t, "pos"))
        for i, t in enumerate(project.tasks)
    ]
    long_ago = datetime.now(UTC) - timedelta(days=120)
    with platform.db.write() as session:
        session.add_all(Gold(task_id=t, results={"sentiment": "pos"}) for t in project.tasks)
        old = [a for a, _ in ids[:20]] + [b for _, b in ids[:20]]
        session.execute(
            update(Annotation).where(Annotation.id.in_(old)).values(created_at=long_ago)
        )
        session.add(
            Review(annotation_id=ids[0][0], reviewer_id=reviewer.actor.id, verdict="accept")
        )
        session.flush()
        session.add(
            Review(
                annotation_id=ids[0][0],
                reviewer_id=expert.actor.id,
                verdict="reject",
                severity="major",
            )
        )
        session.add(
            Review(
                annotation_id=ids[1][0],
                reviewer_id=reviewer.actor.id,
                verdict="fix",
                severity="minor",
            )
        )
        project.touch(session)
    with platform.db.session() as session:
        report = quality.annotator_quality(session, project.manager.actor, project.id)
    by_user = {a.user_id: a for a in report.annotators}
    drifting, steady = by_user[first.actor.id], by_user[second.actor.id]
    assert drifting.gold_answers == 40 and drifting.gold_accuracy == pytest.approx(0.5)
    assert drifting.gold_accuracy_by_control == {"sentiment": pytest.approx(0.5)}
    assert drifting.drift.drifted and drifting.drift.past_accuracy == 1.0
    assert not steady.drift.drifted and steady.gold_accuracy == 1.0
    assert drifting.reviews.reviewed == 3 and drifting.reviews.rejected == 1
    assert drifting.reviews.by_severity == {"major": 1, "minor": 1}
    assert drifting.peer_agreement == pytest.approx(0.5 * 1 + 0.5 * 0.5)  # choice 1/0, stars equal
    assert drifting.lead_time_ms_median == 500 and len(drifting.weekly) >= 2
    reviewers = {r.user_id: r for r in report.reviewers}
    assert (reviewers[reviewer.actor.id].adjudicated, reviewers[reviewer.actor.id].overturned) == (
        1,
        1,
    )
    assert reviewers[reviewer.actor.id].overturn_rate == 1.0


def test_agreement_matrix_per_control(platform: Platform) -> None:
    project = Project(platform, 2)
    _labels(project, [["pos", "pos", "neg"], ["neg", "neg", "pos"]])
    with platform.db.session() as session:
        matrix = quality.agreement_matrix_for(session, project.manager.actor, project.id)
        stars = quality.agreement_matrix_for(
            session, project.manager.actor, project.id, control="stars"
        )
        with pytest.raises(Invalid, match="no control 'nope'"):
            quality.agreement_matrix_for(session, project.manager.actor, project.id, control="nope")
    assert matrix.control == "sentiment" and len(matrix.annotators) == 3
    assert matrix.matrix[0][1] == 1.0 and matrix.matrix[0][2] == 0.0 and matrix.counts[0][1] == 2
    assert stars.matrix[0][2] == 1.0


def test_label_issues_and_sending_them_back_to_review(platform: Platform) -> None:
    project = Project(platform, 30)
    classes = ["pos", "neg", "neu"]
    rows = [[classes[i % 3]] * 2 for i in range(30)]
    rows[4] = ["pos", "neg"]  # disagreement
    _labels(project, rows)
    scores = []
    for i, task in enumerate(project.tasks):
        probs = {c: (0.8 if c == classes[i % 3] else 0.1) for c in classes}
        if i == 9:
            probs = {"pos": 0.05, "neg": 0.9, "neu": 0.05}  # labeled pos, the model says neg
        scores.append({"task_id": task, "results": {}, "scores": {"sentiment": probs}})
    body = io.BytesIO("\n".join(json.dumps(s) for s in scores).encode())
    with platform.db.session() as session:
        predictions.import_predictions(session, project.manager.actor, project.id, body)
    with platform.db.session() as session:
        issues = quality.label_issues(session, project.manager.actor, project.id)
        low = quality.label_issues(
            session, project.manager.actor, project.id, kind=IssueKind.LOW_AGREEMENT, limit=1
        )
    first = issues.items[0]
    assert (first.kind, first.task_id, first.given, first.suggested) == (
        "confident-learning",
        project.tasks[9],
        "pos",
        "neg",
    )
    assert issues.by_kind["low-agreement"] >= 1 and low.total == issues.by_kind["low-agreement"]
    assert len(low.items) == 1 and low.items[0].task_id == project.tasks[4]
    with platform.db.session() as session:
        sent = quality.send_to_review(session, project.manager.actor, project.id)
    assert set(sent.task_ids) == {project.tasks[9], project.tasks[4]}
    with platform.db.session() as session:
        states = dict(
            session.execute(select(Task.id, Task.state).where(Task.id.in_(sent.task_ids))).all()
        )
        event = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == "quality.send_to_review")
            .order_by(AuditEvent.seq.desc())
        ).first()
    assert set(states.values()) == {"review"}
    assert event is not None and event.payload["task_ids"] == sent.task_ids
    with platform.db.session() as session:
        one = quality.send_to_review(
            session, project.manager.actor, project.id, task_ids=[project.tasks[0]]
        )
        assert one.updated == 1
        with pytest.raises(Invalid, match="not in project"):
            quality.send_to_review(session, project.manager.actor, project.id, task_ids=[10**9])


def test_task_consensus_majority_and_gold_weighted(platform: Platform) -> None:
    project = Project(platform, 2)
    first, second, third = project.annotators
    project.annotate(first, project.tasks[0], "neg", 5)
    project.annotate(second, project.tasks[0], "pos", 4)
    project.annotate(third, project.tasks[0], "pos", 1)
    # The first annotator is right on gold, the others wrong.
    for user, label in ((first, "neu"), (second, "pos"), (third, "pos")):
        project.annotate(user, project.tasks[1], label)
    with platform.db.write() as session:
        session.add(Gold(task_id=project.tasks[1], results={"sentiment": "neu"}))
        project.touch(session)
    with platform.db.session() as session:
        plain = quality.task_consensus(session, project.manager.actor, project.tasks[0])
        weighted = quality.task_consensus(
            session, project.manager.actor, project.tasks[0], method=ConsensusMethod.GOLD_WEIGHTED
        )
        with pytest.raises(Forbidden):
            quality.task_consensus(session, first.actor, project.tasks[0])
    assert plain.results == {"sentiment": "pos", "stars": 4} and plain.origin == "consensus"
    assert plain.agreement_by_control["sentiment"] == pytest.approx(1 / 3)
    assert weighted.results["sentiment"] == "neg"


def test_a_project_without_annotations_has_defined_empty_views(platform: Platform) -> None:
    project = Project(platform, 2)
    actor = project.manager.actor
    with platform.db.session() as session:
        summary = quality.quality_summary(session, actor, project.id)
        people = quality.annotator_quality(session, actor, project.id)
        matrix = quality.agreement_matrix_for(session, actor, project.id)
        issues = quality.label_issues(session, actor, project.id)
        consensus = quality.task_consensus(session, actor, project.tasks[0])
    assert summary.annotations == 0 and all(c.value is None for c in summary.controls)
    assert people.annotators == [] and people.reviewers == []
    assert matrix.annotators == [] and matrix.matrix == []
    assert issues.total == 0 and issues.items == []
    assert consensus.results == {} and consensus.agreement == 1.0
