"""A project's workflow settings (validated, versioned) and the agreement rule the stages use."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from labelwright.domain import LabelingSchema
from labelwright.domain.workflow import WorkflowSettings, parse_workflow
from labelwright.quality.agreement.task import task_agreement
from labelwright.store.models import Project


def settings_of(project: Project) -> WorkflowSettings:
    """The project's workflow settings in force; kept per (project, workflow version, project
    creation time), since a stored version never changes."""
    key = (project.id, project.workflow_version, project.created_at)
    settings = _SETTINGS.get(key)
    if settings is None:
        settings = parse_workflow(project.workflow)
        if len(_SETTINGS) >= 1024:
            _SETTINGS.clear()
        _SETTINGS[key] = settings
    return settings


_SETTINGS: dict[tuple[int, int, object], WorkflowSettings] = {}


def agreement(schema: LabelingSchema, results: Sequence[Mapping[str, Any]]) -> float:
    """Agreement between the annotations of one task, in [0, 1]: the quality engine's mean
    pairwise per-control similarity (what `adjudication.agreement_below` is compared with)."""
    if len(results) < 2:
        return 1.0
    return task_agreement(schema, results).overall
