"""Scoring one gold (honeypot) answer against the expected result, control by control.

Each control present in either result is scored with the quality engine's `value_similarity`
(exact for choices, Jaccard for multi-label, matched-F1 at IoU >= 0.5 for regions, overlap F1
for spans, ...), so gold scores and agreement share one definition. The task's score is the
mean over those controls; two empty results score 1.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from labelwright.domain import LabelingSchema
from labelwright.quality.agreement.controls import comparable_value, value_similarity


@dataclass(frozen=True)
class GoldScore:
    """`score` is the mean of `per_control` (each in [0, 1])."""

    score: float
    per_control: dict[str, float]


def score_gold_answer(
    schema: LabelingSchema, expected: Mapping[str, Any], given: Mapping[str, Any]
) -> GoldScore:
    """Score `given` results against the `expected` gold results (both `{control: value}`).

    >>> from labelwright.domain import parse_schema
    >>> schema = parse_schema({"objects": {"t": {"type": "text"}},
    ...     "controls": [{"name": "c", "type": "choice", "of": "t", "options": ["a", "b"]}]})
    >>> score_gold_answer(schema, {"c": "a"}, {"c": "a"}).score
    1.0
    """
    per_control: dict[str, float] = {}
    for control in schema.controls:
        if control.name not in expected and control.name not in given:
            continue
        a = comparable_value(schema, control, expected)
        b = comparable_value(schema, control, given)
        if a is None or b is None:
            per_control[control.name] = float(a is None and b is None)
        else:
            per_control[control.name] = value_similarity(control, a, b)
    score = sum(per_control.values()) / len(per_control) if per_control else 1.0
    return GoldScore(score=score, per_control=per_control)
