"""Pascal VOC XML: one `Annotations/<stem>.xml` per image with its boxes, in a zip.

Each box is an `<object>` with `<name>` (the label), `<bndbox>` (`xmin ymin xmax ymax` in
pixels, 0-based as CVAT writes them) and the box's attributes as CVAT-style
`<attributes><attribute><name/><value/></attribute></attributes>`; `difficult`,
`truncated` and `occluded` are also written as VOC's own flags when the control has such
boolean attributes. The archive carries the `labelwright.jsonl` manifest. Import reads the same
layout (the manifest is optional: without it the task data is the image's file name and size).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, BinaryIO
from xml.etree import ElementTree as ET
from xml.sax.saxutils import escape

from labelwright.domain import ControlSpec, ControlType, LabelingSchema, ObjectType
from labelwright.errors import Invalid
from labelwright.formats.archive import Member, members, open_archive
from labelwright.formats.manifest import MANIFEST, manifest_line, read_manifest
from labelwright.formats.records import ExportTask, Selection
from labelwright.formats.targets import (
    FileNames,
    controls_of,
    media_of,
    require_controls,
    require_object,
)
from labelwright.formats.task_rows import RowRead
from labelwright.formats.zip_stream import ZipStream

_FLAGS = ("difficult", "truncated", "occluded")
_EPS = 1e-6


def _num(value: Any) -> str:
    """The shortest text that reads back as the same number."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


class VocExporter:
    """Pascal VOC XML files of the first image object's boxes."""

    name = "voc"
    version = 1
    description = "Pascal VOC XML: one file per image with its boxes (zip)."
    media_type = "application/zip"
    extension = "zip"
    default_selection = Selection.FINAL

    def check_schema(self, schema: LabelingSchema) -> None:
        """Needs an image object with a boxes control."""
        image = require_object(schema, self.name, ObjectType.IMAGE)
        require_controls(schema, self.name, ControlType.BOXES, of=image)

    def export(self, tasks: Iterable[ExportTask], *, schema: LabelingSchema) -> Iterator[bytes]:
        """Yield the zip: one XML per task, then the manifest."""
        self.check_schema(schema)
        image = require_object(schema, self.name, ObjectType.IMAGE)
        controls = controls_of(schema, ControlType.BOXES, of=image)
        archive = ZipStream()
        stems = FileNames()
        manifest = io.BytesIO()
        for task in tasks:
            media = media_of(task, schema, image)
            stem = stems.stem(task, media.src)
            xml = _document(task, controls, media.src or stem, media.width, media.height)
            yield archive.add(f"Annotations/{stem}.xml", xml.encode())
            manifest.write(manifest_line(task, stem))
        yield archive.add(MANIFEST, manifest.getvalue())
        yield archive.close()


def _document(
    task: ExportTask, controls: list[ControlSpec], src: str, width: Any, height: Any
) -> str:
    parts = [
        "<annotation>",
        "<folder>images</folder>",
        f"<filename>{escape(src)}</filename>",
        f"<size><width>{_num(width or 0)}</width><height>{_num(height or 0)}</height>"
        "<depth>3</depth></size>",
        "<segmented>0</segmented>",
    ]
    for annotation in task.annotations:
        for control in controls:
            for box in annotation.results.get(control.name) or []:
                parts.append(_object(box))
    parts.append("</annotation>\n")
    return "\n".join(parts)


def _object(box: Mapping[str, Any]) -> str:
    attributes = dict(box.get("attributes") or {})
    flags = "".join(f"<{flag}>{int(bool(attributes.get(flag)))}</{flag}>" for flag in _FLAGS)
    extra = "".join(
        f"<attribute><name>{escape(str(k))}</name><value>{escape(_attr(v))}</value></attribute>"
        for k, v in attributes.items()
    )
    x0, y0 = box["x"], box["y"]
    return (
        f"<object><name>{escape(box['label'])}</name><pose>Unspecified</pose>{flags}"
        f"<bndbox><xmin>{_num(x0)}</xmin><ymin>{_num(y0)}</ymin>"
        f"<xmax>{_num(x0 + box['w'])}</xmax><ymax>{_num(y0 + box['h'])}</ymax></bndbox>"
        f"<attributes>{extra}</attributes></object>"
    )


def _attr(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class VocImporter:
    """Tasks from a zip of Pascal VOC XML files."""

    name = "voc"
    version = 1
    description = "Pascal VOC XML files (zip): one task per image with its boxes."

    def check_schema(self, schema: LabelingSchema) -> None:
        """Needs an image object with a boxes control."""
        image = require_object(schema, self.name, ObjectType.IMAGE)
        require_controls(schema, self.name, ControlType.BOXES, of=image)

    def read(self, stream: BinaryIO, *, schema: LabelingSchema) -> Iterator[RowRead]:
        """Yield one task row per XML file."""
        self.check_schema(schema)
        image = require_object(schema, self.name, ObjectType.IMAGE)
        controls = controls_of(schema, ControlType.BOXES, of=image)
        archive = open_archive(stream, self.name)
        manifest = read_manifest(archive)
        key = schema.data_key(image)
        for number, member in enumerate(members(archive, ".xml"), start=1):
            try:
                yield RowRead(number, _row(member, manifest, controls, key))
            except Invalid as exc:
                yield RowRead(number, error=exc.message)


def parse_xml(member: Member) -> ET.Element:
    """Parse an XML file, refusing DTDs (and so entity expansion)."""
    if b"<!DOCTYPE" in member.body or b"<!ENTITY" in member.body:
        raise Invalid(f"{member.path}: XML with a DTD or entities is not accepted.")
    try:
        return ET.fromstring(member.body)
    except ET.ParseError as exc:
        raise Invalid(f"{member.path}: not well-formed XML: {exc}") from None


def _row(
    member: Member, manifest: Mapping[str, Any], controls: list[ControlSpec], key: str
) -> dict[str, Any]:
    root = parse_xml(member)
    width = _number(root.findtext("size/width"), member.path, "size/width")
    height = _number(root.findtext("size/height"), member.path, "size/height")
    entry = manifest.get(member.stem)
    if entry is not None:
        data, meta = entry["data"], entry["meta"]
    else:
        value: dict[str, Any] = {"src": root.findtext("filename") or member.stem}
        if width and height:
            value |= {"width": width, "height": height}
        data, meta = {key: value}, {}
    results: dict[str, list[dict[str, Any]]] = {}
    for index, node in enumerate(root.findall("object"), start=1):
        where = f"{member.path}: object {index}"
        label = (node.findtext("name") or "").strip()
        control = next((c for c in controls if label in c.label_names), None)
        if control is None:
            known = ", ".join(n for c in controls for n in c.label_names)
            raise Invalid(f"{where}: label '{label}' is not a label of the schema ({known})")
        coords = [
            _number(node.findtext(f"bndbox/{k}"), where, k)
            for k in ("xmin", "ymin", "xmax", "ymax")
        ]
        x0, y0, x1, y1 = coords
        if x1 <= x0 or y1 <= y0:
            raise Invalid(f"{where}: bndbox must have xmin < xmax and ymin < ymax")
        if (
            width
            and height
            and (x0 < -_EPS or y0 < -_EPS or x1 > width + _EPS or y1 > height + _EPS)
        ):
            raise Invalid(f"{where}: bndbox {coords} lies outside the image ({width}x{height})")
        box: dict[str, Any] = {"x": x0, "y": y0, "w": x1 - x0, "h": y1 - y0, "label": label}
        attributes = _attributes(node, control)
        if attributes:
            box["attributes"] = attributes
        results.setdefault(control.name, []).append(box)
    row: dict[str, Any] = {"data": data, "meta": meta}
    if results:
        row["annotations"] = [{"results": results}]
    return row


def _attributes(node: ET.Element, control: ControlSpec) -> dict[str, Any]:
    kinds = getattr(control, "attributes", {})
    out: dict[str, Any] = {}
    for flag in _FLAGS:  # VOC writes every flag; only a set one says something
        if kinds.get(flag) == "bool" and (node.findtext(flag) or "").strip() == "1":
            out[flag] = True
    for item in node.findall("attributes/attribute"):
        name, text = item.findtext("name") or "", item.findtext("value") or ""
        kind = kinds.get(name)
        if kind == "bool":
            out[name] = text.strip().lower() in ("true", "1")
        elif kind == "int":
            out[name] = int(float(text))
        elif kind == "float":
            out[name] = float(text)
        else:
            out[name] = text
    return out


def _number(text: str | None, where: str, what: str) -> Any:
    if text is None:
        raise Invalid(f"{where}: missing <{what}>")
    try:
        value = float(text)
    except ValueError:
        raise Invalid(f"{where}: <{what}> must be a number, got '{text}'") from None
    return int(value) if value.is_integer() else value
