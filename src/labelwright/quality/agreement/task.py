"""Agreement among the annotations of one task, over every control of the schema."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

from labelwright.domain import LabelingSchema
from labelwright.quality.agreement.controls import comparable_value, value_similarity


@dataclass(frozen=True)
class TaskAgreement:
    """How the annotations of one task agree.

    Attributes:
        overall: Mean of `per_control` over the controls that could be compared; 1.0 when
            fewer than two annotations (or nothing comparable) exist.
        per_control: Mean pairwise similarity per control (None where fewer than two
            annotations answered it).
    """

    overall: float
    per_control: Mapping[str, float | None]


def task_agreement(
    schema: LabelingSchema, results: Sequence[Mapping[str, Any]], *, sigma: float = 10.0
) -> TaskAgreement:
    """Mean pairwise `value_similarity` of a task's annotations, per control and overall.

    This is the agreement an adjudication rule compares with its threshold: each control is
    compared with the measure that suits its type (exact choice, Jaccard, rating distance,
    matched-F1 of regions, overlap span F1, word agreement of transcripts, Kendall's tau of
    rankings, ...), then the controls are averaged with equal weight.

    Args:
        schema: The project's labeling schema.
        results: The `results` of each annotation of the task.
        sigma: Keypoint tolerance in pixels.

    >>> from labelwright.domain import parse_schema
    >>> schema = parse_schema({"objects": {"t": {"type": "text"}},
    ...     "controls": [{"name": "s", "type": "choice", "of": "t", "options": ["a", "b"]}]})
    >>> task_agreement(schema, [{"s": "a"}, {"s": "a"}, {"s": "b"}]).overall
    0.3333333333333333
    """
    per_control: dict[str, float | None] = {}
    for control in schema.controls:
        values = [comparable_value(schema, control, r) for r in results]
        values = [v for v in values if v is not None]
        if len(values) < 2:
            per_control[control.name] = None
            continue
        pairs = [value_similarity(control, a, b, sigma=sigma) for a, b in combinations(values, 2)]
        per_control[control.name] = sum(pairs) / len(pairs)
    scored = [v for v in per_control.values() if v is not None]
    return TaskAgreement(sum(scored) / len(scored) if scored else 1.0, per_control)
