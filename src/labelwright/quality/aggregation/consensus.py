"""A suggested final result for one task from its annotations, for every control type."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from labelwright import errors
from labelwright.domain import ControlSpec, ControlType, LabelingSchema
from labelwright.domain.controls import RubricControl
from labelwright.domain.values.classification import rubric_ratings
from labelwright.quality.aggregation.regions import fuse_regions
from labelwright.quality.aggregation.spans import vote_spans
from labelwright.quality.agreement.controls import comparable_value, value_similarity

FUSED = frozenset(
    {
        ControlType.BOXES,
        ControlType.POLYGONS,
        ControlType.MASKS,
        ControlType.KEYPOINTS,
        ControlType.REGIONS,
        ControlType.SEGMENTS,
    }
)
ORIGIN = "consensus"
"""The origin of an annotation made from a consensus suggestion."""


@dataclass(frozen=True)
class Consensus:
    """A suggested result, never final by itself (origin `consensus`).

    Attributes:
        results: `{control: value}` in the schema's value shapes; controls nobody answered
            are absent, and so are relations (their ends would point at fused regions).
        methods: How each control's value was made: `vote`, `median`, `fusion`,
            `token-vote` or `medoid`.
        n_annotations: Annotations the suggestion is built from.
    """

    results: Mapping[str, Any]
    methods: Mapping[str, str]
    n_annotations: int


def consensus_results(
    schema: LabelingSchema,
    results: Sequence[Mapping[str, Any]],
    *,
    weights: npt.ArrayLike | None = None,
    texts: Mapping[str, str] | None = None,
    sigma: float = 10.0,
) -> Consensus:
    """Combine a task's annotations into one suggested result.

    choice and pairwise: weighted vote (ties to the first in sorted order); choices: each
    option chosen by more than half the weight; rating, number and rubric criteria (of each
    response, for a rubric of a responses object): weighted lower median (always one of the
    given values); boxes, polygons, masks, keypoints, document regions, segments:
    `fuse_regions` (majority support); spans: `vote_spans` when the text of their object is in
    `texts`; everything else (textarea, transcript, ranking, tracks, fields, spans without
    text): the medoid, i.e. the annotation value with the highest weighted mean
    `value_similarity` to the others.

    Args:
        schema: The labeling schema.
        results: Each annotation's `results`.
        weights: `(n_annotations,)` non-negative weights, e.g. the annotators' gold accuracy.
        texts: Object name -> its text, for span voting.
        sigma: Keypoint tolerance in pixels.

    Raises:
        errors.Invalid: Wrong number of weights, or all weights zero.

    >>> from labelwright.domain import parse_schema
    >>> schema = parse_schema({"objects": {"t": {"type": "text"}},
    ...     "controls": [{"name": "s", "type": "choice", "of": "t", "options": ["a", "b"]}]})
    >>> consensus_results(schema, [{"s": "a"}, {"s": "b"}, {"s": "b"}]).results
    {'s': 'b'}
    """
    w = np.ones(len(results)) if weights is None else np.asarray(weights, dtype=np.float64)
    if w.shape != (len(results),) or np.any(w < 0) or (w.size and w.sum() <= 0):
        raise errors.Invalid("Give one non-negative weight per annotation, not all zero.")
    out: dict[str, Any] = {}
    methods: dict[str, str] = {}
    for control in schema.controls:
        kind = ControlType(control.type)
        if kind == ControlType.RELATIONS:
            continue
        answered = [(i, r[control.name]) for i, r in enumerate(results) if control.name in r]
        if kind in FUSED:
            answered = [(i, r.get(control.name) or []) for i, r in enumerate(results)]
        if not answered or all(v is None for _, v in answered):
            continue
        index = np.array([i for i, _ in answered])
        values = [v for _, v in answered]
        cw = w[index] if w[index].sum() > 0 else np.ones(len(index))
        value, method = _combine(schema, control, kind, values, cw, texts or {}, sigma)
        if value is not None:
            out[control.name] = value
            methods[control.name] = method
    return Consensus(out, methods, len(results))


def _combine(
    schema: LabelingSchema,
    control: ControlSpec,
    kind: ControlType,
    values: list[Any],
    w: np.ndarray,
    texts: Mapping[str, str],
    sigma: float,
) -> tuple[Any, str]:
    if kind == ControlType.CHOICE:
        return _vote(values, w), "vote"
    if kind == ControlType.PAIRWISE:
        return {"choice": _vote([v["choice"] for v in values], w)}, "vote"
    if kind == ControlType.CHOICES:
        options = control.label_names
        return [
            o for o in options if sum(w[i] for i, v in enumerate(values) if o in v) > w.sum() / 2
        ], "vote"
    if kind == ControlType.RATING:
        return round(_median(values, w)), "median"
    if kind == ControlType.NUMBER:
        median = _median(values, w)
        return (round(median) if getattr(control, "integer", False) else median), "median"
    if isinstance(control, RubricControl):
        return _combine_rubric(control, values, w), "median"
    if kind in FUSED:
        fused = fuse_regions(values, kind=kind.value, weights=w, sigma=sigma)  # type: ignore[arg-type]
        return [{"id": f"c{n + 1}", **f.region} for n, f in enumerate(fused)], "fusion"
    if kind == ControlType.SPANS and control.of is not None and control.of in texts:
        return list(vote_spans(values, texts[control.of], weights=w)), "token-vote"
    return _medoid(schema, control, values, w, sigma), "medoid"


def _combine_rubric(control: RubricControl, values: list[Any], w: np.ndarray) -> dict[str, Any]:
    """The weighted median of each criterion (of each response, for a rubric of responses)."""
    cells = [rubric_ratings(v) for v in values]
    responses = dict.fromkeys(r for cell in cells for r, _ in cell)
    combined: dict[str | None, dict[str, int]] = {}
    for response in responses:
        for criterion in control.criteria:
            key = (response, criterion.name)
            rated = [(cell[key], w[i]) for i, cell in enumerate(cells) if key in cell]
            if rated:
                median = _median([r for r, _ in rated], np.array([x for _, x in rated]))
                combined.setdefault(response, {})[criterion.name] = round(median)
    if None in combined:
        return combined[None]
    return {str(response): ratings for response, ratings in combined.items()}


def _vote(values: list[Any], w: np.ndarray) -> Any:
    tally: dict[str, tuple[float, Any]] = {}
    for value, weight in zip(values, w, strict=True):
        key = repr(value)
        tally[key] = (tally.get(key, (0.0, value))[0] + float(weight), value)
    return min(tally.items(), key=lambda item: (-item[1][0], item[0]))[1][1]


def _median(values: list[Any], w: np.ndarray) -> float:
    # Weighted median: the smallest value where the cumulative weight reaches half.
    order = np.argsort(np.asarray(values, dtype=np.float64), kind="stable")
    sorted_values = np.asarray(values, dtype=np.float64)[order]
    cumulative = np.cumsum(w[order])
    return float(sorted_values[int(np.searchsorted(cumulative, cumulative[-1] / 2.0))])


def _medoid(
    schema: LabelingSchema, control: ControlSpec, values: list[Any], w: np.ndarray, sigma: float
) -> Any:
    if len(values) == 1:
        return values[0]
    comparable = [comparable_value(schema, control, {control.name: v}) for v in values]
    best, best_score = 0, -1.0
    for i, a in enumerate(comparable):
        score = sum(
            w[j] * value_similarity(control, a, b, sigma=sigma)
            for j, b in enumerate(comparable)
            if j != i
        )
        if score > best_score + 1e-12:
            best, best_score = i, score
    return values[best]
