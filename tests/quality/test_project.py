"""Project-wide analysis over plain annotation records: agreement, issues, annotator scores."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

import numpy as np
import pytest

from labelwright.domain import parse_schema
from labelwright.quality.annotator_report import (
    annotator_stats,
    gold_score,
    iso_week,
    reviewer_stats,
)
from labelwright.quality.project import analyze_project, project_issues, rater_pairs

SCHEMA = parse_schema(
    {
        "objects": {"text": {"type": "text"}},
        "controls": [
            {"name": "s", "type": "choice", "of": "text", "options": ["pos", "neg", "neu"]},
            {"name": "e", "type": "spans", "of": "text", "labels": ["PER"]},
        ],
    }
)
NOW = datetime(2026, 11, 26, tzinfo=UTC)


class Row(NamedTuple):
    id: int
    task_id: int
    author_id: int | None
    results: dict[str, Any]
    created_at: datetime
    lead_time_ms: int | None = 1000


class ReviewRow(NamedTuple):
    annotation_id: int
    reviewer_id: int | None
    verdict: str
    severity: str | None
    author_id: int | None


def _rows(labels: dict[int, list[str | None]], *, days_ago: int = 1) -> list[Row]:
    rows = []
    for task, per_author in labels.items():
        for author, label in enumerate(per_author):
            if label is not None:
                results = {"s": label, "e": [{"start": 0, "end": 3, "label": "PER", "text": "Ada"}]}
                at = NOW - timedelta(days=days_ago)
                rows.append(Row(len(rows) + 1, task, author + 1, results, at))
    return rows


def test_analysis_has_agreement_per_control_and_categorical_consensus() -> None:
    rows = _rows({1: ["pos", "pos", "neg"], 2: ["neg", "neg", "neg"], 3: ["neu", None, None]})
    analysis = analyze_project(SCHEMA, rows, texts={(1, "text"): "Ada is here"})
    by_name = {c.name: a for c, _, a in analysis.agreements}
    assert by_name["s"].n_items == 2 and by_name["s"].metric == "alpha_nominal"
    assert by_name["e"].value == 1.0 and "token_alpha" in by_name["e"].details
    consensus = analysis.consensus["s"].as_mapping()
    assert consensus == {1: "pos", 2: "neg", 3: "neu"}
    assert analyze_project(SCHEMA, rows, with_agreement=False).agreements == ()


def test_issues_combine_confident_learning_disagreement_and_final_labels() -> None:
    rng = np.random.default_rng(4)
    labels: dict[int, list[str | None]] = {}
    scores: dict[int, dict[str, Any]] = {}
    for task in range(1, 61):
        truth = ["pos", "neg", "neu"][task % 3]
        labels[task] = [truth, truth]
        p = rng.dirichlet([1, 1, 1]) * 0.2
        p[["pos", "neg", "neu"].index(truth)] += 0.8
        scores[task] = {"s": dict(zip(["pos", "neg", "neu"], p.tolist(), strict=True))}
    scores[7] = {"s": {"pos": 0.97, "neg": 0.02, "neu": 0.01}}  # labeled "neg", model: "pos"
    labels[61] = ["pos", "neg"]  # disagreement
    rows = _rows(labels)
    analysis = analyze_project(SCHEMA, rows)
    issues = project_issues(
        analysis,
        prediction_scores=scores,
        finals={8: {"s": "pos"}},  # both annotators of task 8 said "neu"
        gold_tasks=frozenset({30}),
    )
    kinds = [(i.kind, i.task) for i in issues]
    assert ("confident-learning", 7) in kinds
    cl = next(i for i in issues if i.kind == "confident-learning" and i.task == 7)
    assert (cl.given, cl.suggested) == ("neg", "pos") and cl.score == pytest.approx(0.02)
    assert ("low-agreement", 61) in kinds
    final = [i for i in issues if i.kind == "consensus-differs-from-final"]
    assert [(i.task, i.given, i.suggested) for i in final] == [(8, "pos", "neu")]
    order = [i.kind for i in issues]
    assert order == sorted(
        order, key=["confident-learning", "consensus-differs-from-final", "low-agreement"].index
    )
    assert all(i.task != 30 for i in issues if i.kind == "confident-learning")


def test_rater_pairs_for_categorical_and_other_controls() -> None:
    rows = _rows({1: ["pos", "pos", "neg"], 2: ["neg", "neg", None]})
    pairs = rater_pairs(SCHEMA, SCHEMA.controls[0], rows)
    assert pairs.raters == (1, 2, 3) and len(pairs.similarity) == 4
    spans = rater_pairs(SCHEMA, SCHEMA.controls[1], rows)
    assert spans.similarity.tolist() == [1.0] * 4
    authorless = rater_pairs(SCHEMA, SCHEMA.controls[0], [rows[0]._replace(author_id=None)])
    assert authorless.raters == () and authorless.similarity.size == 0


def test_annotator_stats_gold_consensus_peers_reviews_and_drift() -> None:
    old = _rows({t: ["pos", "pos"] for t in range(1, 41)}, days_ago=90)
    recent = [
        r._replace(id=r.id + 1000)
        for r in _rows({t: ["neg", "pos"] for t in range(41, 81)}, days_ago=3)
    ]
    rows = old + recent
    gold = {t: {"s": "pos"} for t in range(1, 81)}
    consensus = {"s": {t: "pos" for t in range(1, 81)}}
    reviews = [ReviewRow(1, 9, "reject", "major", 1), ReviewRow(3, 9, "accept", None, 1)]
    stats = {
        s.author_id: s
        for s in annotator_stats(
            SCHEMA, rows, gold=gold, consensus=consensus, reviews=reviews, now=NOW
        )
    }
    first, second = stats[1], stats[2]
    assert first.annotations == 80 and first.tasks == 80
    assert first.gold_answers == 80
    assert first.gold_accuracy_by_control["s"] == pytest.approx(0.5)
    assert first.gold_accuracy == pytest.approx(0.5)  # gold answers only "s"
    assert first.drift.drifted and not second.drift.drifted
    assert first.consensus_agreement == pytest.approx(0.5) and second.consensus_agreement == 1.0
    assert first.peer_agreement == pytest.approx((40 * 2 + 40 * 1) / 160)
    assert first.reviewed == 2 and first.verdicts == {"reject": 1, "accept": 1}
    assert first.by_severity == {"major": 1}
    assert first.lead_time_ms_median == 1000.0
    assert [w[0] for w in first.weekly] == sorted(w[0] for w in first.weekly)


def test_gold_score_only_counts_controls_the_gold_answers() -> None:
    assert gold_score(SCHEMA, {"s": "pos"}, {"s": "pos"}) == {"s": 1.0}
    assert gold_score(SCHEMA, {}, {"s": "pos"}) == {"s": 0.0}
    assert iso_week(datetime(2026, 1, 1)) == "2026-W01"


def test_reviewer_overturned_by_a_later_expert() -> None:
    reviews = [
        ReviewRow(1, 10, "accept", None, 1),
        ReviewRow(1, 20, "reject", "minor", 1),  # expert overturns reviewer 10
        ReviewRow(2, 10, "reject", "major", 1),
        ReviewRow(2, 30, "accept", None, 1),  # another reviewer: not an adjudication
        ReviewRow(3, 10, "fix", "minor", 1),
        ReviewRow(3, 20, "fix", "minor", 1),  # upheld
    ]
    stats = {s.reviewer_id: s for s in reviewer_stats(reviews, {20: "expert", 30: "reviewer"})}
    assert (stats[10].reviews, stats[10].adjudicated, stats[10].overturned) == (3, 2, 1)
    assert stats[20].adjudicated == 0
