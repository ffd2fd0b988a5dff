"""A project's workflow settings (validated, versioned) and the agreement rule the stages use."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from labelwright.domain import LabelingSchema
from labelwright.domain.workflow import WorkflowSettings, parse_workflow
from labelwright.store.models import Project


def settings_of(project: Project) -> WorkflowSettings:
    return parse_workflow(project.workflow)


def agreement(schema: LabelingSchema, results: Sequence[Mapping[str, Any]]) -> float:
    """Agreement between the annotations of one task, in [0, 1].

    Exact match of the whole results, pairwise: the share of annotation pairs that are equal.
    The quality engine's per-control agreement can replace this function.
    """
    n = len(results)
    if n < 2:
        return 1.0
    pairs = n * (n - 1) // 2
    equal = sum(1 for i in range(n) for j in range(i + 1, n) if results[i] == results[j])
    return equal / pairs
