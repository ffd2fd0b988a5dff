"""Project-level label issues: confident learning on consensus labels, low agreement, and a
final label that the consensus contradicts."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from labelwright.quality.aggregation import AGGREGATORS, majority_vote
from labelwright.quality.label_errors import find_label_issues
from labelwright.quality.ratings import FloatArray, IntArray, encode_ratings

CONFIDENT_LEARNING = "confident-learning"
LOW_AGREEMENT = "low-agreement"
CONSENSUS_DIFFERS = "consensus-differs-from-final"


@dataclass(frozen=True, eq=False)
class CategoricalConsensus:
    """Consensus labels of one categorical control over a project's tasks.

    Attributes:
        tasks: Task keys, in the order of the arrays.
        classes: The classes (class code -> name).
        labels: `(n_tasks,)` consensus class code.
        probs: `(n_tasks, n_classes)` aggregator probabilities, rows sum to 1.
        counts: `(n_tasks,)` annotations per task.
    """

    tasks: tuple[Hashable, ...]
    classes: tuple[Hashable, ...]
    labels: IntArray
    probs: FloatArray
    counts: IntArray

    def as_mapping(self) -> dict[Hashable, Hashable]:
        """Task -> consensus class name."""
        return {t: self.classes[int(c)] for t, c in zip(self.tasks, self.labels, strict=True)}


def categorical_consensus(
    records: Iterable[tuple[Hashable, Hashable, Hashable]],
    *,
    classes: Sequence[Hashable],
    aggregator: str = "dawid-skene@1",
) -> CategoricalConsensus:
    """Aggregate `(task, annotator, label)` records into one label per task; a task with a
    single answer keeps that answer.

    Args:
        records: One record per answer.
        classes: Every class of the control (so unused classes keep their codes).
        aggregator: A registered aggregator name (`AGGREGATORS`).

    Raises:
        errors.Invalid: Unknown aggregator or a label outside `classes`.
    """
    encoded = encode_ratings(records, classes=classes)
    ratings = encoded.ratings
    k = max(len(classes), 1)
    result = AGGREGATORS.get(aggregator)(ratings, n_classes=k)
    counts = ratings.per_item_counts()
    # A single answer is its own consensus: a model such as Dawid-Skene could otherwise
    # overrule it from what it learned elsewhere (and with little data collapse a rare class).
    single = counts == 1
    labels, probs = result.labels.copy(), result.probs.copy()
    if np.any(single):
        votes = majority_vote(ratings, n_classes=k)
        labels[single], probs[single] = votes.labels[single], votes.probs[single]
    return CategoricalConsensus(encoded.items, encoded.classes, labels, probs, counts)


@dataclass(frozen=True)
class LabelIssue:
    """One flagged task; a lower `score` is a more likely error."""

    task: Hashable
    control: str
    kind: str
    score: float
    given: Any = None
    suggested: Any = None


def confident_learning_issues(
    control: str,
    consensus: CategoricalConsensus,
    scores: Mapping[Hashable, Mapping[str, Any]],
) -> list[LabelIssue]:
    """Confident learning (`find_label_issues`) with the consensus as the given labels and a
    model's class probabilities `scores[task] = {class: probability}` (tasks without scores,
    or whose scores name no class of the control, are skipped; the rest are renormalized).
    `score` is the model's probability of the given label."""
    index = {str(c): k for k, c in enumerate(consensus.classes)}
    rows, probs = [], []
    for position, task in enumerate(consensus.tasks):
        row = scores.get(task)
        if not isinstance(row, Mapping):
            continue
        vector = np.zeros(len(index))
        for name, p in row.items():
            if name in index and isinstance(p, int | float) and not isinstance(p, bool) and p > 0:
                vector[index[name]] = float(p)
        if vector.sum() <= 0:
            continue
        rows.append(position)
        probs.append(vector / vector.sum())
    if len(rows) < 2:
        return []
    given = consensus.labels[rows]
    found = find_label_issues(given, np.vstack(probs))
    return [
        LabelIssue(
            consensus.tasks[rows[i]],
            control,
            CONFIDENT_LEARNING,
            float(found.self_confidence[i]),
            consensus.classes[int(given[i])],
            consensus.classes[int(found.suggested[i])],
        )
        for i in found.ranked.tolist()
    ]


def low_agreement_issues(
    control: str,
    tasks: Sequence[Hashable],
    item_scores: Sequence[float | None],
    *,
    threshold: float,
) -> list[LabelIssue]:
    """Tasks whose annotations agree less than `threshold` (mean pairwise similarity)."""
    return [
        LabelIssue(task, control, LOW_AGREEMENT, float(score))
        for task, score in zip(tasks, item_scores, strict=True)
        if score is not None and score < threshold
    ]


def final_disagreement_issues(
    control: str,
    consensus: CategoricalConsensus,
    finals: Mapping[Hashable, Hashable],
) -> list[LabelIssue]:
    """Tasks (with two or more annotations) whose final label is not the consensus label;
    `score` is the consensus probability of the final label."""
    index = {c: k for k, c in enumerate(consensus.classes)}
    issues = []
    for position, task in enumerate(consensus.tasks):
        final = finals.get(task)
        if final is None or consensus.counts[position] < 2:
            continue
        label = consensus.classes[int(consensus.labels[position])]
        if final != label:
            p = float(consensus.probs[position, index[final]]) if final in index else 0.0
            issues.append(LabelIssue(task, control, CONSENSUS_DIFFERS, p, final, label))
    return issues
