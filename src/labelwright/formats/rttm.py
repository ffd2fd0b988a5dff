"""RTTM speaker diarization: `segments` whose labels are speakers, one file for all tasks.

Each line is `SPEAKER <file> 1 <onset> <duration> <NA> <NA> <speaker> <NA> <NA>`; `<file>` is
the audio reference of the task (whitespace replaced by `_`), so importing an export gives each
task back with that reference as its audio data. Times are written to the millisecond.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any, BinaryIO

from labelwright.domain import ControlType, LabelingSchema, ObjectType
from labelwright.errors import Invalid
from labelwright.formats.records import ExportTask, Selection
from labelwright.formats.targets import media_of, require_controls, require_object
from labelwright.formats.task_rows import RowRead

_TIMED = (ObjectType.AUDIO, ObjectType.VIDEO)


class _Rttm:
    name = "rttm"
    version = 1
    description = "RTTM diarization: one SPEAKER line per segment (labels are speakers)."

    def check_schema(self, schema: LabelingSchema) -> None:
        """Needs an audio or video object with a segments control."""
        media = require_object(schema, self.name, *_TIMED)
        require_controls(schema, self.name, ControlType.SEGMENTS, of=media)

    def _target(self, schema: LabelingSchema) -> tuple[str, str]:
        self.check_schema(schema)
        media = require_object(schema, self.name, *_TIMED)
        return media, require_controls(schema, self.name, ControlType.SEGMENTS, of=media)[0].name


class RttmExporter(_Rttm):
    """An RTTM file of every task's segments."""

    media_type = "text/plain"
    extension = "rttm"
    default_selection = Selection.FINAL

    def export(self, tasks: Iterable[ExportTask], *, schema: LabelingSchema) -> Iterator[bytes]:
        """Yield the lines of each task, sorted by onset."""
        media, control = self._target(schema)
        for task in tasks:
            source = media_of(task, schema, media).src or f"task-{task.id}"
            file_id = re.sub(r"\s", "_", source)
            segments = [s for a in task.annotations for s in a.results.get(control) or []]
            lines = [
                f"SPEAKER {file_id} 1 {s['start']:.3f} {s['end'] - s['start']:.3f} <NA> <NA> "
                f"{s['label']} <NA> <NA>\n"
                for s in sorted(segments, key=lambda s: (s["start"], s["end"]))
            ]
            yield "".join(lines).encode()


class RttmImporter(_Rttm):
    """One task per file id of an RTTM file."""

    def read(self, stream: BinaryIO, *, schema: LabelingSchema) -> Iterator[RowRead]:
        """Yield one task row per `<file>`, in order of first appearance."""
        media, control = self._target(schema)
        key = schema.data_key(media)
        labels = set(schema.control(control).label_names)  # type: ignore[union-attr]
        files: dict[str, list[dict[str, Any]]] = {}
        first_line: dict[str, int] = {}
        for number, raw in enumerate(stream, start=1):
            line = raw.decode("utf-8", errors="replace").strip()
            if not line or line.startswith("#"):
                continue
            fields = line.split()
            where = f"line {number}"
            if len(fields) != 10:
                raise Invalid(f"RTTM {where}: expected 10 fields, found {len(fields)}")
            if fields[0] != "SPEAKER":
                continue
            try:
                onset, duration = float(fields[3]), float(fields[4])
            except ValueError:
                raise Invalid(f"RTTM {where}: onset and duration must be numbers") from None
            if onset < 0 or duration <= 0:
                raise Invalid(f"RTTM {where}: onset must be >= 0 and duration > 0")
            if fields[7] not in labels:
                raise Invalid(
                    f"RTTM {where}: speaker '{fields[7]}' is not a label of control '{control}'"
                )
            first_line.setdefault(fields[1], number)
            files.setdefault(fields[1], []).append(
                {
                    "start": round(onset, 3),
                    "end": round(onset + duration, 3),
                    "label": fields[7],
                }
            )
        for file_id, segments in files.items():
            row = {"data": {key: file_id}, "annotations": [{"results": {control: segments}}]}
            yield RowRead(first_line[file_id], row)
