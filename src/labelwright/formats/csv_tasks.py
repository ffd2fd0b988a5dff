"""CSV tables: one row per task (and annotation), and a two-column classification CSV.

The task table has the columns `id`, one per object's data key, `meta` (JSON) and
`label.<control>` per control. Text, choices, ratings and numbers are written as plain cells;
any other value is JSON. The `csv` importer reads such a table back (and any CSV the plain task
import reads, `meta.<key>` columns included): `label.` cells become the task's annotation.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, BinaryIO

import orjson

from labelwright.domain import ControlType, LabelingSchema, ObjectType
from labelwright.errors import Invalid
from labelwright.formats.records import ExportTask, Selection
from labelwright.formats.targets import require_controls, require_object
from labelwright.formats.task_rows import RowFormat, RowRead, read_rows

LABEL_PREFIX = "label."
_PLAIN_CONTROLS = {ControlType.CHOICE, ControlType.TEXTAREA}
_NUMBER_CONTROLS = {ControlType.RATING, ControlType.NUMBER}


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value) if isinstance(value, float) else str(value)
    return orjson.dumps(value).decode()


def _csv_line(cells: list[str]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(cells)
    return buffer.getvalue().encode()


class CsvExporter:
    """A task table; with several annotations per task, one row per annotation."""

    name = "csv"
    version = 1
    description = "CSV: id, data columns, meta (JSON) and one label.<control> column per control."
    media_type = "text/csv"
    extension = "csv"
    default_selection = Selection.FINAL

    def check_schema(self, schema: LabelingSchema) -> None:
        """Every schema can be exported."""

    def export(self, tasks: Iterable[ExportTask], *, schema: LabelingSchema) -> Iterator[bytes]:
        """Yield the header and one row per task (or per selected annotation)."""
        keys = list(dict.fromkeys(schema.data_key(name) for name in schema.objects))
        controls = [c.name for c in schema.controls]
        yield _csv_line(["id", *keys, "meta", *(LABEL_PREFIX + c for c in controls)])
        for task in tasks:
            head = [str(task.id), *(_cell(task.data.get(k)) for k in keys)]
            head.append(orjson.dumps(task.meta).decode() if task.meta else "")
            results_list = [a.results for a in task.annotations] or [{}]
            for results in results_list:
                yield _csv_line([*head, *(_cell(results.get(c)) for c in controls)])


class CsvImporter:
    """Task rows from a CSV table; `label.<control>` columns give the task's annotation."""

    name = "csv"
    version = 1
    description = "CSV with a header: data columns, meta or meta.<key>, label.<control> columns."

    def check_schema(self, schema: LabelingSchema) -> None:
        """Every schema can receive CSV rows."""

    def read(self, stream: BinaryIO, *, schema: LabelingSchema) -> Iterator[RowRead]:
        """Yield one task row per CSV row."""
        structured = {
            schema.data_key(name)
            for name, spec in schema.objects.items()
            if spec.type != ObjectType.TEXT.value
        }
        for read in read_rows(stream, RowFormat.CSV):
            if read.error is not None:
                yield read
                continue
            try:
                yield RowRead(read.line, _task_row(read.value, schema, structured))
            except Invalid as exc:
                yield RowRead(read.line, error=exc.message)


def _task_row(value: Mapping[str, Any], schema: LabelingSchema, structured: set[str]) -> Any:
    if isinstance(value.get("data"), dict) and set(value) <= {"data", "meta"}:
        data, meta = dict(value["data"]), dict(value.get("meta") or {})
    else:
        data, meta = dict(value), {}
    data.pop("id", None)
    meta_cell = data.pop("meta", "")
    if meta_cell:
        parsed = _json(meta_cell, "meta")
        if not isinstance(parsed, dict):
            raise Invalid("column 'meta' must hold a JSON object")
        meta = {**parsed, **meta}
    results: dict[str, Any] = {}
    for column in [c for c in data if c.startswith(LABEL_PREFIX)]:
        cell = data.pop(column)
        name = column[len(LABEL_PREFIX) :]
        control = schema.control(name)
        if control is None:
            raise Invalid(f"column '{column}' names no control of the schema")
        if cell != "":
            results[name] = _label(control.type, cell, column)
    for key in structured:
        cell = data.get(key)
        if isinstance(cell, str) and cell[:1] in ("{", "["):
            data[key] = _json(cell, key)
    row: dict[str, Any] = {"data": data, "meta": meta}
    if results:
        row["annotations"] = [{"results": results}]
    return row


def _json(cell: str, column: str) -> Any:
    try:
        return orjson.loads(cell)
    except orjson.JSONDecodeError as exc:
        raise Invalid(f"column '{column}' is not valid JSON: {exc}") from None


def _label(kind: str, cell: str, column: str) -> Any:
    if kind in _PLAIN_CONTROLS:
        return cell
    if kind in _NUMBER_CONTROLS:
        try:
            number = float(cell)
        except ValueError:
            raise Invalid(f"column '{column}' must be a number, got '{cell}'") from None
        return int(number) if number.is_integer() and "." not in cell else number
    return _json(cell, column)


class ClassificationCsvExporter:
    """`text,label` rows for text classifiers; several labels are joined with `|`."""

    name = "classification-csv"
    version = 1
    description = "Classification CSV: the text and its label(s) per annotation."
    media_type = "text/csv"
    extension = "csv"
    default_selection = Selection.FINAL

    def check_schema(self, schema: LabelingSchema) -> None:
        """Needs a text object labeled by a choice or choices control."""
        text = require_object(schema, self.name, ObjectType.TEXT)
        require_controls(schema, self.name, ControlType.CHOICE, ControlType.CHOICES, of=text)

    def export(self, tasks: Iterable[ExportTask], *, schema: LabelingSchema) -> Iterator[bytes]:
        """Yield `text,label` and one row per labeled annotation."""
        self.check_schema(schema)
        text = require_object(schema, self.name, ObjectType.TEXT)
        control = require_controls(
            schema, self.name, ControlType.CHOICE, ControlType.CHOICES, of=text
        )[0]
        key = schema.data_key(text)
        yield _csv_line(["text", "label"])
        for task in tasks:
            for annotation in task.annotations:
                value = annotation.results.get(control.name)
                if value is None:
                    continue
                label = value if isinstance(value, str) else "|".join(value)
                yield _csv_line([str(task.data.get(key, "")), label])
