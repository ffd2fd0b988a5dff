"""Helpers for format tests: run an exporter or importer the way the services do, purely."""

from __future__ import annotations

import io
import os
from collections.abc import Iterable, Mapping
from typing import Any

import pytest

# Reference readers must never reach a hub: set before anything imports `datasets`.
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from labelwright.domain import LabelingSchema, describe_objects, parse_schema, validate_results
from labelwright.errors import LabelwrightError
from labelwright.formats import ExportAnnotation, ExportTask, get_exporter, get_importer


def make_task(
    task_id: int,
    data: Mapping[str, Any],
    results: Mapping[str, Any] | None = None,
    *,
    schema: LabelingSchema,
    meta: Mapping[str, Any] | None = None,
) -> ExportTask:
    """A task with one annotation whose results are validated (ids filled in) first."""
    annotations = ()
    if results is not None:
        normalized = validate_results(
            schema, results, context=describe_objects(schema, data), partial=True
        )
        annotations = (ExportAnnotation(id=task_id * 10, results=normalized),)
    return ExportTask(id=task_id, data=data, meta=meta or {}, annotations=annotations)


def export_bytes(name: str, schema: LabelingSchema, tasks: Iterable[ExportTask]) -> bytes:
    """The whole export of `tasks` in format `name`."""
    return b"".join(get_exporter(name).export(tasks, schema=schema))


def import_rows(name: str, schema: LabelingSchema, body: bytes) -> list[dict[str, Any]]:
    """Rows of an import, validated as the import service does; fails on any bad row."""
    rows = []
    for read in get_importer(name).read(io.BytesIO(body), schema=schema):
        assert read.error is None, f"line {read.line}: {read.error}"
        rows.append(normalize_row(schema, read.value))
    return rows


def import_errors(name: str, schema: LabelingSchema, body: bytes) -> list[str]:
    """The problems an import reports (whole-file errors and bad rows), in order."""
    problems = []
    try:
        for read in get_importer(name).read(io.BytesIO(body), schema=schema):
            if read.error is not None:
                problems.append(read.error)
                continue
            try:
                normalize_row(schema, read.value)
            except LabelwrightError as exc:
                problems.append(exc.message)
    except LabelwrightError as exc:
        problems.append(exc.message)
    return problems


def normalize_row(schema: LabelingSchema, row: Any) -> dict[str, Any]:
    """`{"data", "meta", "results": [...]}` with each annotation's results validated."""
    if not (isinstance(row, dict) and isinstance(row.get("data"), dict)):
        row = {"data": row}
    context = describe_objects(schema, row["data"])
    results = [
        validate_results(schema, a["results"], context=context, partial=True)
        for a in row.get("annotations") or []
    ]
    return {"data": row["data"], "meta": row.get("meta") or {}, "results": results}


def without_ids(value: Any) -> Any:
    """A copy of `value` without region `id`s (formats that cannot keep them)."""
    if isinstance(value, dict):
        return {k: without_ids(v) for k, v in value.items() if k != "id"}
    if isinstance(value, list):
        return [without_ids(v) for v in value]
    return value


def same_items(got: Any, expected: Any, *, tolerance: float = 1e-6) -> bool:
    """Equal JSON values, numbers within a relative `tolerance` (formats that round)."""
    if isinstance(expected, dict):
        return (
            isinstance(got, dict)
            and set(got) == set(expected)
            and all(same_items(got[k], expected[k], tolerance=tolerance) for k in expected)
        )
    if isinstance(expected, list):
        return (
            isinstance(got, list)
            and len(got) == len(expected)
            and all(
                same_items(g, e, tolerance=tolerance) for g, e in zip(got, expected, strict=True)
            )
        )
    if isinstance(expected, float | int) and not isinstance(expected, bool):
        return isinstance(got, float | int) and got == pytest.approx(
            expected, rel=tolerance, abs=tolerance
        )
    return bool(got == expected)


@pytest.fixture
def parse() -> Any:
    return parse_schema
