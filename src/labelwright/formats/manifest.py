"""The `labelwright.jsonl` manifest that multi-file exports carry beside the format's files.

One line per task: `{"file", "id", "data", "meta"}`, `file` being the format's file (or item
name) for the task. Importers use it, when present, to restore each task's data and metadata,
which files such as YOLO labels or subtitles cannot hold; without it they derive the data from
file names and what the files say.
"""

from __future__ import annotations

import zipfile
from typing import Any

import orjson

from labelwright.formats.records import ExportTask

MANIFEST = "labelwright.jsonl"


def manifest_line(task: ExportTask, file: str) -> bytes:
    """The manifest line of one task."""
    return orjson.dumps({"file": file, "id": task.id, "data": task.data, "meta": task.meta}) + b"\n"


def read_manifest(archive: zipfile.ZipFile) -> dict[str, dict[str, Any]]:
    """`{file: {"data", "meta"}}` from the archive's manifest, empty when it has none."""
    if MANIFEST not in archive.namelist():
        return {}
    entries: dict[str, dict[str, Any]] = {}
    with archive.open(MANIFEST) as handle:
        for raw in handle:
            if raw.strip():
                line = orjson.loads(raw)
                entries[str(line["file"])] = {"data": line["data"], "meta": line.get("meta") or {}}
    return entries
