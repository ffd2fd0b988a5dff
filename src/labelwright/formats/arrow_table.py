"""A flat table of labels for Parquet and Hugging Face datasets, typed from the schema.

One row per task and selected annotation: `id`, `annotation_id`, `annotator`, one column per
object (text as a string, any other object's data as JSON text), `meta` (JSON text) and one
typed column per control (table below); values a type cannot hold go out as JSON text.

| control | column |
|---|---|
| choice / choices | string / list of strings (`ClassLabel` ints in a dataset) |
| rating, number, textarea | int64, float64 (int64 when `integer`), string |
| rubric | struct of int64 per criterion; of a responses object, list of `{response, ratings}` |
| spans, boxes, polygons, keypoints, segments, transcript | list of structs |
| pairwise | struct `{choice, strength, reason}` |
| others (masks, relations, tracks, ranking, regions, fields) | JSON text |

pyarrow is imported lazily: it is an optional dependency (`labelwright[formats]`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from labelwright.domain import ControlSpec, ControlType, LabelingSchema, ObjectType
from labelwright.errors import Invalid
from labelwright.formats.records import ExportAnnotation, ExportTask


def require_pyarrow(fmt: str) -> Any:
    """The pyarrow module; `Invalid` says how to install it."""
    try:
        import pyarrow  # type: ignore[import-untyped]
    except ImportError:
        raise Invalid(
            f"Format '{fmt}' needs pyarrow on the server (pip install 'labelwright[formats]')."
        ) from None
    return pyarrow


def _json(value: Any) -> str | None:
    return None if value is None else orjson.dumps(value).decode()


_REGION = {
    ControlType.SPANS: [("start", "int64"), ("end", "int64"), ("text", "string")],
    ControlType.BOXES: [
        ("x", "float64"),
        ("y", "float64"),
        ("w", "float64"),
        ("h", "float64"),
        ("rotation", "float64"),
    ],
    ControlType.POLYGONS: [("points", "points")],
    ControlType.KEYPOINTS: [("x", "float64"), ("y", "float64"), ("visible", "bool")],
    ControlType.SEGMENTS: [("start", "float64"), ("end", "float64")],
}


@dataclass(frozen=True)
class Column:
    """One column: its name, arrow type, `datasets` feature and how to read a row's value."""

    name: str
    type: Any
    feature: dict[str, Any]
    value: Callable[[ExportTask, ExportAnnotation | None], Any]


def _feature(arrow_type: str) -> dict[str, Any]:
    return {"dtype": arrow_type, "_type": "Value"}


def columns(schema: LabelingSchema, *, class_labels: bool) -> list[Column]:
    """The table's columns for `schema`; `class_labels` stores options as `ClassLabel` ints."""
    pa = require_pyarrow("parquet")
    out = [
        Column("id", pa.int64(), _feature("int64"), lambda t, a: t.id),
        Column("annotation_id", pa.int64(), _feature("int64"), lambda t, a: a.id if a else None),
        Column("annotator", pa.string(), _feature("string"), lambda t, a: a.author if a else None),
    ]
    for name, spec in schema.objects.items():
        key = schema.data_key(name)
        if spec.type == ObjectType.TEXT.value:
            out.append(Column(key, pa.string(), _feature("string"), _data(key, str)))
        else:
            out.append(Column(key, pa.string(), _feature("string"), _data(key, _json)))
    out.append(Column("meta", pa.string(), _feature("string"), lambda t, a: _json(t.meta or None)))
    for control in schema.controls:
        if control.type == ControlType.RUBRIC and _is_responses(schema, control.of):
            out.append(_rubric_per_response_column(pa, control))
        else:
            out.append(_control_column(pa, control, class_labels=class_labels))
    return out


def _is_responses(schema: LabelingSchema, name: str | None) -> bool:
    spec = schema.objects.get(name) if name is not None else None
    return spec is not None and spec.type == ObjectType.RESPONSES.value


def _rubric_per_response_column(pa: Any, control: ControlSpec) -> Column:
    """A rubric of responses: `[{response, ratings: {criterion: int}}]` in task order."""
    names = [c.name for c in getattr(control, "criteria", ())]
    ratings = pa.struct([(n, pa.int64()) for n in names])
    arrow = pa.list_(pa.struct([("response", pa.string()), ("ratings", ratings)]))
    feature = {
        "feature": {
            "response": _feature("string"),
            "ratings": {n: _feature("int64") for n in names},
        },
        "_type": "List",
    }

    def convert(value: dict[str, Any]) -> list[dict[str, Any]]:
        return [{"response": rid, "ratings": scores} for rid, scores in value.items()]

    return Column(control.name, arrow, feature, _result(control.name, convert))


def _data(key: str, convert: Callable[[Any], Any]) -> Callable[[ExportTask, Any], Any]:
    def read(task: ExportTask, annotation: Any) -> Any:
        value = task.data.get(key)
        return None if value is None else convert(value)

    return read


def _result(name: str, convert: Callable[[Any], Any] = lambda v: v) -> Callable[..., Any]:
    def read(task: ExportTask, annotation: ExportAnnotation | None) -> Any:
        value = annotation.results.get(name) if annotation else None
        return None if value is None else convert(value)

    return read


def _control_column(pa: Any, control: ControlSpec, *, class_labels: bool) -> Column:
    kind = ControlType(control.type)
    name = control.name
    options = list(control.label_names)
    if kind == ControlType.CHOICE:
        if class_labels:
            feature: dict[str, Any] = {"names": options, "_type": "ClassLabel"}
            return Column(name, pa.int64(), feature, _result(name, options.index))
        return Column(name, pa.string(), _feature("string"), _result(name))
    if kind == ControlType.CHOICES:
        if class_labels:
            feature = {"feature": {"names": options, "_type": "ClassLabel"}, "_type": "List"}
            convert = lambda v: [options.index(o) for o in v]  # noqa: E731
            return Column(name, pa.list_(pa.int64()), feature, _result(name, convert))
        feature = {"feature": _feature("string"), "_type": "List"}
        return Column(name, pa.list_(pa.string()), feature, _result(name))
    if kind == ControlType.RATING or (
        kind == ControlType.NUMBER and getattr(control, "integer", False)
    ):
        return Column(name, pa.int64(), _feature("int64"), _result(name))
    if kind == ControlType.NUMBER:
        return Column(name, pa.float64(), _feature("float64"), _result(name, float))
    if kind == ControlType.TEXTAREA:
        return Column(name, pa.string(), _feature("string"), _result(name))
    if kind == ControlType.RUBRIC:
        names = [c.name for c in getattr(control, "criteria", ())]
        arrow = pa.struct([(n, pa.int64()) for n in names])
        return Column(name, arrow, {n: _feature("int64") for n in names}, _result(name))
    if kind == ControlType.PAIRWISE:
        fields = [("choice", "string"), ("strength", "int64"), ("reason", "string")]
        return _struct_column(pa, name, fields, listed=False)
    if kind == ControlType.TRANSCRIPT:
        fields = [
            ("start", "float64"),
            ("end", "float64"),
            ("text", "string"),
            ("speaker", "string"),
        ]
        return _struct_column(pa, name, fields, listed=True)
    if kind in _REGION:
        fields = [("id", "string"), *_REGION[kind], ("label", "string"), ("attributes", "json")]
        return _struct_column(pa, name, fields, listed=True)
    return Column(name, pa.string(), _feature("string"), _result(name, _json))


def _arrow(pa: Any, kind: str) -> Any:
    if kind == "points":
        return pa.list_(pa.list_(pa.float64()))
    if kind == "json":
        return pa.string()
    return pa.type_for_alias(kind)


def _struct_column(
    pa: Any, name: str, fields: Sequence[tuple[str, str]], *, listed: bool
) -> Column:
    arrow = pa.struct([(field, _arrow(pa, kind)) for field, kind in fields])
    feature: dict[str, Any] = {
        field: (
            {"feature": {"feature": _feature("float64"), "_type": "List"}, "_type": "List"}
            if kind == "points"
            else _feature("string" if kind == "json" else kind)
        )
        for field, kind in fields
    }
    as_json = {field for field, kind in fields if kind == "json"}

    def convert(item: dict[str, Any]) -> dict[str, Any]:
        return {k: (_json(v) if k in as_json else v) for k, v in item.items()}

    if listed:
        return Column(
            name,
            pa.list_(arrow),
            {"feature": feature, "_type": "List"},
            _result(name, lambda v: [convert(i) for i in v]),
        )
    return Column(name, arrow, feature, _result(name, convert))


def record_batch(
    pa: Any, table: list[Column], rows: Sequence[tuple[ExportTask, ExportAnnotation | None]]
) -> Any:
    """The rows as one arrow record batch."""
    arrays = [pa.array([c.value(t, a) for t, a in rows], type=c.type) for c in table]
    return pa.RecordBatch.from_arrays(arrays, names=[c.name for c in table])


def annotated_rows(
    tasks: Sequence[ExportTask],
) -> list[tuple[ExportTask, ExportAnnotation | None]]:
    """One row per selected annotation, or one row without for an unannotated task."""
    rows: list[tuple[ExportTask, ExportAnnotation | None]] = []
    for task in tasks:
        rows += [(task, a) for a in task.annotations] if task.annotations else [(task, None)]
    return rows
