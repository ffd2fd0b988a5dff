"""WebVTT and SRT subtitles of `transcript` values, one file per task.

Cues are numbered from 1 with times to the millisecond; a speaker is a WebVTT voice tag
(`<v Ada>text`), which the SRT writer uses too (players that do not know it show the text).
`&`, `<` and `>` in the text are escaped as WebVTT requires (SRT text is written as is). The
export is a zip of `<stem>.vtt` (or `.srt`) files with the `labelwright.jsonl` manifest; import
takes such a zip or one bare file (one task whose media key is the file name's stem).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator, Mapping
from html import unescape
from typing import Any, BinaryIO

from labelwright.domain import ControlType, LabelingSchema, ObjectType
from labelwright.errors import Invalid
from labelwright.formats.archive import Member, decode_text, is_zip, members, open_archive
from labelwright.formats.manifest import MANIFEST, manifest_line, read_manifest
from labelwright.formats.records import ExportTask, Selection
from labelwright.formats.targets import FileNames, media_of, require_controls, require_object
from labelwright.formats.task_rows import RowRead
from labelwright.formats.zip_stream import ZipStream

_TIMED = (ObjectType.AUDIO, ObjectType.VIDEO)
_TIMING = re.compile(
    r"^\s*((?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})\s*-->\s*((?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})"
)
_VOICE = re.compile(r"^<v(?:\.[\w.-]+)?\s+([^>]+)>(.*?)(?:</v>)?$", re.DOTALL)


def format_time(seconds: float, *, comma: bool) -> str:
    """`HH:MM:SS.mmm` (`,` before the milliseconds for SRT)."""
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{',' if comma else '.'}{millis:03d}"


def parse_time(text: str) -> float:
    """Seconds of `[HH:]MM:SS.mmm` (or `,mmm`)."""
    parts = text.replace(",", ".").split(":")
    seconds = float(parts[-1])
    minutes = int(parts[-2])
    hours = int(parts[-3]) if len(parts) == 3 else 0
    return round(hours * 3600 + minutes * 60 + seconds, 3)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class _Subtitles:
    version = 1
    default_selection = Selection.FINAL

    def __init__(self, name: str, extension: str, media_type: str, title: str) -> None:
        self.name = name
        self.extension = extension
        self.media_type = media_type
        self.description = f"{title} subtitles of a transcript, one file per task (zip)."
        self._srt = extension == "srt"

    def check_schema(self, schema: LabelingSchema) -> None:
        """Needs an audio or video object with a transcript control."""
        media = require_object(schema, self.name, *_TIMED)
        require_controls(schema, self.name, ControlType.TRANSCRIPT, of=media)

    def _control(self, schema: LabelingSchema) -> tuple[str, str]:
        self.check_schema(schema)
        media = require_object(schema, self.name, *_TIMED)
        return media, require_controls(schema, self.name, ControlType.TRANSCRIPT, of=media)[0].name


class SubtitlesExporter(_Subtitles):
    """A zip of one subtitle file per task."""

    def export(self, tasks: Iterable[ExportTask], *, schema: LabelingSchema) -> Iterator[bytes]:
        """Yield the zip of subtitle files and the manifest."""
        media, control = self._control(schema)
        archive = ZipStream()
        stems = FileNames()
        manifest = io.BytesIO()
        for task in tasks:
            stem = stems.stem(task, media_of(task, schema, media).src)
            cues = [c for a in task.annotations for c in a.results.get(control) or []]
            yield archive.add(f"{stem}.{self.extension}", self.document(cues).encode())
            manifest.write(manifest_line(task, stem))
        yield archive.add(MANIFEST, manifest.getvalue())
        yield archive.close()

    def document(self, cues: Iterable[Mapping[str, Any]]) -> str:
        """One subtitle file for a transcript value."""
        parts = [] if self._srt else ["WEBVTT\n"]
        for number, cue in enumerate(cues, start=1):
            start = format_time(cue["start"], comma=self._srt)
            end = format_time(cue["end"], comma=self._srt)
            text = re.sub(r"\n\s*\n", "\n", cue["text"]).strip("\n") or " "
            if not self._srt:
                text = _escape(text)
            if cue.get("speaker"):
                text = f"<v {cue['speaker']}>{text}"
            parts.append(f"{number}\n{start} --> {end}\n{text}\n")
        return "\n".join(parts)


class SubtitlesImporter(_Subtitles):
    """Transcripts from a zip of subtitle files, or one bare file."""

    def read(self, stream: BinaryIO, *, schema: LabelingSchema) -> Iterator[RowRead]:
        """Yield one task row per subtitle file."""
        media, control = self._control(schema)
        key = schema.data_key(media)
        manifest: Mapping[str, Any] = {}
        if is_zip(stream):
            archive = open_archive(stream, self.name)
            manifest = read_manifest(archive)
            files = list(members(archive, f".{self.extension}"))
        else:
            files = [Member(f"upload.{self.extension}", stream.read())]
        for number, member in enumerate(files, start=1):
            entry = manifest.get(member.stem) or {"data": {key: member.stem}, "meta": {}}
            try:
                cues = self.parse(decode_text(member), member.path)
            except Invalid as exc:
                yield RowRead(number, error=exc.message)
                continue
            row: dict[str, Any] = {"data": entry["data"], "meta": entry["meta"]}
            if cues:
                row["annotations"] = [{"results": {control: cues}}]
            yield RowRead(number, row)

    def parse(self, text: str, path: str) -> list[dict[str, Any]]:
        """The cues of one subtitle file; `Invalid` names the file and line."""
        lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        if not self._srt:
            if not lines[0].startswith("WEBVTT"):
                raise Invalid(f"{path} line 1: a WebVTT file starts with 'WEBVTT'")
            lines[0] = ""
        cues: list[dict[str, Any]] = []
        block: list[tuple[int, str]] = []
        for number, line in enumerate([*lines, ""], start=1):
            if line.strip():
                block.append((number, line))
                continue
            if block:
                cue = self._cue(block, path)
                if cue is not None:
                    cues.append(cue)
                block = []
        return cues

    def _cue(self, block: list[tuple[int, str]], path: str) -> dict[str, Any] | None:
        first = block[0][1]
        if first.startswith(("NOTE", "STYLE", "REGION")) and not self._srt:
            return None
        timing_at = next((i for i, (_, line) in enumerate(block) if "-->" in line), None)
        if timing_at is None or timing_at > 1:
            raise Invalid(f"{path} line {block[0][0]}: expected a cue timing 'start --> end'")
        number, timing = block[timing_at]
        match = _TIMING.match(timing)
        if match is None:
            raise Invalid(f"{path} line {number}: bad cue timing '{timing.strip()}'")
        start, end = parse_time(match.group(1)), parse_time(match.group(2))
        if end <= start:
            raise Invalid(f"{path} line {number}: the cue ends at or before its start")
        text = "\n".join(line for _, line in block[timing_at + 1 :])
        cue: dict[str, Any] = {"start": start, "end": end}
        voice = _VOICE.match(text)
        speaker = None
        if voice is not None:
            speaker, text = voice.group(1).strip(), voice.group(2)
        cue["text"] = text if self._srt else unescape(text)
        if speaker:
            cue["speaker"] = speaker
        return cue


SUBTITLE_EXPORTERS = [
    SubtitlesExporter("webvtt", "vtt", "application/zip", "WebVTT"),
    SubtitlesExporter("srt", "srt", "application/zip", "SubRip (SRT)"),
]
SUBTITLE_IMPORTERS = [
    SubtitlesImporter("webvtt", "vtt", "text/vtt", "WebVTT"),
    SubtitlesImporter("srt", "srt", "application/x-subrip", "SubRip (SRT)"),
]
