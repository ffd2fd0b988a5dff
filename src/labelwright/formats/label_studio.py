"""Label Studio JSON exports: import them (tasks, annotations, predictions), and export back.

Results map by name: a Label Studio result's `from_name` is the Labelwright control of the same
name (as `label_studio_config.parse_label_config` makes them) and its `to_name` the object.
Coordinates are converted between Label Studio's percentages of `original_width` /
`original_height` and source pixels; text offsets between UTF-16 code units (JavaScript) and
code points; brush masks between Label Studio's RLE and COCO RLE; pairwise `left`/`right` and
`a`/`b` (a tie has no Label Studio equivalent and is refused on export); a `Ranker` result with
buckets as one place per bucket of the control's `buckets` (`[]` for an empty one), the unplaced
items (`_`, or any response not in a bucket) in one last place, and back. Per-region results
(`perRegion="true"` TextArea, Choices, Rating, Number) share their region's `id` and become that
region's attribute. Cancelled (skipped) annotations are not imported. Predictions given only as
ids (as Label Studio's JSON export writes them) are skipped.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, BinaryIO

import orjson

from labelwright.domain import ControlSpec, LabelingSchema, rle_decode, rle_encode
from labelwright.domain.context import read_responses
from labelwright.domain.controls import RankingControl
from labelwright.errors import Invalid
from labelwright.formats.label_studio_config import UNPLACED, region_attributes
from labelwright.formats.ls_brush import decode_brush, encode_brush
from labelwright.formats.records import ExportTask, Selection
from labelwright.formats.targets import media_of
from labelwright.formats.task_rows import RowFormat, RowRead, read_rows

_RESULT_TYPES = {
    "choice": "choices",
    "choices": "choices",
    "spans": "labels",
    "segments": "labels",
    "boxes": "rectanglelabels",
    "polygons": "polygonlabels",
    "keypoints": "keypointlabels",
    "masks": "brushlabels",
    "textarea": "textarea",
    "rating": "rating",
    "number": "number",
    "pairwise": "pairwise",
    "ranking": "ranker",
}


class _Offsets:
    """Conversion between UTF-16 code unit offsets and code point offsets of one text."""

    def __init__(self, text: str) -> None:
        self.astral = any(ord(c) > 0xFFFF for c in text)
        self.units: list[int] = []
        if self.astral:
            total = 0
            for c in text:
                self.units.append(total)
                total += 2 if ord(c) > 0xFFFF else 1
            self.units.append(total)

    def to_points(self, unit: int) -> int:
        if not self.astral:
            return unit
        return bisect.bisect_left(self.units, unit)

    def to_units(self, point: int) -> int:
        return self.units[point] if self.astral else point


class LabelStudioImporter:
    """Tasks from a Label Studio JSON export (an array of tasks)."""

    name = "label-studio"
    version = 1
    description = "Label Studio JSON export: tasks, annotations and predictions."

    def check_schema(self, schema: LabelingSchema) -> None:
        """Any schema; results must name its controls."""

    def read(self, stream: BinaryIO, *, schema: LabelingSchema) -> Iterator[RowRead]:
        """Yield one task row per Label Studio task."""
        for read in read_rows(stream, RowFormat.JSON):
            if read.error is not None:
                yield read
                continue
            try:
                yield RowRead(read.line, _task_row(read.value, schema, read.line))
            except Invalid as exc:
                yield RowRead(read.line, error=exc.message)


def _task_row(task: Any, schema: LabelingSchema, number: int) -> dict[str, Any]:
    if not isinstance(task, dict) or not isinstance(task.get("data"), dict):
        raise Invalid(f"Label Studio task {number}: expected an object with 'data'")
    data = dict(task["data"])
    _add_image_sizes(task, schema, data)
    meta = dict(task.get("meta") or {})
    if "id" in task:
        meta.setdefault("label_studio_id", task["id"])
    row: dict[str, Any] = {"data": data, "meta": meta}
    where = f"Label Studio task {task.get('id', number)}"
    annotations = []
    for annotation in task.get("annotations") or []:
        if not isinstance(annotation, dict) or annotation.get("was_cancelled"):
            continue
        results = _results(annotation.get("result") or [], schema, data, where)
        lead = annotation.get("lead_time")
        item: dict[str, Any] = {"results": results}
        if isinstance(lead, int | float):
            item["lead_time_ms"] = int(lead * 1000)
        annotations.append(item)
    predictions = []
    for prediction in task.get("predictions") or []:
        if not isinstance(prediction, dict):
            continue
        origin = prediction.get("model_version")
        predictions.append(
            {
                "results": _results(prediction.get("result") or [], schema, data, where),
                "score": prediction.get("score"),
                "origin": f"model:{origin}" if origin else "label-studio",
            }
        )
    if annotations:
        row["annotations"] = annotations
    if predictions:
        row["predictions"] = predictions
    return row


def _add_image_sizes(task: Mapping[str, Any], schema: LabelingSchema, data: dict[str, Any]) -> None:
    """Image objects given as a URL get the size Label Studio's results record, if any."""
    sizes: dict[str, tuple[Any, Any]] = {}
    for annotation in [*(task.get("annotations") or []), *(task.get("predictions") or [])]:
        for item in annotation.get("result") or [] if isinstance(annotation, dict) else []:
            if (
                isinstance(item, dict)
                and item.get("original_width")
                and item.get("original_height")
            ):
                sizes.setdefault(
                    str(item.get("to_name")), (item["original_width"], item["original_height"])
                )
    for name, (width, height) in sizes.items():
        spec = schema.objects.get(name)
        if spec is None or spec.type != "image":
            continue
        key = schema.data_key(name)
        if isinstance(data.get(key), str):
            data[key] = {"src": data[key], "width": width, "height": height}


def _results(
    items: Iterable[Any], schema: LabelingSchema, data: Mapping[str, Any], where: str
) -> dict[str, Any]:
    results: dict[str, Any] = {}
    per_region: list[tuple[int, str, str, Any]] = []  # (index, attribute, region id, value)
    relations = next((c for c in schema.controls if c.type == "relations"), None)
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise Invalid(f"{where}: result {index} is not an object")
        if item.get("type") == "relation":
            if relations is None:
                raise Invalid(f"{where}: result {index} is a relation; the schema has no relations")
            relation = {"from": item.get("from_id"), "to": item.get("to_id")}
            if item.get("labels") and relations.label_names:
                relation["label"] = item["labels"][0]
            results.setdefault(relations.name, []).append(relation)
            continue
        value = item.get("value")
        control = schema.control(str(item.get("from_name")))
        attributes = region_attributes(schema, str(item.get("to_name")))
        if control is None and str(item.get("from_name")) in attributes:
            name = str(item["from_name"])
            try:
                found = _region_value(attributes[name], value)
            except (KeyError, TypeError, IndexError) as exc:
                raise Invalid(
                    f"{where}: result {index} (per-region {item.get('type')}) is malformed: {exc!r}"
                ) from None
            per_region.append((index, name, str(item.get("id")), found))
            continue
        if control is None:
            raise Invalid(
                f"{where}: result {index}: from_name '{item.get('from_name')}' is not a control "
                f"of the schema ({', '.join(c.name for c in schema.controls)})"
            )
        if not isinstance(value, dict):
            raise Invalid(f"{where}: result {index} has no value object")
        try:
            _add(results, control, item, value, schema, data)
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise Invalid(
                f"{where}: result {index} ({item.get('type')}) is malformed: {exc!r}"
            ) from None
    _attach_region_values(results, per_region, schema, where)
    return results


def _region_value(kind: Any, value: Any) -> Any:
    """The value of a per-region result, by the attribute's type."""
    if kind == "str":
        return "\n".join(value["text"])
    if kind == "int":
        return value["rating"]
    if kind == "float":
        return value["number"]
    return value["choices"][0]


def _attach_region_values(
    results: dict[str, Any],
    per_region: list[tuple[int, str, str, Any]],
    schema: LabelingSchema,
    where: str,
) -> None:
    """Put each per-region value into the attributes of the region with the same id."""
    for index, name, region_id, found in per_region:
        regions = [
            region
            for control in schema.controls
            if name in getattr(control, "attributes", {})
            for region in results.get(control.name) or []
            if str(region.get("id")) == region_id
        ]
        if not regions:
            raise Invalid(
                f"{where}: result {index}: per-region '{name}' belongs to region '{region_id}', "
                "which is not among the annotation's regions"
            )
        for region in regions:
            region.setdefault("attributes", {})[name] = found


def _add(
    results: dict[str, Any],
    control: ControlSpec,
    item: Mapping[str, Any],
    value: Mapping[str, Any],
    schema: LabelingSchema,
    data: Mapping[str, Any],
) -> None:
    kind = control.type
    name = control.name
    region_id = {"id": str(item["id"])} if item.get("id") else {}
    if kind == "choice":
        results[name] = value["choices"][0]
    elif kind == "choices":
        results[name] = list(value["choices"])
    elif kind == "textarea":
        results[name] = "\n".join(value["text"])
    elif kind in ("rating", "number"):
        results[name] = value[kind]
    elif kind == "pairwise":
        results[name] = {"choice": {"left": "a", "right": "b"}[value["selected"]]}
    elif kind == "ranking":
        results[name] = _ranking(value["ranker"], control, item, schema, data)
    elif kind == "spans":
        text = data.get(schema.data_key(control.of or ""), "")
        offsets = _Offsets(text)
        start, end = offsets.to_points(value["start"]), offsets.to_points(value["end"])
        span = region_id | {"start": start, "end": end, "text": text[start:end]}
        results.setdefault(name, []).append(span | {"label": value["labels"][0]})
    elif kind == "segments":
        segment = region_id | {"start": value["start"], "end": value["end"]}
        results.setdefault(name, []).append(segment | {"label": value["labels"][0]})
    else:
        _add_image_region(results, control, item, value, region_id)


def _ranking(
    ranks: Mapping[str, Any],
    control: ControlSpec,
    item: Mapping[str, Any],
    schema: LabelingSchema,
    data: Mapping[str, Any],
) -> list[Any]:
    """A Ranker's order; with buckets, one place per bucket of the control (best first; `[]`
    when empty), or, for a control without named buckets, the non-empty buckets in result order;
    then the items not in a bucket as one last place."""
    buckets = control.buckets if isinstance(control, RankingControl) else None
    plain = ranks.get(control.name) or ranks.get(str(item.get("to_name")))
    if not buckets and plain is not None and len(ranks) == 1:
        return list(plain)
    if buckets:
        unknown = [b for b in ranks if b != UNPLACED and b not in buckets]
        if unknown:
            raise ValueError(
                f"bucket '{unknown[0]}' is not one of the Ranker's buckets ({', '.join(buckets)})"
            )
        groups = [[str(m) for m in ranks.get(bucket) or []] for bucket in buckets]
    else:
        groups = [
            [str(m) for m in members] for b, members in ranks.items() if b != UNPLACED and members
        ]
    placed = {m for group in groups for m in group}
    responses = read_responses(schema, control.of, data) if control.of else None
    rest = [str(m) for m in ranks.get(UNPLACED) or [] if str(m) not in placed]
    rest += [r.id for r in responses or () if r.id not in placed and r.id not in rest]
    if rest:
        groups.append(rest)
    return [group if len(group) != 1 else group[0] for group in groups]


def _add_image_region(
    results: dict[str, Any],
    control: ControlSpec,
    item: Mapping[str, Any],
    value: Mapping[str, Any],
    region_id: dict[str, str],
) -> None:
    width, height = item.get("original_width"), item.get("original_height")
    if not width or not height:
        raise ValueError("original_width and original_height are needed for image regions")
    sx, sy = width / 100, height / 100
    kind = control.type
    label = value[_RESULT_TYPES[kind]][0]
    if kind == "boxes":
        box = {
            "x": value["x"] * sx,
            "y": value["y"] * sy,
            "w": value["width"] * sx,
            "h": value["height"] * sy,
        }
        if value.get("rotation"):
            box["rotation"] = value["rotation"]
        region = box
    elif kind == "polygons":
        region = {"points": [[x * sx, y * sy] for x, y in value["points"]]}
    elif kind == "keypoints":
        region = {"x": value["x"] * sx, "y": value["y"] * sy}
    else:
        region = {"rle": rle_encode(decode_brush(value["rle"], int(height), int(width)))}
    results.setdefault(control.name, []).append(region_id | region | {"label": label})


class LabelStudioExporter:
    """A Label Studio JSON export (importable into Label Studio)."""

    name = "label-studio"
    version = 1
    description = "Label Studio JSON: tasks with annotations and predictions in its result shape."
    media_type = "application/json"
    extension = "json"
    default_selection = Selection.ALL
    includes_predictions = True

    def check_schema(self, schema: LabelingSchema) -> None:
        """Every control must have a Label Studio equivalent."""
        from labelwright.formats.label_studio_config import label_config

        try:
            label_config(schema)
        except Invalid as exc:
            raise Invalid(f"Format '{self.name}': {exc.message}") from None

    def export(self, tasks: Iterable[ExportTask], *, schema: LabelingSchema) -> Iterator[bytes]:
        """Yield a JSON array of Label Studio tasks."""
        yield b"["
        separator = b""
        images = {
            schema.data_key(n)
            for n, s in schema.objects.items()
            if s.type in ("image", "audio", "video")
        }
        for task in tasks:
            data = {
                k: (v.get("src") or v.get("url") if k in images and isinstance(v, dict) else v)
                for k, v in task.data.items()
            }
            body = {
                "id": task.id,
                "data": data,
                "meta": task.meta,
                "annotations": [
                    {
                        "id": a.id,
                        "completed_by": a.author,
                        "created_at": a.created_at,
                        "lead_time": a.lead_time_ms / 1000 if a.lead_time_ms else None,
                        "result": list(_ls_results(task, a.results, schema)),
                        "was_cancelled": False,
                    }
                    for a in task.annotations
                ],
                "predictions": [
                    {
                        "id": p.id,
                        "model_version": p.origin,
                        "score": p.score,
                        "result": list(_ls_results(task, p.results, schema)),
                    }
                    for p in task.predictions
                ],
            }
            yield separator + orjson.dumps(body)
            separator = b",\n"
        yield b"]\n"


def _ls_results(
    task: ExportTask, results: Mapping[str, Any], schema: LabelingSchema
) -> Iterator[dict[str, Any]]:
    for control in schema.controls:
        value = results.get(control.name)
        if value is None:
            continue
        kind = control.type
        if kind == "relations":
            for relation in value:
                item = {"from_id": relation["from"], "to_id": relation["to"], "type": "relation"}
                yield item | {
                    "direction": "right",
                    "labels": [relation["label"]] if relation.get("label") else [],
                }
            continue
        base = {
            "from_name": control.name,
            "to_name": control.of,
            "type": _RESULT_TYPES[kind],
            "origin": "manual",
        }
        if kind == "pairwise":
            if value["choice"] not in ("a", "b"):
                raise Invalid(
                    f"Task {task.id}: pairwise '{control.name}' is a tie, which Label Studio's "
                    "Pairwise cannot record; export with another format or resolve the tie."
                )
            yield base | {
                "to_name": control.name,
                "value": {"selected": "left" if value["choice"] == "a" else "right"},
            }
        elif kind in ("choice", "choices"):
            yield base | {"value": {"choices": [value] if kind == "choice" else list(value)}}
        elif kind == "textarea":
            yield base | {"value": {"text": [value]}}
        elif kind in ("rating", "number"):
            yield base | {"value": {kind: value}}
        elif kind == "ranking":
            yield base | {"value": {"ranker": _ls_ranker(control, value)}}
        elif kind == "spans":
            text = task.data.get(schema.data_key(control.of or ""), "")
            offsets = _Offsets(text if isinstance(text, str) else "")
            for index, span in enumerate(value):
                where = {
                    "start": offsets.to_units(span["start"]),
                    "end": offsets.to_units(span["end"]),
                    "text": span["text"],
                }
                yield from _ls_region(
                    control, base, span, index, where, {"labels": [span["label"]]}
                )
        elif kind == "segments":
            for index, segment in enumerate(value):
                where = {"start": segment["start"], "end": segment["end"]}
                labels = {"labels": [segment["label"]]}
                yield from _ls_region(control, base, segment, index, where, labels)
        else:
            yield from _ls_image_regions(task, control, value, base, schema)


def _ls_ranker(control: ControlSpec, value: list[Any]) -> dict[str, list[str]]:
    """A ranking as a Ranker result: by bucket name (the last, unnamed place as `_`), or flat
    under the control's name when it has no named buckets."""
    places = [entry if isinstance(entry, list) else [entry] for entry in value]
    buckets = control.buckets if isinstance(control, RankingControl) else None
    if not buckets:
        return {control.name: [r for place in places for r in place]}
    ranker = {bucket: list(place) for bucket, place in zip(buckets, places, strict=False)}
    for bucket in buckets[len(places) :]:
        ranker[bucket] = []
    if len(places) > len(buckets):
        ranker[UNPLACED] = [r for place in places[len(buckets) :] for r in place]
    return ranker


_REGION_RESULT = {"str": ("textarea", "text"), "int": ("rating", "rating")}
_REGION_RESULT_FLOAT = ("number", "number")


def _ls_region(
    control: ControlSpec,
    base: dict[str, Any],
    region: Mapping[str, Any],
    index: int,
    where: dict[str, Any],
    labels: dict[str, Any],
) -> Iterator[dict[str, Any]]:
    """A region result, then one per-region result per attribute it has (same id and place)."""
    region_id = region.get("id") or f"{control.name}_{index}"
    yield base | {"id": region_id, "value": where | labels}
    kinds = getattr(control, "attributes", {})
    for name, found in (region.get("attributes") or {}).items():
        kind = kinds.get(name)
        if kind is None or found is None:
            continue
        if isinstance(kind, tuple):
            result_type, key, stored = "choices", "choices", [found]
        elif kind == "bool":
            continue  # no Label Studio per-region tag holds a yes/no
        else:
            result_type, key = _REGION_RESULT.get(kind, _REGION_RESULT_FLOAT)
            stored = [found] if kind == "str" else found
        yield {k: v for k, v in base.items() if k != "value"} | {
            "id": region_id,
            "from_name": name,
            "type": result_type,
            "value": where | {key: stored},
        }


def _ls_image_regions(
    task: ExportTask,
    control: ControlSpec,
    value: list[Mapping[str, Any]],
    base: dict[str, Any],
    schema: LabelingSchema,
) -> Iterator[dict[str, Any]]:
    media = media_of(task, schema, control.of or "")
    if not media.width or not media.height:
        raise Invalid(f"Task {task.id}: the image size is unknown; Label Studio needs it.")
    width, height = media.width, media.height
    sx, sy = 100 / width, 100 / height
    label_key = _RESULT_TYPES[control.type]
    size = {"original_width": width, "original_height": height, "image_rotation": 0}
    for index, region in enumerate(value):
        if control.type == "boxes":
            geometry = {
                "x": region["x"] * sx,
                "y": region["y"] * sy,
                "width": region["w"] * sx,
                "height": region["h"] * sy,
                "rotation": region.get("rotation", 0),
            }
        elif control.type == "polygons":
            geometry = {"points": [[x * sx, y * sy] for x, y in region["points"]], "closed": True}
        elif control.type == "keypoints":
            geometry = {"x": region["x"] * sx, "y": region["y"] * sy, "width": 0.5}
        else:
            geometry = {"format": "rle", "rle": encode_brush(rle_decode(region["rle"]))}
        labels = {label_key: [region["label"]]}
        yield from _ls_region(control, base | size, region, index, geometry, labels)
