"""Values of time-range controls in seconds: segments and transcript."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from labelwright.domain.controls import SegmentsControl, TranscriptControl
from labelwright.domain.values._primitives import (
    EPS,
    REGION_KEYS,
    fmt,
    is_number,
    quote,
    read_item,
    read_list,
    read_region,
)
from labelwright.domain.values._report import Report, Scope


def check_interval(item: Mapping[str, Any], scope: Scope, report: Report, index: int) -> bool:
    """Check `0 <= start < end`, and `end <= duration` when the object's duration is known."""
    start, end = item["start"], item["end"]
    if not (is_number(start) and is_number(end)):
        report.add(
            f"start and end must be numbers, got {quote(start)} and {quote(end)}", index=index
        )
        return False
    if start < 0 or start >= end:
        report.add(f"interval {fmt(start)}-{fmt(end)} s must have 0 <= start < end", index=index)
        return False
    duration = scope.obj.duration if scope.obj is not None else None
    if duration is not None and end > duration + EPS:
        report.add(
            f"interval {fmt(start)}-{fmt(end)} s ends after the media's {fmt(duration)} s",
            index=index,
        )
        return False
    return True


def validate_segments(control: SegmentsControl, value: Any, scope: Scope, report: Report) -> Any:
    """`[{id?, start, end, label, attributes?, score?}]` in seconds; segments may overlap."""
    items = read_list(value, report, "segments")
    if items is None:
        return None
    result = []
    for index, raw in enumerate(items):
        item = read_item(
            raw, report, index, required=("start", "end", "label"), optional=REGION_KEYS
        )
        if item is None:
            continue
        head, tail = read_region(item, control.label_names, control.attributes, report, index)
        check_interval(item, scope, report, index)
        result.append(head | {"start": item["start"], "end": item["end"]} | tail)
    return result


def validate_transcript(
    control: TranscriptControl, value: Any, scope: Scope, report: Report
) -> Any:
    """`[{start, end, text, speaker?}]` in seconds; `speaker` must be a listed one if any are."""
    items = read_list(value, report, "transcript segments")
    if items is None:
        return None
    result = []
    for index, raw in enumerate(items):
        item = read_item(
            raw, report, index, required=("start", "end", "text"), optional=("speaker",)
        )
        if item is None:
            continue
        check_interval(item, scope, report, index)
        if not isinstance(item["text"], str):
            report.add(f"text must be a string, got {quote(item['text'])}", index=index)
        segment = {"start": item["start"], "end": item["end"], "text": item["text"]}
        speaker = item.get("speaker")
        if speaker is not None:
            if not isinstance(speaker, str) or not speaker:
                report.add(f"speaker must be a non-empty string, got {quote(speaker)}", index=index)
            elif control.speakers is not None and speaker not in control.speakers:
                report.add(
                    f"speaker {quote(speaker)} is not one of {', '.join(control.speakers)}",
                    index=index,
                )
            segment["speaker"] = speaker
        result.append(segment)
    return result
