"""MOT Challenge ground truth: one `gt.txt` per video with every frame of every track.

The zip holds, per task, `<stem>/gt/gt.txt` with lines
`frame,id,bb_left,bb_top,bb_width,bb_height,conf,class,visibility` (frames 1-based; `class`
the 1-based index of the label in `labels.txt`; frames between keyframes written out by
interpolation), `<stem>/seqinfo.ini`, and the `labelwright.jsonl` manifest. Import turns each
track's frames back into the fewest keyframes that give the same boxes (`formats.tracks`).
"""

from __future__ import annotations

import io
import posixpath
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, BinaryIO

import orjson

from labelwright.domain import ControlSpec, ControlType, LabelingSchema, ObjectType
from labelwright.errors import Invalid
from labelwright.formats.archive import decode_text, members, open_archive
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
from labelwright.formats.tracks import FrameBox, track_frames, track_keyframes
from labelwright.formats.zip_stream import ZipStream


def _num(value: Any) -> str:
    """The shortest text that reads back as the same number."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


class MotExporter:
    """MOT Challenge CSV of the first video object's tracks."""

    name = "mot"
    version = 1
    description = "MOT Challenge gt.txt per video, interpolated frames written out (zip)."
    media_type = "application/zip"
    extension = "zip"
    default_selection = Selection.FINAL

    def check_schema(self, schema: LabelingSchema) -> None:
        """Needs a video object with a tracks control."""
        video = require_object(schema, self.name, ObjectType.VIDEO)
        require_controls(schema, self.name, ControlType.TRACKS, of=video)

    def export(self, tasks: Iterable[ExportTask], *, schema: LabelingSchema) -> Iterator[bytes]:
        """Yield the zip: labels.txt, then gt.txt and seqinfo.ini per task, then the manifest."""
        self.check_schema(schema)
        video = require_object(schema, self.name, ObjectType.VIDEO)
        controls = controls_of(schema, ControlType.TRACKS, of=video)
        names = label_names(controls)
        archive = ZipStream()
        yield archive.add("labels.txt", "".join(f"{n}\n" for n in names).encode())
        stems = FileNames()
        manifest = io.BytesIO()
        for task in tasks:
            media = media_of(task, schema, video)
            stem = stems.stem(task, media.src)
            lines = sorted(_lines(task, controls, names))
            body = "".join(f"{','.join(fields)}\n" for _, _, fields in lines)
            yield archive.add(f"{stem}/gt/gt.txt", body.encode())
            info = (
                f"[Sequence]\nname={stem}\nimDir=img1\nframeRate={media.fps or ''}\n"
                f"seqLength={media.frames or ''}\nimWidth={media.width or ''}\n"
                f"imHeight={media.height or ''}\nimExt=.jpg\n"
            )
            yield archive.add(f"{stem}/seqinfo.ini", info.encode())
            manifest.write(manifest_line(task, stem))
        yield archive.add(MANIFEST, manifest.getvalue())
        yield archive.close()


def _lines(
    task: ExportTask, controls: list[ControlSpec], names: list[str]
) -> Iterator[tuple[int, int, list[str]]]:
    number = 0
    for annotation in task.annotations:
        for control in controls:
            for track in annotation.results.get(control.name) or []:
                number += 1
                label = names.index(track["label"]) + 1
                for box in track_frames(track["keyframes"]):
                    fields = [
                        str(box.frame + 1),
                        str(number),
                        *(_num(v) for v in (box.x, box.y, box.w, box.h)),
                        "1",
                        str(label),
                        "1",
                    ]
                    yield box.frame, number, fields


class MotImporter:
    """Tracks from a zip of MOT Challenge sequences (one task per `gt.txt`)."""

    name = "mot"
    version = 1
    description = "MOT Challenge gt.txt files (zip; labels.txt names the classes)."

    def check_schema(self, schema: LabelingSchema) -> None:
        """Needs a video object with a tracks control."""
        video = require_object(schema, self.name, ObjectType.VIDEO)
        require_controls(schema, self.name, ControlType.TRACKS, of=video)

    def read(self, stream: BinaryIO, *, schema: LabelingSchema) -> Iterator[RowRead]:
        """Yield one task row per sequence."""
        self.check_schema(schema)
        video = require_object(schema, self.name, ObjectType.VIDEO)
        controls = controls_of(schema, ControlType.TRACKS, of=video)
        archive = open_archive(stream, self.name)
        manifest = read_manifest(archive)
        names = label_names(controls)
        if "labels.txt" in archive.namelist():
            names = [
                n.strip() for n in archive.read("labels.txt").decode().splitlines() if n.strip()
            ]
        key = schema.data_key(video)
        sequences = [m for m in members(archive, "gt.txt")]
        for number, member in enumerate(sequences, start=1):
            stem = (
                member.path.split("/")[0]
                if "/" in member.path
                else posixpath.splitext(member.path)[0]
            )
            entry = manifest.get(stem) or {"data": {key: stem}, "meta": {}}
            try:
                results = _tracks(decode_text(member), member.path, names, controls)
            except Invalid as exc:
                yield RowRead(number, error=exc.message)
                continue
            row: dict[str, Any] = {"data": entry["data"], "meta": entry["meta"]}
            if results:
                row["annotations"] = [{"results": results}]
            yield RowRead(number, row)


def _tracks(
    text: str, path: str, names: list[str], controls: list[ControlSpec]
) -> dict[str, list[dict[str, Any]]]:
    frames: dict[int, list[FrameBox]] = {}
    labels: dict[int, str] = {}
    for line_number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path} line {line_number}"
        fields = [f.strip() for f in line.split(",")]
        if len(fields) < 6 or len(fields) > 10:
            raise Invalid(f"{where}: expected 6 to 10 comma-separated values, found {len(fields)}")
        try:
            frame, track = int(fields[0]), int(fields[1])
            x, y, w, h = (float(f) for f in fields[2:6])
            label_index = int(float(fields[7])) if len(fields) > 7 else 1
        except ValueError:
            raise Invalid(f"{where}: frame, id and class must be integers, boxes numbers") from None
        if frame < 1:
            raise Invalid(f"{where}: frames are numbered from 1, got {frame}")
        if not 1 <= label_index <= len(names):
            raise Invalid(f"{where}: class {label_index} is not in labels.txt (1..{len(names)})")
        label = names[label_index - 1]
        if labels.setdefault(track, label) != label:
            raise Invalid(f"{where}: track {track} changes class from {labels[track]} to {label}")
        frames.setdefault(track, []).append(FrameBox(frame - 1, x, y, w, h, keyframe=False))
    results: dict[str, list[dict[str, Any]]] = {}
    for track, boxes in sorted(frames.items()):
        label = labels[track]
        control = next((c for c in controls if label in c.label_names), None)
        if control is None:
            raise Invalid(f"{path}: class '{label}' is not a label of the schema")
        boxes.sort(key=lambda b: b.frame)
        if len({b.frame for b in boxes}) != len(boxes):
            raise Invalid(f"{path}: track {track} has two boxes on one frame")
        results.setdefault(control.name, []).append(
            {"label": label, "keyframes": track_keyframes(boxes)}
        )
    return results


class CvatVideoExporter:
    """CVAT-style per-frame JSON: one line per video with each frame's shapes."""

    name = "cvat-video"
    version = 1
    description = "CVAT-style per-frame JSON lines: every frame's boxes with track ids."
    media_type = "application/x-ndjson"
    extension = "jsonl"
    default_selection = Selection.FINAL

    def check_schema(self, schema: LabelingSchema) -> None:
        """Needs a video object with a tracks control."""
        video = require_object(schema, self.name, ObjectType.VIDEO)
        require_controls(schema, self.name, ControlType.TRACKS, of=video)

    def export(self, tasks: Iterable[ExportTask], *, schema: LabelingSchema) -> Iterator[bytes]:
        """Yield `{"id", "video", "width", "height", "frames": [{"frame", "shapes"}]}` lines."""
        self.check_schema(schema)
        video = require_object(schema, self.name, ObjectType.VIDEO)
        controls = controls_of(schema, ControlType.TRACKS, of=video)
        for task in tasks:
            media = media_of(task, schema, video)
            by_frame: dict[int, list[dict[str, Any]]] = {}
            for annotation in task.annotations:
                for control in controls:
                    for track in annotation.results.get(control.name) or []:
                        for box in track_frames(track["keyframes"]):
                            by_frame.setdefault(box.frame, []).append(_shape(track, box))
            line = {
                "id": task.id,
                "video": media.src,
                "width": media.width,
                "height": media.height,
                "frames": [{"frame": f, "shapes": by_frame[f]} for f in sorted(by_frame)],
            }
            yield orjson.dumps(line) + b"\n"


def _shape(track: Mapping[str, Any], box: FrameBox) -> dict[str, Any]:
    return {
        "track_id": track.get("id"),
        "label": track["label"],
        "type": "rectangle",
        "points": [box.x, box.y, box.x + box.w, box.y + box.h],
        "keyframe": box.keyframe,
        "outside": False,
        "attributes": track.get("attributes") or {},
    }
