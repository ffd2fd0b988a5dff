"""A project's workflow settings (validated, versioned) and the agreement rule the stages use."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from labelwright.domain import LabelingSchema
from labelwright.domain.workflow import WorkflowSettings, parse_workflow
from labelwright.quality.agreement.task import task_agreement
from labelwright.store.models import Project


def settings_of(project: Project) -> WorkflowSettings:
    return parse_workflow(project.workflow)


def agreement(schema: LabelingSchema, results: Sequence[Mapping[str, Any]]) -> float:
    """Agreement between the annotations of one task, in [0, 1]: the quality engine's mean
    pairwise per-control similarity (what `adjudication.agreement_below` is compared with)."""
    if len(results) < 2:
        return 1.0
    return task_agreement(schema, results).overall
