"""A whole project's annotations analyzed at once: agreement per control, categorical
consensus, label issues and annotator-pair similarities (plain records in)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from labelwright.domain import ControlSpec, ControlType, LabelingSchema
from labelwright.quality.agreement.controls import (
    CATEGORICAL,
    ControlAgreement,
    comparable_value,
    control_agreement,
    value_similarity,
)
from labelwright.quality.annotator_report import AnnotationRecord
from labelwright.quality.annotators import categorical_pairs
from labelwright.quality.issues import (
    CONFIDENT_LEARNING,
    CONSENSUS_DIFFERS,
    LOW_AGREEMENT,
    CategoricalConsensus,
    LabelIssue,
    categorical_consensus,
    confident_learning_issues,
    final_disagreement_issues,
    low_agreement_issues,
)
from labelwright.quality.ratings import FloatArray, IntArray, encode_ratings

PAIRWISE_CLASSES = ("a", "b", "tie")
_ISSUE_ORDER = {CONFIDENT_LEARNING: 0, CONSENSUS_DIFFERS: 1, LOW_AGREEMENT: 2}


@dataclass(frozen=True, eq=False)
class ProjectAnalysis:
    """Agreement and consensus over a project's annotations.

    Attributes:
        schema: The labeling schema.
        by_task: The annotation records of each task.
        agreements: Per control: the control, the task ids in item order, its agreement.
        consensus: Per categorical control (choice, pairwise), the consensus labels.
    """

    schema: LabelingSchema
    by_task: Mapping[int, Sequence[AnnotationRecord]]
    agreements: tuple[tuple[ControlSpec, tuple[int, ...], ControlAgreement], ...]
    consensus: Mapping[str, CategoricalConsensus]


def rater_key(record: AnnotationRecord) -> Hashable:
    """The annotator of a record; an authorless (imported) annotation is its own annotator."""
    return record.author_id if record.author_id is not None else f"annotation:{record.id}"


def categorical_label(control: ControlSpec, results: Mapping[str, Any]) -> Any:
    """The class of a choice or pairwise answer (`None` when not answered)."""
    value = results.get(control.name)
    if control.type == "pairwise" and value is not None:
        return value["choice"]
    return value


def analyze_project(
    schema: LabelingSchema,
    records: Sequence[AnnotationRecord],
    *,
    texts: Mapping[tuple[int, str], str] | None = None,
    with_agreement: bool = True,
    aggregator: str = "dawid-skene@1",
) -> ProjectAnalysis:
    """Group records by task, compute `control_agreement` for every control (unless
    `with_agreement` is false) and the categorical consensus by `aggregator`.

    Args:
        schema: The labeling schema.
        records: Live annotations.
        texts: `(task id, object name) -> text` for token-level span alpha.
        with_agreement: Compute per-control agreement (the consensus is always computed).
        aggregator: Registered aggregator for categorical consensus.
    """
    by_task: dict[int, list[AnnotationRecord]] = defaultdict(list)
    for record in records:
        by_task[record.task_id].append(record)
    tasks = tuple(sorted(by_task))
    agreements = []
    for control in schema.controls if with_agreement else ():
        items = [[comparable_value(schema, control, r.results) for r in by_task[t]] for t in tasks]
        text_list = [texts.get((t, str(control.of)), "") for t in tasks] if texts else None
        agreements.append((control, tasks, control_agreement(control, items, texts=text_list)))
    consensus = {}
    for control in schema.controls:
        if ControlType(control.type) not in CATEGORICAL:
            continue
        answers = [
            (r.task_id, rater_key(r), categorical_label(control, r.results)) for r in records
        ]
        answers = [a for a in answers if a[2] is not None]
        if answers:
            classes = PAIRWISE_CLASSES if control.type == "pairwise" else control.label_names
            consensus[control.name] = categorical_consensus(
                answers, classes=classes, aggregator=aggregator
            )
    return ProjectAnalysis(schema, dict(by_task), tuple(agreements), consensus)


def project_issues(
    analysis: ProjectAnalysis,
    *,
    prediction_scores: Mapping[int, Mapping[str, Any]],
    finals: Mapping[int, Mapping[str, Any]],
    gold_tasks: frozenset[int] = frozenset(),
    threshold: float = 0.5,
) -> list[LabelIssue]:
    """Every label issue of the project, most likely first: confident learning (not on gold
    tasks), then final labels the consensus contradicts, then low agreement; within a kind by
    ascending score.

    Args:
        analysis: From `analyze_project` (with agreement).
        prediction_scores: Task -> the newest prediction's `scores`, read as
            `scores[control] = {label: probability}`.
        finals: Task -> the results of its final annotation.
        gold_tasks: Tasks whose labels are known to be right.
        threshold: Agreement below which a task is flagged.
    """
    issues: list[LabelIssue] = []
    for control, tasks, agreement in analysis.agreements:
        issues += low_agreement_issues(
            control.name, tasks, agreement.item_scores, threshold=threshold
        )
        consensus = analysis.consensus.get(control.name)
        if consensus is None:
            continue
        probs: dict[Hashable, Mapping[str, Any]] = {
            t: row[control.name]
            for t, row in prediction_scores.items()
            if isinstance(row.get(control.name), Mapping)
        }
        flagged = confident_learning_issues(control.name, consensus, probs)
        issues += [i for i in flagged if i.task not in gold_tasks]
        final: dict[Hashable, Hashable] = {
            t: categorical_label(control, r)
            for t, r in finals.items()
            if r.get(control.name) is not None
        }
        issues += final_disagreement_issues(control.name, consensus, final)
    return sorted(issues, key=lambda i: (_ISSUE_ORDER[i.kind], i.score, str(i.task), i.control))


@dataclass(frozen=True, eq=False)
class RaterPairs:
    """Similarities of every pair of annotators on the items they share.

    Attributes:
        raters: The annotator of each index.
        rater_a: `(p,)` index of the first annotator of each pair.
        rater_b: `(p,)` index of the second.
        similarity: `(p,)` `value_similarity` of their values on the shared item.
    """

    raters: tuple[Hashable, ...]
    rater_a: IntArray
    rater_b: IntArray
    similarity: FloatArray


def rater_pairs(
    schema: LabelingSchema, control: ControlSpec, records: Sequence[AnnotationRecord]
) -> RaterPairs:
    """Pairwise similarities of annotators on one control; authorless records are skipped.
    Categorical controls are compared vectorized."""
    named = [r for r in records if r.author_id is not None]
    raters = tuple(sorted({r.author_id for r in named}))  # type: ignore[type-var]
    index = {rater: i for i, rater in enumerate(raters)}
    if ControlType(control.type) in CATEGORICAL:
        answers = [
            (r.task_id, index[r.author_id], categorical_label(control, r.results)) for r in named
        ]
        encoded = encode_ratings([a for a in answers if a[2] is not None])
        a, b, s = categorical_pairs(encoded.ratings)
        lookup = np.asarray(encoded.raters, dtype=np.int64)
        return RaterPairs(raters, lookup[a], lookup[b], s)
    by_task: dict[int, list[tuple[int, Any]]] = defaultdict(list)
    for r in named:
        value = comparable_value(schema, control, r.results)
        if value is not None:
            by_task[r.task_id].append((index[r.author_id], value))
    pairs = [
        (x, y) for values in by_task.values() for i, x in enumerate(values) for y in values[i + 1 :]
    ]
    return RaterPairs(
        raters,
        np.array([x[0] for x, _ in pairs], dtype=np.int64),
        np.array([y[0] for _, y in pairs], dtype=np.int64),
        np.array([value_similarity(control, x[1], y[1]) for x, y in pairs], dtype=np.float64),
    )
