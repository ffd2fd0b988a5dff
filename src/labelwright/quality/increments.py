"""What one task adds to a project's quality sums, so the sums can be kept up to date
incrementally: when a task changes, subtract its old contribution and add its new one.

Every project-level quality figure of the dashboard is a function of additive sums over tasks
(counts, similarity sums, Krippendorff coincidence sums, per-annotator and per-pair sums);
`task_contribution` computes one task's part of each, `quality.totals` turns the sums back into
figures. A task has few annotations, so this costs little per write.

Keys are `(area, scope, key)`: area `p` (project), `c` (control; scope = control name), `a`
(annotator; scope = user id, `""` for authorless), `r` (reviewer), `m` (annotator pairs of a
control; scope = control name). `key` is a JSON array such as `["n", "positive"]`.
"""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import combinations
from typing import Any

from labelwright.domain import ControlSpec, ControlType, LabelingSchema
from labelwright.domain.controls import RubricControl
from labelwright.domain.kinds import REGION_CONTROLS
from labelwright.quality.agreement.comparison import kendall_tau, pairwise_choice
from labelwright.quality.agreement.controls import (
    CATEGORICAL,
    comparable_value,
    rubric_units,
    value_similarity,
)
from labelwright.quality.agreement.regions import match_regions
from labelwright.quality.agreement.spans import span_agreement, token_labels, word_tokens
from labelwright.quality.agreement.text import transcript_agreement
from labelwright.quality.agreement.tracks import track_agreement
from labelwright.quality.annotator_report import (
    GOLD_PASS,
    AnnotationRecord,
    ReviewRecord,
    gold_score,
    iso_week,
)

PAIRWISE_CLASSES = ("a", "b", "tie")
LEAD_EXACT_BELOW = 1000
"""Lead times under this many ms are counted exactly; longer ones in buckets of ratio
`LEAD_RATIO` (the median is then exact to within 0.25 %)."""
LEAD_RATIO = 1.005
Key = tuple[str, str, str]


@dataclass(frozen=True)
class TaskInputs:
    """Everything a task's contribution depends on.

    Attributes:
        task_id: The task.
        records: Its live human annotations.
        gold: Its expected (gold) result, if it is a gold task.
        texts: Object name -> text, for token-level span agreement.
        reviews: Reviews of the task's annotations (any status), oldest first, with the
            reviewed annotation's author.
        overturning: Reviewers whose later verdict counts as adjudication (expert, manager or
            admin).
    """

    task_id: int
    records: Sequence[AnnotationRecord]
    gold: Mapping[str, Any] | None = None
    texts: Mapping[str, str] = field(default_factory=dict)
    reviews: Sequence[ReviewRecord] = ()
    overturning: frozenset[int | None] = frozenset()


@dataclass(frozen=True)
class TaskContribution:
    """One task's part of the project sums, and its per-control agreement.

    Attributes:
        sums: `(area, scope, key) -> amount`.
        scores: Control -> mean pairwise similarity of the task's values (controls with two
            or more values only).
    """

    sums: Mapping[Key, float]
    scores: Mapping[str, float]


def encode_key(*parts: Any) -> str:
    """The JSON key of a sum."""
    try:
        return _encode_cached(parts)
    except TypeError:  # an unhashable part
        return json.dumps(list(parts), separators=(",", ":"), ensure_ascii=False)


@lru_cache(maxsize=65_536)
def _encode_cached(parts: tuple[Any, ...]) -> str:
    # Keys repeat across tasks (the same weeks, labels, annotators): encoding is the hot path.
    return json.dumps(list(parts), separators=(",", ":"), ensure_ascii=False)


def author_scope(author_id: int | None) -> str:
    """The scope of an annotator's sums (`""` for authorless annotations)."""
    return "" if author_id is None else str(author_id)


def lead_bucket(lead_ms: int) -> int:
    """The bucket of a lead time: itself below `LEAD_EXACT_BELOW`, else a geometric bucket
    number above it (negative numbers never occur)."""
    if lead_ms < LEAD_EXACT_BELOW:
        return int(lead_ms)
    return LEAD_EXACT_BELOW + int(math.log(lead_ms / LEAD_EXACT_BELOW) / math.log(LEAD_RATIO))


def lead_value(bucket: int) -> float:
    """A representative lead time of a bucket (its geometric middle)."""
    if bucket < LEAD_EXACT_BELOW:
        return float(bucket)
    return LEAD_EXACT_BELOW * LEAD_RATIO ** (bucket - LEAD_EXACT_BELOW + 0.5)


def categorical_classes(control: ControlSpec) -> tuple[Hashable, ...]:
    """The classes of a categorical control, in the order ties are broken."""
    return PAIRWISE_CLASSES if control.type == ControlType.PAIRWISE else control.label_names


def categorical_label(control: ControlSpec, results: Mapping[str, Any]) -> Any:
    """The class of a choice or pairwise answer (None when not answered)."""
    value = results.get(control.name)
    if control.type == ControlType.PAIRWISE and value is not None:
        return value["choice"]
    return value


def task_contribution(
    schema: LabelingSchema, inputs: TaskInputs, *, low_threshold: float = 0.5
) -> TaskContribution:
    """Compute one task's contribution to every quality sum of its project.

    Args:
        schema: The project's labeling schema.
        inputs: The task's annotations, gold result, texts and reviews.
        low_threshold: Agreement below which the task counts as a low-agreement item.
    """
    sums: defaultdict[Key, float] = defaultdict(float)
    scores: dict[str, float] = {}
    records = list(inputs.records)
    _project_sums(sums, inputs, records)
    for control in schema.controls:
        values = [comparable_value(schema, control, r.results) for r in records]
        present = [v for v in values if v is not None]
        if len(present) >= 2:
            score = _control_sums(sums, control, present, inputs, schema, low_threshold)
            scores[control.name] = score
        _pair_sums(sums, control, records, values)
    _annotator_sums(sums, schema, inputs, records)
    _review_sums(sums, inputs)
    return TaskContribution({k: v for k, v in sums.items() if v != 0.0}, scores)


def _project_sums(sums: defaultdict[Key, float], inputs: TaskInputs, records: list[Any]) -> None:
    n = len(records)
    sums[("p", "", encode_key("annotations"))] += n
    sums[("p", "", encode_key("annotated_tasks"))] += n >= 1
    sums[("p", "", encode_key("overlapping_tasks"))] += n >= 2
    sums[("p", "", encode_key("authorless"))] += sum(r.author_id is None for r in records)
    sums[("p", "", encode_key("gold_tasks"))] += inputs.gold is not None


def _nominal_sums(
    sums: defaultdict[Key, float],
    scope: str,
    labels: Sequence[Hashable],
    obs: str,
    count: tuple[Any, ...],
) -> Counter[Hashable]:
    """Add one unit's nominal coincidence sums: `sum_c n_c^2` enters through the observed
    disagreement `(m^2 - sum_c n_c^2) / (m - 1)` and the pooled counts `n_c`."""
    counts = Counter(labels)
    m = len(labels)
    sums[("c", scope, obs)] += (m * m - sum(n * n for n in counts.values())) / (m - 1)
    for label, n in counts.items():
        sums[("c", scope, encode_key(*count, label))] += n
    return counts


def _ordinal_sums(
    sums: defaultdict[Key, float], scope: str, criterion: str | None, values: Sequence[float]
) -> None:
    """Add one unit's coincidences `o_xy = n_x n_y / (m - 1)` (`n_x (n_x - 1) / (m - 1)` on
    the diagonal), stored for x <= y."""
    counts = Counter(float(v) for v in values)
    m = len(values)
    for x, nx in counts.items():
        for y, ny in counts.items():
            if x < y:
                sums[("c", scope, encode_key("o", criterion, x, y))] += nx * ny / (m - 1)
            elif x == y and nx > 1:
                sums[("c", scope, encode_key("o", criterion, x, x))] += nx * (nx - 1) / (m - 1)


def _control_sums(
    sums: defaultdict[Key, float],
    control: ControlSpec,
    values: list[Any],
    inputs: TaskInputs,
    schema: LabelingSchema,
    low_threshold: float,
) -> float:
    name, kind, m = control.name, ControlType(control.type), len(values)
    if kind in CATEGORICAL:
        labels = [pairwise_choice(v) if kind == ControlType.PAIRWISE else v for v in values]
        counts = _nominal_sums(sums, name, labels, encode_key("obs"), ("n",))
        score = sum(n * (n - 1) for n in counts.values()) / (m * (m - 1))
        sums[("c", name, encode_key("m", m))] += 1
    else:
        pairs = [value_similarity(control, x, y) for x, y in combinations(values, 2)]
        score = sum(pairs) / len(pairs)
        _type_sums(sums, control, kind, values, inputs, schema)
    sums[("c", name, encode_key("items"))] += 1
    sums[("c", name, encode_key("annotations"))] += m
    sums[("c", name, encode_key("score_sum"))] += score
    sums[("c", name, encode_key("low"))] += score < low_threshold
    return score


def _type_sums(
    sums: defaultdict[Key, float],
    control: ControlSpec,
    kind: ControlType,
    values: list[Any],
    inputs: TaskInputs,
    schema: LabelingSchema,
) -> None:
    name = control.name
    pairs = list(combinations(values, 2))

    def add(detail: str, amounts: Sequence[float]) -> None:
        sums[("c", name, encode_key("d", detail))] += sum(amounts)

    sums[("c", name, encode_key("pairs"))] += len(pairs)
    if kind == ControlType.RATING:
        _ordinal_sums(sums, name, None, values)
    elif kind == ControlType.NUMBER:
        numbers = [float(v) for v in values]
        mean = sum(numbers) / len(numbers)
        within = sum((v - mean) ** 2 for v in numbers)
        m = len(numbers)
        sums[("c", name, encode_key("iv_n"))] += m
        sums[("c", name, encode_key("iv_sum"))] += sum(numbers)
        sums[("c", name, encode_key("iv_sq"))] += sum(v * v for v in numbers)
        sums[("c", name, encode_key("iv_obs"))] += 2.0 * m * within / (m - 1)
    elif isinstance(control, RubricControl):
        for criterion in control.criteria:
            for ratings in rubric_units(values, criterion.name):  # per response, if of responses
                if len(ratings) >= 2:
                    _ordinal_sums(sums, name, criterion.name, ratings)
    elif kind == ControlType.CHOICES:
        for label in control.label_names:
            # The same "chosen" test as multilabel_agreement.
            chosen = [int(label in v or str(label) in map(str, v)) for v in values]
            _nominal_sums(sums, name, chosen, encode_key("lo", label), ("ln", label))
    elif kind == ControlType.SPANS:
        add("exact_f1", [span_agreement(a, b).exact_f1 for a, b in pairs])
        if control.of and schema.objects[control.of].type == "text":
            tokens = word_tokens(inputs.texts.get(control.of, ""))
            columns = [token_labels(spans, tokens) for spans in values]
            for unit in zip(*columns, strict=True):
                _nominal_sums(sums, name, unit, encode_key("to"), ("tn",))
    elif kind == ControlType.TRANSCRIPT:
        forward = [transcript_agreement(a, b) for a, b in pairs]
        backward = [transcript_agreement(b, a) for a, b in pairs]
        add("wer", [(r.text.wer + s.text.wer) / 2 for r, s in zip(forward, backward, strict=True)])
        add("timing_f1", [r.timing_f1 for r in forward])
    elif kind == ControlType.RANKING:
        add("mean_tau", [kendall_tau(a, b) for a, b in pairs])
    elif kind == ControlType.TRACKS:
        tracks = [track_agreement(a, b) for a, b in pairs]
        add("mean_iou", [t.mean_iou for t in tracks])
        add("id_switches", [t.id_switches for t in tracks])
    elif kind in REGION_CONTROLS:
        regions = [match_regions(a, b, kind=kind.value) for a, b in pairs]  # type: ignore[arg-type]
        add("mean_iou", [r.mean_overlap for r in regions])
        add("geometric_f1", [r.geometric_f1 for r in regions])
        add("label_agreement", [r.label_agreement for r in regions])


def _pair_sums(
    sums: defaultdict[Key, float], control: ControlSpec, records: list[Any], values: list[Any]
) -> None:
    """Similarity sums of every pair of (named) annotators on this task."""
    categorical = ControlType(control.type) in CATEGORICAL
    named = []
    for record, value in zip(records, values, strict=True):
        if record.author_id is None:
            continue
        if categorical:
            value = categorical_label(control, record.results)
        if value is not None:
            named.append((record.author_id, value))
    for (a, x), (b, y) in combinations(named, 2):
        if a == b:
            continue  # the matrix diagonal is derived, not summed
        similarity = float(x == y) if categorical else value_similarity(control, x, y)
        low, high = min(a, b), max(a, b)
        sums[("m", control.name, encode_key("s", low, high))] += similarity
        sums[("m", control.name, encode_key("n", low, high))] += 1


def _annotator_sums(
    sums: defaultdict[Key, float],
    schema: LabelingSchema,
    inputs: TaskInputs,
    records: list[Any],
) -> None:
    for author in {r.author_id for r in records}:
        sums[("a", author_scope(author), encode_key("tasks"))] += 1
    for r in records:
        scope = author_scope(r.author_id)
        week = iso_week(r.created_at)
        sums[("a", scope, encode_key("annotations"))] += 1
        sums[("a", scope, encode_key("wk", week, "n"))] += 1
        if r.lead_time_ms is not None:
            sums[("a", scope, encode_key("lead", lead_bucket(r.lead_time_ms)))] += 1
        if inputs.gold is None:
            continue
        per_control = gold_score(schema, r.results, inputs.gold)
        if not per_control:
            continue
        score = sum(per_control.values()) / len(per_control)
        passed = float(score >= GOLD_PASS)
        day = r.created_at.date().isoformat()
        sums[("a", scope, encode_key("gold_n"))] += 1
        sums[("a", scope, encode_key("gold_sum"))] += score
        for name, value in per_control.items():
            sums[("a", scope, encode_key("gc_sum", name))] += value
            sums[("a", scope, encode_key("gc_n", name))] += 1
        sums[("a", scope, encode_key("wk", week, "g"))] += 1
        sums[("a", scope, encode_key("wk", week, "p"))] += passed
        sums[("a", scope, encode_key("day", day, "g"))] += 1
        sums[("a", scope, encode_key("day", day, "p"))] += passed
    if len(records) < 2:
        return
    for control in schema.controls:
        values = [(r.author_id, comparable_value(schema, control, r.results)) for r in records]
        values = [(a, v) for a, v in values if v is not None]
        for (a, va), (b, vb) in combinations(values, 2):
            similarity = value_similarity(control, va, vb)
            for who in (a, b):
                sums[("a", author_scope(who), encode_key("peer_sum"))] += similarity
                sums[("a", author_scope(who), encode_key("peer_n"))] += 1
        if ControlType(control.type) in CATEGORICAL:
            _consensus_sums(sums, control, records)


def _consensus_sums(
    sums: defaultdict[Key, float], control: ControlSpec, records: list[Any]
) -> None:
    """Agreement with the task's majority label (ties: the class listed first)."""
    answers = [(r.author_id, categorical_label(control, r.results)) for r in records]
    answers = [(a, v) for a, v in answers if v is not None]
    if not answers:
        return
    classes = list(categorical_classes(control))
    classes += sorted({v for _, v in answers if v not in classes}, key=str)
    counts = Counter(v for _, v in answers)
    label = max(classes, key=lambda c: (counts.get(c, 0), -classes.index(c)))
    for author, value in answers:
        sums[("a", author_scope(author), encode_key("cons_n"))] += 1
        sums[("a", author_scope(author), encode_key("cons_hit"))] += value == label


def _review_sums(sums: defaultdict[Key, float], inputs: TaskInputs) -> None:
    chains: defaultdict[int, list[ReviewRecord]] = defaultdict(list)
    for review in inputs.reviews:
        chains[review.annotation_id].append(review)
        scope = author_scope(review.author_id)
        sums[("a", scope, encode_key("reviewed"))] += 1
        sums[("a", scope, encode_key("verdict", review.verdict))] += 1
        if review.verdict != "accept" and review.severity:
            sums[("a", scope, encode_key("sev", review.severity))] += 1
    for chain in chains.values():
        for i, review in enumerate(chain):
            scope = author_scope(review.reviewer_id)
            sums[("r", scope, encode_key("reviews"))] += 1
            later = next(
                (
                    r
                    for r in chain[i + 1 :]
                    if r.reviewer_id != review.reviewer_id and r.reviewer_id in inputs.overturning
                ),
                None,
            )
            if later is not None:
                sums[("r", scope, encode_key("adjudicated"))] += 1
                sums[("r", scope, encode_key("overturned"))] += later.verdict != review.verdict
