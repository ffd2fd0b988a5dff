"""COCO object detection, segmentation (polygons and RLE) and keypoints.

Export: `categories` are the labels of the image's boxes, polygons and masks controls (ids from
1 in schema order) plus one category per keypoints control whose `keypoints` are its labels.
Each image is a task (`id` = task id); each box, polygon, mask and group of keypoints is one
annotation. Boxes keep `rotation` and `attributes` as extra keys, and every image carries a
`labelwright` key with the task's data and meta so an import restores them. Images stream out
first while annotations are spooled to a temporary file, so memory stays flat.

Import: the COCO file is read whole (as pycocotools does). Each image becomes a task whose
annotation holds its boxes (from `bbox` when an annotation has no usable segmentation, or
when the schema has no polygons or masks control for the label), polygons, RLE masks and
keypoints. Unknown categories, images or labels and boxes outside the image are errors naming
the annotation.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, BinaryIO

import orjson

from labelwright.domain import ControlSpec, ControlType, LabelingSchema, ObjectType
from labelwright.errors import Invalid
from labelwright.formats.geometry import keypoint_instances, points_bbox, polygon_area, rle_bbox
from labelwright.formats.records import ExportTask, Selection
from labelwright.formats.targets import (
    controls_of,
    label_names,
    media_of,
    require_controls,
    require_object,
)
from labelwright.formats.task_rows import RowRead

_SHAPES = (ControlType.BOXES, ControlType.POLYGONS, ControlType.MASKS)
_EPS = 1e-6
_SPOOL_IN_MEMORY = 8 * 1024 * 1024
_CHUNK = 1 << 20


def _categories(schema: LabelingSchema, image: str) -> tuple[list[dict[str, Any]], dict[str, int]]:
    categories: list[dict[str, Any]] = []
    ids: dict[str, int] = {}
    for label in label_names(controls_of(schema, *_SHAPES, of=image)):
        ids[label] = len(categories) + 1
        categories.append({"id": ids[label], "name": label, "supercategory": ""})
    for control in controls_of(schema, ControlType.KEYPOINTS, of=image):
        names = list(control.label_names)
        skeleton = [
            [names.index(a) + 1, names.index(b) + 1] for a, b in getattr(control, "skeleton", ())
        ]
        ids[f"keypoints:{control.name}"] = len(categories) + 1
        categories.append(
            {
                "id": len(categories) + 1,
                "name": control.name,
                "supercategory": "",
                "keypoints": names,
                "skeleton": skeleton,
            }
        )
    return categories, ids


class CocoExporter:
    """COCO JSON (detection, segmentation, keypoints) of the first image object."""

    name = "coco"
    version = 1
    description = "COCO JSON: boxes, polygons, RLE masks and keypoints of one image object."
    media_type = "application/json"
    extension = "json"
    default_selection = Selection.FINAL

    def check_schema(self, schema: LabelingSchema) -> None:
        """Needs an image object with a boxes, polygons, masks or keypoints control."""
        image = require_object(schema, self.name, ObjectType.IMAGE)
        require_controls(schema, self.name, *_SHAPES, ControlType.KEYPOINTS, of=image)

    def export(self, tasks: Iterable[ExportTask], *, schema: LabelingSchema) -> Iterator[bytes]:
        """Yield the COCO JSON: categories, images as they come, then the spooled annotations."""
        self.check_schema(schema)
        image = require_object(schema, self.name, ObjectType.IMAGE)
        categories, category_ids = _categories(schema, image)
        shapes = controls_of(schema, *_SHAPES, of=image)
        keypoints = controls_of(schema, ControlType.KEYPOINTS, of=image)
        yield (
            b'{"info":{"description":"Labelwright export","version":"1.0"},"licenses":[],'
            b'"categories":' + orjson.dumps(categories) + b',"images":['
        )
        next_id = 1
        separator = b""
        with tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY) as spool:
            for task in tasks:
                media = media_of(task, schema, image)
                entry = {
                    "id": task.id,
                    "file_name": media.src or f"task-{task.id}",
                    "width": media.width,
                    "height": media.height,
                    "labelwright": {"data": task.data, "meta": task.meta},
                }
                yield separator + orjson.dumps(entry)
                separator = b",\n"
                for annotation in _annotations(task, shapes, keypoints, category_ids, next_id):
                    spool.write(orjson.dumps(annotation) + b",\n")
                    next_id += 1
            yield b'],"annotations":[\n'
            size = spool.tell()
            spool.seek(0)
            remaining = size - 2  # the last annotation's ",\n" is not written
            while remaining > 0:
                chunk = spool.read(min(_CHUNK, remaining))
                remaining -= len(chunk)
                yield chunk
        yield b"]}\n"


def _annotations(
    task: ExportTask,
    shapes: list[ControlSpec],
    keypoints: list[ControlSpec],
    category_ids: Mapping[str, int],
    first_id: int,
) -> Iterator[dict[str, Any]]:
    next_id = first_id
    for annotation in task.annotations:
        for control in shapes:
            for item in annotation.results.get(control.name) or ():
                coco = _shape(control.type, item)
                coco |= {
                    "id": next_id,
                    "image_id": task.id,
                    "category_id": category_ids[item["label"]],
                    "iscrowd": 0,
                    "region_id": item.get("id"),
                }
                if item.get("attributes"):
                    coco["attributes"] = item["attributes"]
                next_id += 1
                yield coco
        for control in keypoints:
            for group in keypoint_instances(annotation.results.get(control.name) or ()):
                yield _keypoints(control, group, category_ids, next_id, task.id)
                next_id += 1


def _shape(kind: str, item: Mapping[str, Any]) -> dict[str, Any]:
    if kind == ControlType.BOXES:
        out: dict[str, Any] = {
            "bbox": [item["x"], item["y"], item["w"], item["h"]],
            "area": item["w"] * item["h"],
            "segmentation": [],
        }
        if item.get("rotation"):
            out["rotation"] = item["rotation"]
        return out
    if kind == ControlType.POLYGONS:
        points = item["points"]
        return {
            "segmentation": [[coordinate for point in points for coordinate in point]],
            "bbox": points_bbox(points),
            "area": polygon_area(points),
        }
    bbox, area = rle_bbox(item["rle"])
    return {"segmentation": dict(item["rle"]), "bbox": bbox, "area": area}


def _keypoints(
    control: ControlSpec,
    group: list[Mapping[str, Any]],
    category_ids: Mapping[str, int],
    annotation_id: int,
    image_id: int,
) -> dict[str, Any]:
    names = list(control.label_names)
    flat = [0.0] * (3 * len(names))
    group = sorted(group, key=lambda point: names.index(point["label"]))
    for point in group:
        at = 3 * names.index(point["label"])
        flat[at : at + 3] = [point["x"], point["y"], 2 if point.get("visible", True) else 1]
    xs = [p["x"] for p in group]
    ys = [p["y"] for p in group]
    bbox = [min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)]
    return {
        "id": annotation_id,
        "image_id": image_id,
        "category_id": category_ids[f"keypoints:{control.name}"],
        "keypoints": flat,
        "num_keypoints": len(group),
        "bbox": bbox,
        "area": bbox[2] * bbox[3],
        "segmentation": [],
        "iscrowd": 0,
        "region_ids": [p.get("id") for p in group],
    }


class CocoImporter:
    """Tasks from a COCO JSON file (one per image)."""

    name = "coco"
    version = 1
    description = "COCO JSON: one task per image with its boxes, polygons, masks and keypoints."

    def check_schema(self, schema: LabelingSchema) -> None:
        """Needs an image object with a boxes, polygons, masks or keypoints control."""
        image = require_object(schema, self.name, ObjectType.IMAGE)
        require_controls(schema, self.name, *_SHAPES, ControlType.KEYPOINTS, of=image)

    def read(self, stream: BinaryIO, *, schema: LabelingSchema) -> Iterator[RowRead]:
        """Yield one task row per image, in the file's order."""
        self.check_schema(schema)
        document = _load(stream)
        reader = _CocoReader(schema, document)
        for number, image in enumerate(document["images"], start=1):
            try:
                yield RowRead(number, reader.row(image))
            except Invalid as exc:
                yield RowRead(number, error=exc.message)


def _load(stream: BinaryIO) -> dict[str, Any]:
    try:
        document = orjson.loads(stream.read())
    except orjson.JSONDecodeError as exc:
        raise Invalid(f"COCO: the file is not valid JSON: {exc}") from None
    if not isinstance(document, dict):
        raise Invalid("COCO: the file must hold a JSON object with images and annotations.")
    for key in ("images", "annotations", "categories"):
        if not isinstance(document.get(key, [] if key == "annotations" else None), list):
            raise Invalid(f"COCO: '{key}' must be a list.")
    for index, category in enumerate(document["categories"]):
        if not isinstance(category, dict) or not isinstance(category.get("name"), str):
            raise Invalid(f"COCO: category {index} must be an object with an id and a name.")
    for index, image in enumerate(document["images"]):
        if not isinstance(image, dict) or "id" not in image:
            raise Invalid(f"COCO: image {index} must be an object with an id.")
    return document


class _CocoReader:
    def __init__(self, schema: LabelingSchema, document: dict[str, Any]) -> None:
        self.schema = schema
        self.image = require_object(schema, "coco", ObjectType.IMAGE)
        self.key = schema.data_key(self.image)
        self.categories = {c.get("id"): c for c in document["categories"]}
        self.by_image: dict[Any, list[dict[str, Any]]] = {}
        known = {image["id"] for image in document["images"]}
        for index, annotation in enumerate(document.get("annotations", [])):
            if not isinstance(annotation, dict):
                raise Invalid(f"COCO: annotation {index} must be an object.")
            if annotation.get("image_id") not in known:
                raise Invalid(
                    f"COCO: annotation {annotation.get('id', index)} refers to image "
                    f"{annotation.get('image_id')!r}, which is not in 'images'."
                )
            self.by_image.setdefault(annotation["image_id"], []).append(annotation)
        self.controls = {kind: controls_of(schema, kind, of=self.image) for kind in (*_SHAPES,)}
        self.keypoint_controls = {
            c.name: c for c in controls_of(schema, ControlType.KEYPOINTS, of=self.image)
        }

    def row(self, image: Mapping[str, Any]) -> dict[str, Any]:
        width, height = image.get("width"), image.get("height")
        extra = image.get("labelwright") if isinstance(image.get("labelwright"), dict) else None
        if extra is not None:
            data, meta = extra.get("data") or {}, extra.get("meta") or {}
        else:
            value: dict[str, Any] = {"src": str(image.get("file_name") or image.get("coco_url"))}
            if width:
                value["width"] = width
            if height:
                value["height"] = height
            data, meta = {self.key: value}, {"coco_image_id": image["id"]}
        results: dict[str, list[dict[str, Any]]] = {}
        where = f"image {image['id']!r} ({image.get('file_name', '')})"
        for annotation in self.by_image.get(image["id"], []):
            try:
                control, item = self._item(annotation, width, height)
            except Invalid as exc:
                raise Invalid(
                    f"COCO {where}: annotation {annotation.get('id')!r}: {exc.message}"
                ) from None
            results.setdefault(control, []).extend(item)
        row: dict[str, Any] = {"data": data, "meta": meta}
        if results:
            row["annotations"] = [{"results": results}]
        return row

    def _item(
        self, annotation: Mapping[str, Any], width: Any, height: Any
    ) -> tuple[str, list[dict[str, Any]]]:
        category = self.categories.get(annotation.get("category_id"))
        if category is None:
            raise Invalid(f"unknown category_id {annotation.get('category_id')!r}")
        if category.get("keypoints"):
            return self._keypoints(annotation, category)
        label = category["name"]
        segmentation = annotation.get("segmentation")
        head: dict[str, Any] = {}
        if annotation.get("region_id"):
            head["id"] = annotation["region_id"]
        tail: dict[str, Any] = {"label": label}
        if annotation.get("attributes"):
            tail["attributes"] = annotation["attributes"]
        if isinstance(segmentation, dict):
            control = self._control(ControlType.MASKS, label)
            if control is not None:
                rle = {"size": segmentation.get("size"), "counts": segmentation.get("counts")}
                return control, [head | {"rle": rle} | tail]
        if isinstance(segmentation, list) and segmentation:
            control = self._control(ControlType.POLYGONS, label)
            if control is not None:
                polygons = []
                for ring in segmentation:
                    if not isinstance(ring, list) or len(ring) < 6 or len(ring) % 2:
                        raise Invalid("a polygon needs an even number (>= 6) of coordinates")
                    points = [[ring[i], ring[i + 1]] for i in range(0, len(ring), 2)]
                    polygons.append(head | {"points": points} | tail)
                return control, polygons
        control = self._control(ControlType.BOXES, label)
        if control is None:
            known = ", ".join(label_names([c for cs in self.controls.values() for c in cs]))
            raise Invalid(f"category '{label}' is not a label of the schema ({known})")
        bbox = annotation.get("bbox")
        if not (isinstance(bbox, list) and len(bbox) == 4):
            raise Invalid(f"bbox must be [x, y, w, h], got {bbox!r}")
        x, y, w, h = bbox
        if (
            width
            and height
            and (x < -_EPS or y < -_EPS or x + w > width + _EPS or y + h > height + _EPS)
        ):
            raise Invalid(f"bbox {bbox} lies outside the image ({width}x{height})")
        box = head | {"x": x, "y": y, "w": w, "h": h}
        if annotation.get("rotation"):
            box["rotation"] = annotation["rotation"]
        return control, [box | tail]

    def _control(self, kind: ControlType, label: str) -> str | None:
        return next((c.name for c in self.controls[kind] if label in c.label_names), None)

    def _keypoints(
        self, annotation: Mapping[str, Any], category: Mapping[str, Any]
    ) -> tuple[str, list[dict[str, Any]]]:
        names = category["keypoints"]
        control = self.keypoint_controls.get(category["name"]) or next(
            (c for c in self.keypoint_controls.values() if set(names) <= set(c.label_names)), None
        )
        if control is None:
            raise Invalid(
                f"keypoint category '{category['name']}' matches no keypoints control of the schema"
            )
        flat = annotation.get("keypoints")
        if not isinstance(flat, list) or len(flat) != 3 * len(names):
            raise Invalid(f"keypoints must hold {3 * len(names)} numbers (x, y, v per keypoint)")
        ids = annotation.get("region_ids") or []
        points: list[dict[str, Any]] = []
        for index, name in enumerate(names):
            x, y, v = flat[3 * index : 3 * index + 3]
            if v:
                point: dict[str, Any] = {"x": x, "y": y, "label": name, "visible": v == 2}
                if len(points) < len(ids) and ids[len(points)]:
                    point = {"id": ids[len(points)]} | point
                points.append(point)
        return control.name, points
