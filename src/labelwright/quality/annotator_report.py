"""Per-annotator and per-reviewer quality over a project's annotations (plain records in)."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import combinations
from typing import Any, Protocol

from labelwright.domain import ControlType, LabelingSchema
from labelwright.quality.agreement.controls import CATEGORICAL, comparable_value, value_similarity
from labelwright.quality.annotators import DriftTest, drift_test

GOLD_PASS = 0.8
"""A gold answer passes when its mean similarity to the expected result reaches this."""
OVERTURNING_ROLES = frozenset({"expert", "manager", "admin"})


class AnnotationRecord(Protocol):
    """What the report reads of an annotation."""

    @property
    def id(self) -> int: ...
    @property
    def task_id(self) -> int: ...
    @property
    def author_id(self) -> int | None: ...
    @property
    def results(self) -> dict[str, Any]: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def lead_time_ms(self) -> int | None: ...


class ReviewRecord(Protocol):
    """What the report reads of a review (with the reviewed annotation's author)."""

    @property
    def annotation_id(self) -> int: ...
    @property
    def reviewer_id(self) -> int | None: ...
    @property
    def verdict(self) -> str: ...
    @property
    def severity(self) -> str | None: ...
    @property
    def author_id(self) -> int | None: ...


@dataclass
class AnnotatorStats:
    """One annotator's numbers (see `annotator_stats`)."""

    author_id: int | None
    annotations: int = 0
    tasks: int = 0
    gold_answers: int = 0
    gold_accuracy: float | None = None
    gold_accuracy_by_control: dict[str, float] = field(default_factory=dict)
    consensus_agreement: float | None = None
    peer_agreement: float | None = None
    reviewed: int = 0
    verdicts: dict[str, int] = field(default_factory=dict)
    by_severity: dict[str, int] = field(default_factory=dict)
    lead_time_ms_median: float | None = None
    annotations_per_active_week: float | None = None
    weekly: list[tuple[str, int, int, float | None]] = field(default_factory=list)
    drift: DriftTest = field(default_factory=lambda: drift_test(0, 0, 0, 0))


@dataclass(frozen=True)
class ReviewerStats:
    """How often a reviewer's verdicts were overturned by a later expert or manager."""

    reviewer_id: int | None
    reviews: int
    adjudicated: int
    overturned: int


def iso_week(at: datetime) -> str:
    """`2026-W48` for a date in ISO week 48 of 2026."""
    year, week, _ = at.isocalendar()
    return f"{year}-W{week:02d}"


def gold_score(
    schema: LabelingSchema, results: Mapping[str, Any], expected: Mapping[str, Any]
) -> dict[str, float]:
    """Similarity to the expected result per control the gold result answers."""
    scores = {}
    for control in schema.controls:
        if control.name not in expected:
            continue
        want = comparable_value(schema, control, expected)
        got = comparable_value(schema, control, results)
        scores[control.name] = 0.0 if got is None else value_similarity(control, got, want)
    return scores


def annotator_stats(
    schema: LabelingSchema,
    records: Sequence[AnnotationRecord],
    *,
    gold: Mapping[int, Mapping[str, Any]],
    consensus: Mapping[str, Mapping[Hashable, Hashable]],
    reviews: Sequence[ReviewRecord] = (),
    now: datetime,
    recent_days: int = 28,
    alpha: float = 0.05,
) -> list[AnnotatorStats]:
    """Compute every annotator's quality numbers.

    Gold accuracy: per control, mean `value_similarity` to the gold result; overall, the
    mean over controls, averaged over gold answers. A gold answer *passes* at
    `GOLD_PASS`; drift compares the pass rate of the last `recent_days` before `now` with
    the rate before, by `drift_test` (one-sided, level `alpha`). Consensus agreement: share of
    categorical answers equal to `consensus[control][task]` (tasks with two or more
    annotations). Peer agreement: mean similarity to each co-annotator's value, per control
    and pair. Reviews count the verdicts on the annotator's work and the severity of
    rejections and fixes. Throughput: annotations per week with any activity.

    Args:
        schema: The labeling schema.
        records: Live annotations.
        gold: Expected results by task id.
        consensus: Per categorical control, the consensus label by task id.
        reviews: Reviews of the annotations, with their author.
        now: The end of the "recent" window.
        recent_days: Length of the recent window.
        alpha: Significance level of the drift test.
    """
    by_author: dict[int | None, list[AnnotationRecord]] = defaultdict(list)
    by_task: dict[int, list[AnnotationRecord]] = defaultdict(list)
    for record in records:
        by_author[record.author_id].append(record)
        by_task[record.task_id].append(record)
    peers = _peer_agreement(schema, by_task)
    stats = []
    cutoff = now - timedelta(days=recent_days)
    for author, own in by_author.items():
        s = AnnotatorStats(author, annotations=len(own), tasks=len({r.task_id for r in own}))
        leads = [r.lead_time_ms for r in own if r.lead_time_ms is not None]
        s.lead_time_ms_median = float(statistics.median(leads)) if leads else None
        weeks: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
        control_scores: dict[str, list[float]] = defaultdict(list)
        overall: list[float] = []
        past, recent = [0, 0], [0, 0]
        for r in own:
            week = weeks[iso_week(r.created_at)]
            week[0] += 1
            if r.task_id not in gold:
                continue
            per_control = gold_score(schema, r.results, gold[r.task_id])
            if not per_control:
                continue
            for name, score in per_control.items():
                control_scores[name].append(score)
            score = sum(per_control.values()) / len(per_control)
            overall.append(score)
            passed = int(score >= GOLD_PASS)
            week[1] += 1
            week[2] += passed
            window = recent if r.created_at >= cutoff else past
            window[0] += passed
            window[1] += 1
        s.gold_answers = len(overall)
        s.gold_accuracy = sum(overall) / len(overall) if overall else None
        s.gold_accuracy_by_control = {k: sum(v) / len(v) for k, v in control_scores.items()}
        s.weekly = [
            (name, w[0], w[1], w[2] / w[1] if w[1] else None) for name, w in sorted(weeks.items())
        ]
        s.annotations_per_active_week = len(own) / len(weeks) if weeks else None
        s.drift = drift_test(past[0], past[1], recent[0], recent[1], alpha=alpha)
        s.consensus_agreement = _consensus_agreement(schema, own, consensus, by_task)
        s.peer_agreement = peers.get(author)
        stats.append(s)
    _count_reviews(stats, reviews)
    return stats


def _consensus_agreement(
    schema: LabelingSchema,
    own: Sequence[AnnotationRecord],
    consensus: Mapping[str, Mapping[Hashable, Hashable]],
    by_task: Mapping[int, Sequence[AnnotationRecord]],
) -> float | None:
    hits = total = 0
    for control in schema.controls:
        labels = consensus.get(control.name)
        if labels is None or ControlType(control.type) not in CATEGORICAL:
            continue
        for r in own:
            value = r.results.get(control.name)
            if value is None or r.task_id not in labels or len(by_task[r.task_id]) < 2:
                continue
            if ControlType(control.type) == ControlType.PAIRWISE:
                value = value["choice"]
            total += 1
            hits += value == labels[r.task_id]
    return hits / total if total else None


def _peer_agreement(
    schema: LabelingSchema, by_task: Mapping[int, Sequence[AnnotationRecord]]
) -> dict[int | None, float]:
    sums: dict[int | None, float] = defaultdict(float)
    counts: dict[int | None, int] = defaultdict(int)
    for rows in by_task.values():
        if len(rows) < 2:
            continue
        for control in schema.controls:
            values = [(r.author_id, comparable_value(schema, control, r.results)) for r in rows]
            values = [(a, v) for a, v in values if v is not None]
            for (a, va), (b, vb) in combinations(values, 2):
                similarity = value_similarity(control, va, vb)
                for who in (a, b):
                    sums[who] += similarity
                    counts[who] += 1
    return {who: sums[who] / counts[who] for who in counts}


def _count_reviews(stats: list[AnnotatorStats], reviews: Sequence[ReviewRecord]) -> None:
    by_author = {s.author_id: s for s in stats}
    for review in reviews:
        s = by_author.get(review.author_id)
        if s is None:
            continue
        s.reviewed += 1
        s.verdicts[review.verdict] = s.verdicts.get(review.verdict, 0) + 1
        if review.verdict != "accept" and review.severity:
            s.by_severity[review.severity] = s.by_severity.get(review.severity, 0) + 1


def reviewer_stats(
    reviews: Sequence[ReviewRecord], roles: Mapping[int, str]
) -> list[ReviewerStats]:
    """Per reviewer: reviews given, how many a later review by someone else in an overturning
    role (expert, manager or admin; see `roles`) re-judged, and how many of those it
    overturned (a different verdict). `reviews` must be oldest first."""
    by_annotation: dict[int, list[ReviewRecord]] = defaultdict(list)
    for review in reviews:
        by_annotation[review.annotation_id].append(review)
    given: dict[int | None, list[int]] = defaultdict(lambda: [0, 0, 0])
    for chain in by_annotation.values():
        for i, review in enumerate(chain):
            counts = given[review.reviewer_id]
            counts[0] += 1
            later = next(
                (
                    r
                    for r in chain[i + 1 :]
                    if r.reviewer_id != review.reviewer_id
                    and roles.get(r.reviewer_id or -1) in OVERTURNING_ROLES
                ),
                None,
            )
            if later is not None:
                counts[1] += 1
                counts[2] += later.verdict != review.verdict
    return [ReviewerStats(who, *counts) for who, counts in given.items()]
