"""JSON and JSONL: every task with its data, meta, annotations (lineage) and predictions.

Each JSONL line (and each item of the JSON array) is
`{"id", "data", "meta", "annotations": [...], "predictions": [...]}`; importing it back gives
the same tasks, annotations and predictions (ids and lineage are assigned anew).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, BinaryIO

import orjson

from labelwright.domain import LabelingSchema
from labelwright.formats.records import ExportTask, Selection
from labelwright.formats.task_rows import RowFormat, RowRead, read_rows


def task_json(task: ExportTask) -> bytes:
    """One task as compact JSON."""
    return orjson.dumps(
        {
            "id": task.id,
            "data": task.data,
            "meta": task.meta,
            "annotations": [a.lineage() for a in task.annotations],
            "predictions": [p.as_json() for p in task.predictions],
        }
    )


class JsonlExporter:
    """One task per line."""

    name = "jsonl"
    version = 1
    description = "JSON Lines: one task per line with annotations, lineage and predictions."
    media_type = "application/x-ndjson"
    extension = "jsonl"
    default_selection = Selection.HISTORY
    includes_predictions = True
    # data and meta only pass through `orjson.dumps`: the service may hand them over as
    # `orjson.Fragment`s of the stored JSON text.
    serializes_data_only = True
    # data and meta only pass through `orjson.dumps`: the service may hand them over as
    # `orjson.Fragment`s of the stored JSON text.
    serializes_data_only = True

    def check_schema(self, schema: LabelingSchema) -> None:
        """Every schema can be exported."""

    def export(self, tasks: Iterable[ExportTask], *, schema: LabelingSchema) -> Iterator[bytes]:
        """Yield one line per task."""
        for task in tasks:
            yield task_json(task) + b"\n"


class JsonExporter:
    """One JSON array of tasks."""

    name = "json"
    version = 1
    description = "A JSON array of tasks with annotations, lineage and predictions."
    media_type = "application/json"
    extension = "json"
    default_selection = Selection.HISTORY
    includes_predictions = True
    # data and meta only pass through `orjson.dumps`: the service may hand them over as
    # `orjson.Fragment`s of the stored JSON text.
    serializes_data_only = True
    # data and meta only pass through `orjson.dumps`: the service may hand them over as
    # `orjson.Fragment`s of the stored JSON text.
    serializes_data_only = True

    def check_schema(self, schema: LabelingSchema) -> None:
        """Every schema can be exported."""

    def export(self, tasks: Iterable[ExportTask], *, schema: LabelingSchema) -> Iterator[bytes]:
        """Yield `[`, the tasks separated by `,\\n`, and `]`."""
        yield b"["
        separator = b""
        for task in tasks:
            yield separator + task_json(task)
            separator = b",\n"
        yield b"]\n"


class RowsImporter:
    """Task rows (`{"data", "meta"?, "annotations"?, "predictions"?}` or bare data objects)."""

    version = 1

    def __init__(self, fmt: RowFormat, description: str) -> None:
        self.name = fmt.value
        self.description = description
        self._fmt = fmt

    def check_schema(self, schema: LabelingSchema) -> None:
        """Every schema can receive rows."""

    def read(self, stream: BinaryIO, *, schema: LabelingSchema) -> Iterator[RowRead]:
        """Yield each row with its line or item number; export lines lose their task `id`."""
        for read in read_rows(stream, self._fmt):
            yield RowRead(read.line, _without_id(read.value)) if read.error is None else read


def _without_id(value: Any) -> Any:
    """An exported task line without its task `id` (new tasks get new ids)."""
    if (
        isinstance(value, dict)
        and isinstance(value.get("data"), dict)
        and "id" in value
        and set(value) <= _EXPORT_KEYS
    ):
        return {k: v for k, v in value.items() if k != "id"}
    return value


_EXPORT_KEYS = frozenset({"id", "data", "meta", "annotations", "predictions", "priority"})
