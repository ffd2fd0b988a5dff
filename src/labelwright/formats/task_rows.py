"""Reading task rows from JSON arrays, JSONL and CSV streams, one record at a time.

Memory stays flat: JSON arrays are parsed incrementally (ijson), JSONL and CSV line by line.
Each yielded `RowRead` carries the 1-based line (JSONL, CSV) or item number (JSON array) and
either the parsed value or the reason it could not be parsed.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, BinaryIO

import ijson
import orjson

from labelwright.errors import Invalid


class RowFormat(StrEnum):
    JSON = "json"
    JSONL = "jsonl"
    CSV = "csv"


_CONTENT_TYPES = {
    "application/json": RowFormat.JSON,
    "application/x-ndjson": RowFormat.JSONL,
    "application/jsonl": RowFormat.JSONL,
    "application/x-jsonlines": RowFormat.JSONL,
    "text/csv": RowFormat.CSV,
}


def format_for_content_type(content_type: str | None) -> RowFormat:
    """The row format of an HTTP body; `Invalid` lists the accepted types."""
    base = (content_type or "application/json").split(";")[0].strip().lower()
    try:
        return _CONTENT_TYPES[base]
    except KeyError:
        raise Invalid(
            f"Unsupported content type '{base}'; send one of {', '.join(_CONTENT_TYPES)}."
        ) from None


def format_for_filename(name: str) -> RowFormat:
    lower = name.lower()
    if lower.endswith((".jsonl", ".ndjson")):
        return RowFormat.JSONL
    if lower.endswith(".json"):
        return RowFormat.JSON
    if lower.endswith(".csv"):
        return RowFormat.CSV
    raise Invalid(f"'{name}': use a .json, .jsonl or .csv file.")


@dataclass(frozen=True)
class RowRead:
    line: int
    value: Any = None
    error: str | None = None


def read_rows(stream: BinaryIO, fmt: RowFormat) -> Iterator[RowRead]:
    """Yield each row of the stream with its line or item number."""
    if fmt is RowFormat.JSONL:
        yield from _read_jsonl(stream)
    elif fmt is RowFormat.CSV:
        yield from _read_csv(stream)
    else:
        yield from _read_json_array(stream)


def _read_jsonl(stream: BinaryIO) -> Iterator[RowRead]:
    for number, raw in enumerate(stream, start=1):
        line = raw.strip()
        if not line:
            continue
        try:
            yield RowRead(number, orjson.loads(line))
        except orjson.JSONDecodeError as exc:
            yield RowRead(number, error=f"not valid JSON: {exc}")


def _read_json_array(stream: BinaryIO) -> Iterator[RowRead]:
    head = stream.read(1)
    while head and head.isspace():
        head = stream.read(1)
    if head != b"[":
        yield RowRead(1, error="a JSON body must be an array of tasks")
        return
    body = io.BufferedReader(_Prepend(b"[", stream))  # type: ignore[arg-type]
    number = 0
    try:
        for number, item in enumerate(ijson.items(body, "item", use_float=True), start=1):
            yield RowRead(number, item)
    except ijson.JSONError as exc:
        yield RowRead(number + 1, error=f"not valid JSON: {exc}")


class _Prepend(io.RawIOBase):
    """A raw stream that yields `prefix` and then the rest of `stream`."""

    def __init__(self, prefix: bytes, stream: BinaryIO) -> None:
        self._prefix = prefix
        self._stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._prefix:
            n = min(len(buffer), len(self._prefix))
            buffer[:n] = self._prefix[:n]
            self._prefix = self._prefix[n:]
            return n
        chunk = self._stream.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)


def _read_csv(stream: BinaryIO) -> Iterator[RowRead]:
    """CSV with a header row: columns become data fields; `meta.<key>` columns become meta."""
    text = codecs.getreader("utf-8-sig")(stream)
    reader = csv.reader(text)
    try:
        header = next(reader)
    except StopIteration:
        return
    except (csv.Error, UnicodeDecodeError) as exc:
        yield RowRead(1, error=f"unreadable CSV header: {exc}")
        return
    if len(set(header)) != len(header) or any(not h for h in header):
        yield RowRead(1, error="the CSV header has empty or repeated column names")
        return
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except (csv.Error, UnicodeDecodeError) as exc:
            yield RowRead(reader.line_num, error=f"unreadable CSV: {exc}")
            return
        if not cells:
            continue
        if len(cells) != len(header):
            yield RowRead(
                reader.line_num,
                error=f"expected {len(header)} columns as in the header, found {len(cells)}",
            )
            continue
        data: dict[str, Any] = {}
        meta: dict[str, Any] = {}
        for name, cell in zip(header, cells, strict=True):
            if name.startswith("meta."):
                meta[name[5:]] = cell
            else:
                data[name] = cell
        yield RowRead(reader.line_num, {"data": data, "meta": meta} if meta else data)
