"""Ultralytics YOLO: detection, segmentation and pose labels in a zip.

The archive holds `data.yaml` (class `names`, and `kpt_shape` for pose), one
`labels/<stem>.txt` per image with one object per line in coordinates normalized to the image
size, and the `labelwright.jsonl` manifest. Detection lines are `class cx cy w h`; segmentation
lines `class x1 y1 x2 y2 ...` (a polygon); pose lines `class cx cy w h` followed by
`x y v` per keypoint (`v`: 2 visible, 1 hidden, 0 not labeled). The images themselves are not
in the export (the manifest and `file_name`s say where they are). Box rotation is dropped.

Import reads the same layout. Image sizes, needed to turn normalized coordinates back into
pixels, come from the manifest or from the images in the archive (`images/<stem>.*`); tasks
refer to the images by their path in the archive (the images are not stored as media).
"""

from __future__ import annotations

import io
import posixpath
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, BinaryIO

import yaml

from labelwright.domain import ControlSpec, ControlType, LabelingSchema, ObjectType
from labelwright.errors import Invalid
from labelwright.formats.archive import Member, decode_text, members, open_archive
from labelwright.formats.geometry import keypoint_instances
from labelwright.formats.manifest import MANIFEST, manifest_line, read_manifest
from labelwright.formats.records import ExportTask, Selection
from labelwright.formats.targets import (
    FileNames,
    controls_of,
    label_names,
    media_of,
    require_controls,
    require_object,
)
from labelwright.formats.task_rows import RowRead
from labelwright.formats.zip_stream import ZipStream

_KINDS = {
    "detect": ControlType.BOXES,
    "segment": ControlType.POLYGONS,
    "pose": ControlType.KEYPOINTS,
}
_IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp")


def _num(value: Any) -> str:
    """The shortest text that reads back as the same number."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


class _Yolo:
    media_type = "application/zip"
    extension = "zip"
    default_selection = Selection.FINAL
    version = 1

    def __init__(self, task: str) -> None:
        self.task = task
        self.kind = _KINDS[task]
        self.name = f"yolo-{task}"
        self.description = f"Ultralytics YOLO {task} labels (zip with data.yaml)."

    def check_schema(self, schema: LabelingSchema) -> None:
        """Needs an image object with a boxes (detect), polygons (segment) or keypoints control."""
        image = require_object(schema, self.name, ObjectType.IMAGE)
        require_controls(schema, self.name, self.kind, of=image)

    def _setup(self, schema: LabelingSchema) -> tuple[str, list[ControlSpec], list[str]]:
        self.check_schema(schema)
        image = require_object(schema, self.name, ObjectType.IMAGE)
        controls = controls_of(schema, self.kind, of=image)
        if self.kind == ControlType.KEYPOINTS:
            return image, controls[:1], [controls[0].name]
        return image, controls, label_names(controls)


class YoloExporter(_Yolo):
    """YOLO labels of one task type."""

    def export(self, tasks: Iterable[ExportTask], *, schema: LabelingSchema) -> Iterator[bytes]:
        """Yield the zip: data.yaml first, then a label file per task, then the manifest."""
        image, controls, names = self._setup(schema)
        archive = ZipStream()
        config: dict[str, Any] = {
            "path": ".",
            "train": "images",
            "val": "images",
            "names": dict(enumerate(names)),
        }
        if self.kind == ControlType.KEYPOINTS:
            points = list(controls[0].label_names)
            config["kpt_shape"] = [len(points), 3]
            config["kpt_names"] = {0: points}
        yield archive.add("data.yaml", yaml.safe_dump(config, sort_keys=False).encode())
        stems = FileNames()
        manifest = io.BytesIO()
        for task in tasks:
            media = media_of(task, schema, image)
            if not media.width or not media.height:
                raise Invalid(
                    f"Task {task.id}: the image size is unknown; YOLO coordinates need it."
                )
            stem = stems.stem(task, media.src)
            lines = list(self._lines(task, controls, names, media.width, media.height))
            yield archive.add(f"labels/{stem}.txt", "".join(lines).encode())
            manifest.write(manifest_line(task, stem))
        yield archive.add(MANIFEST, manifest.getvalue())
        yield archive.close()

    def _lines(
        self,
        task: ExportTask,
        controls: Sequence[ControlSpec],
        names: list[str],
        width: float,
        height: float,
    ) -> Iterator[str]:
        for annotation in task.annotations:
            for control in controls:
                value = annotation.results.get(control.name) or []
                if self.kind == ControlType.BOXES:
                    for box in value:
                        cx = (box["x"] + box["w"] / 2) / width
                        cy = (box["y"] + box["h"] / 2) / height
                        numbers = [cx, cy, box["w"] / width, box["h"] / height]
                        yield f"{names.index(box['label'])} {' '.join(map(_num, numbers))}\n"
                elif self.kind == ControlType.POLYGONS:
                    for polygon in value:
                        flat = [
                            _num(c / size)
                            for x, y in polygon["points"]
                            for c, size in ((x, width), (y, height))
                        ]
                        yield f"{names.index(polygon['label'])} {' '.join(flat)}\n"
                else:
                    yield from _pose_lines(control, value, width, height)


def _pose_lines(
    control: ControlSpec, value: Sequence[Mapping[str, Any]], width: float, height: float
) -> Iterator[str]:
    points = list(control.label_names)
    for group in keypoint_instances(value):
        xs = [p["x"] for p in group]
        ys = [p["y"] for p in group]
        x0, y0, x1, y1 = min(xs), min(ys), max(xs), max(ys)
        numbers = [
            (x0 + x1) / 2 / width,
            (y0 + y1) / 2 / height,
            (x1 - x0) / width,
            (y1 - y0) / height,
        ]
        by_label = {p["label"]: p for p in group}
        for name in points:
            point = by_label.get(name)
            if point is None:
                numbers += [0, 0, 0]
            else:
                numbers += [
                    point["x"] / width,
                    point["y"] / height,
                    2 if point.get("visible", True) else 1,
                ]
        yield "0 " + " ".join(map(_num, numbers)) + "\n"


class YoloImporter(_Yolo):
    """Tasks from a YOLO zip of one task type."""

    def read(self, stream: BinaryIO, *, schema: LabelingSchema) -> Iterator[RowRead]:
        """Yield one task row per label file (and per manifest entry without one)."""
        image, controls, _ = self._setup(schema)
        archive = open_archive(stream, self.name)
        names = _names(archive, self.name)
        manifest = read_manifest(archive)
        sizes = _image_sizes(archive)
        labels = {m.stem: m for m in members(archive, ".txt") if "labels/" in f"/{m.path}"}
        order = list(manifest) + [stem for stem in labels if stem not in manifest]
        key = schema.data_key(image)
        for number, stem in enumerate(order, start=1):
            try:
                yield RowRead(
                    number, self._row(stem, manifest, sizes, labels, names, controls, key)
                )
            except Invalid as exc:
                yield RowRead(number, error=exc.message)

    def _row(
        self,
        stem: str,
        manifest: Mapping[str, Mapping[str, Any]],
        sizes: Mapping[str, tuple[str, int, int]],
        labels: Mapping[str, Member],
        names: list[str],
        controls: list[ControlSpec],
        key: str,
    ) -> dict[str, Any]:
        entry = manifest.get(stem)
        path, width, height = sizes.get(stem, (f"images/{stem}", 0, 0))
        if entry is not None:
            data, meta = entry["data"], entry["meta"]
            given = data.get(key)
            if isinstance(given, Mapping) and given.get("width") and given.get("height"):
                width, height = given["width"], given["height"]
        else:
            data, meta = {key: {"src": path, "width": width, "height": height}}, {}
        member = labels.get(stem)
        row: dict[str, Any] = {"data": data, "meta": meta}
        if member is None:
            return row
        if not width or not height:
            raise Invalid(
                f"{member.path}: the size of image '{stem}' is unknown; put the image in "
                f"images/ or list it in {MANIFEST}."
            )
        results: dict[str, list[Any]] = {}
        for line_number, line in enumerate(decode_text(member).splitlines(), start=1):
            if not line.strip():
                continue
            where = f"{member.path} line {line_number}"
            control, items = self._parse(line, where, names, controls, width, height)
            results.setdefault(control, []).extend(items)
        if results:
            row["annotations"] = [{"results": results}]
        return row

    def _parse(
        self,
        line: str,
        where: str,
        names: list[str],
        controls: list[ControlSpec],
        width: float,
        height: float,
    ) -> tuple[str, list[dict[str, Any]]]:
        fields = line.split()
        try:
            numbers = [float(f) for f in fields[1:]]
            index = int(fields[0])
        except ValueError:
            raise Invalid(f"{where}: expected numbers, got '{line.strip()}'") from None
        if not 0 <= index < len(names):
            raise Invalid(f"{where}: class {index} is not in data.yaml names (0..{len(names) - 1})")
        if self.kind == ControlType.BOXES and len(numbers) != 4:
            raise Invalid(f"{where}: expected 5 values (class cx cy w h), found {len(fields)}")
        coordinates = numbers
        if self.kind == ControlType.KEYPOINTS:
            coordinates = [n for i, n in enumerate(numbers) if i < 4 or (i - 4) % 3 != 2]
        if any(n < -1e-9 or n > 1 + 1e-9 for n in coordinates):
            raise Invalid(f"{where}: normalized coordinates must lie in [0, 1] (inside the image)")
        if self.kind == ControlType.KEYPOINTS:
            return self._pose(numbers, where, controls[0], width, height)
        label = names[index]
        control = next((c.name for c in controls if label in c.label_names), None)
        if control is None:
            raise Invalid(f"{where}: class '{label}' is not a label of the schema")
        if self.kind == ControlType.BOXES:
            cx, cy, w, h = numbers
            box = {
                "x": (cx - w / 2) * width,
                "y": (cy - h / 2) * height,
                "w": w * width,
                "h": h * height,
                "label": label,
            }
            return control, [box]
        if len(numbers) < 6 or len(numbers) % 2:
            raise Invalid(
                f"{where}: a polygon needs the class and an even number (>= 6) of coordinates, "
                f"found {len(fields)} values"
            )
        points = [[numbers[i] * width, numbers[i + 1] * height] for i in range(0, len(numbers), 2)]
        return control, [{"points": points, "label": label}]

    def _pose(
        self, numbers: list[float], where: str, control: ControlSpec, width: float, height: float
    ) -> tuple[str, list[dict[str, Any]]]:
        points = list(control.label_names)
        if len(numbers) != 4 + 3 * len(points):
            raise Invalid(
                f"{where}: expected {5 + 3 * len(points)} values (class, box and x y v for "
                f"{len(points)} keypoints), found {len(numbers) + 1}"
            )
        out = []
        for index, name in enumerate(points):
            x, y, v = numbers[4 + 3 * index : 7 + 3 * index]
            if v:
                out.append({"x": x * width, "y": y * height, "label": name, "visible": v == 2})
        return control.name, out


def _names(archive: Any, fmt: str) -> list[str]:
    candidates = [
        n for n in archive.namelist() if posixpath.basename(n) in ("data.yaml", "data.yml")
    ]
    if not candidates:
        raise Invalid(f"Format '{fmt}': the archive has no data.yaml.")
    try:
        config = yaml.safe_load(archive.read(candidates[0]))
    except yaml.YAMLError as exc:
        raise Invalid(f"{candidates[0]}: not valid YAML: {exc}") from None
    names = config.get("names") if isinstance(config, dict) else None
    if isinstance(names, dict):
        try:
            return [str(names[i]) for i in range(len(names))]
        except KeyError:
            raise Invalid(f"{candidates[0]}: names must be numbered 0..{len(names) - 1}") from None
    if isinstance(names, list):
        return [str(n) for n in names]
    raise Invalid(f"{candidates[0]}: 'names' must be a list or a mapping of class names.")


def _image_sizes(archive: Any) -> dict[str, tuple[str, int, int]]:
    from PIL import Image, UnidentifiedImageError

    sizes = {}
    for info in archive.infolist():
        if info.filename.lower().endswith(_IMAGE_SUFFIXES):
            stem = posixpath.splitext(posixpath.basename(info.filename))[0]
            try:
                with archive.open(info) as handle, Image.open(handle) as picture:
                    sizes[stem] = (info.filename, picture.width, picture.height)
            except (UnidentifiedImageError, OSError):
                raise Invalid(f"'{info.filename}' is not a readable image.") from None
    return sizes


YOLO_EXPORTERS = [YoloExporter(task) for task in _KINDS]
YOLO_IMPORTERS = [YoloImporter(task) for task in _KINDS]
