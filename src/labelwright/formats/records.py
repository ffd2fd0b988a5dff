"""Plain records that exporters read and importers produce.

The export service turns database rows into `ExportTask`s (one per task, with the annotations
the caller selected); importers turn foreign files into task rows
(`{"data", "meta"?, "annotations"?, "predictions"?}`), which the import service validates and
stores exactly like rows of a JSONL import.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from labelwright.domain import MediaInfo


class Selection(StrEnum):
    """Which annotations of each task an export carries."""

    FINAL = "final"
    """The task's final annotation: one per task, or none."""
    ALL = "all"
    """Every current annotation (one per annotator when tasks overlap)."""
    HISTORY = "history"
    """Every annotation that is not deleted, superseded versions included (lineage dumps)."""


@dataclass(frozen=True)
class ExportAnnotation:
    """One annotation with its lineage."""

    id: int
    results: Mapping[str, Any]
    author: str | None = None
    origin: str = "human"
    parent_id: int | None = None
    schema_version: int = 1
    guideline_version: int = 1
    lead_time_ms: int | None = None
    stage: str = "label"
    status: str = "submitted"
    created_at: str | None = None

    def lineage(self) -> dict[str, Any]:
        """The annotation as the JSON export writes it."""
        return {
            "id": self.id,
            "results": self.results,
            "author": self.author,
            "origin": self.origin,
            "parent_id": self.parent_id,
            "schema_version": self.schema_version,
            "guideline_version": self.guideline_version,
            "lead_time_ms": self.lead_time_ms,
            "stage": self.stage,
            "status": self.status,
            "created_at": self.created_at,
        }


@dataclass(frozen=True)
class ExportPrediction:
    """One model or rule suggestion."""

    id: int
    origin: str
    results: Mapping[str, Any]
    score: float | None = None
    scores: Mapping[str, Any] | None = None
    created_at: str | None = None

    def as_json(self) -> dict[str, Any]:
        """The prediction as the JSON export writes it."""
        return {
            "id": self.id,
            "origin": self.origin,
            "results": self.results,
            "score": self.score,
            "scores": self.scores,
            "created_at": self.created_at,
        }


@dataclass(frozen=True)
class ExportTask:
    """One task as an exporter sees it.

    Attributes:
        id: The task id.
        data: The task data (DESIGN.md section 5 conventions).
        meta: Free metadata.
        annotations: The selected annotations, oldest first.
        predictions: The task's predictions, oldest first.
        media: What the server knows about the media the data references, by reference string
            (`"media:<sha256>"`), so exporters know image sizes and durations.
    """

    id: int
    data: Mapping[str, Any]
    meta: Mapping[str, Any] = field(default_factory=dict)
    annotations: Sequence[ExportAnnotation] = ()
    predictions: Sequence[ExportPrediction] = ()
    media: Mapping[str, MediaInfo] = field(default_factory=dict)
