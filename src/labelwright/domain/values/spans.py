"""Values of `spans` controls: labeled character ranges of a text or a document page's text."""

from __future__ import annotations

from typing import Any

from labelwright.domain.context import ObjectContext
from labelwright.domain.controls import SpansControl
from labelwright.domain.kinds import ObjectType
from labelwright.domain.values._primitives import (
    REGION_KEYS,
    is_integer,
    quote,
    read_item,
    read_list,
    read_region,
)
from labelwright.domain.values._report import Report, Scope


def validate_spans(control: SpansControl, value: Any, scope: Scope, report: Report) -> Any:
    """`[{id?, start, end, text, label, page?, attributes?, score?}]`.

    Offsets count Unicode code points (Python `str` indexing, not UTF-16 units), `end` is
    exclusive, `0 <= start < end <= len(text)`, and `text` must equal `task_text[start:end]`.
    Spans of a document name the 0-based `page` whose text layer they index. Overlapping spans
    are refused unless the control sets `overlap: true`.
    """
    items = read_list(value, report, "spans")
    if items is None:
        return None
    is_document = scope.obj is not None and scope.obj.type == ObjectType.DOCUMENT
    optional = (*REGION_KEYS, "page") if is_document else REGION_KEYS
    placed: list[tuple[int, int, int, int]] = []  # (page, start, end, index)
    result = []
    for index, raw in enumerate(items):
        item = read_item(
            raw, report, index, required=("start", "end", "text", "label"), optional=optional
        )
        if item is None:
            continue
        head, tail = read_region(item, control.label_names, control.attributes, report, index)
        span = _check_span(item, scope.obj, report, index)
        if span is not None:
            placed.append((*span, index))
        page = {"page": item["page"]} if "page" in item else {}
        position = {"start": _int(item["start"]), "end": _int(item["end"]), "text": item["text"]}
        result.append(head | position | page | tail)
    if not control.overlap:
        _check_overlaps(placed, report)
    return result


def _int(value: Any) -> Any:
    return int(value) if is_integer(value) else value


def _check_span(
    item: Any, obj: ObjectContext | None, report: Report, index: int
) -> tuple[int, int, int] | None:
    start, end, text = item["start"], item["end"], item["text"]
    if not (is_integer(start) and is_integer(end)):
        report.add(
            f"start and end must be integers, got {quote(start)} and {quote(end)}", index=index
        )
        return None
    start, end = int(start), int(end)
    name = f"span {start}-{end}"
    if start < 0 or start >= end:
        report.add(f"{name} must have 0 <= start < end", index=index)
        return None
    if not isinstance(text, str):
        report.add(f"{name} text must be a string, got {quote(text)}", index=index)
        return None
    page, task_text = _task_text(item, obj, report, index)
    if task_text is None:
        return None
    if end > len(task_text):
        report.add(
            f"{name} ends beyond the task text, which has {len(task_text)} characters", index=index
        )
        return None
    if task_text[start:end] != text:
        report.add(
            f"{name} text {quote(text)} does not match the task text {quote(task_text[start:end])}",
            index=index,
        )
        return None
    return page, start, end


def _task_text(
    item: Any, obj: ObjectContext | None, report: Report, index: int
) -> tuple[int, str | None]:
    if obj is None:
        return 0, None
    if obj.type != ObjectType.DOCUMENT:
        return 0, obj.text
    page = item.get("page")
    if not is_integer(page) or page < 0:
        report.add(f"spans of a document need a page index, got {quote(page)}", index=index)
        return 0, None
    page = int(page)
    if obj.pages is None or page >= len(obj.pages):
        count = "unknown" if obj.pages is None else str(len(obj.pages))
        report.add(f"page {page} does not exist (pages: {count})", index=index)
        return page, None
    text = obj.pages[page].text
    if text is None:
        report.add(f"page {page} has no text layer to check the span against", index=index)
    return page, text


def _check_overlaps(placed: list[tuple[int, int, int, int]], report: Report) -> None:
    reach: tuple[int, int, int, int] | None = None  # the span reaching furthest on its page
    for page, start, end, index in sorted(placed):
        if reach is not None and reach[0] == page and start < reach[2]:
            first, second = sorted((reach, (page, start, end, index)), key=lambda s: s[3])
            report.add(
                f"span {second[1]}-{second[2]} overlaps span {first[1]}-{first[2]} "
                f"(item {first[3]}); set overlap: true on the control to allow it",
                index=second[3],
            )
        if reach is None or reach[0] != page or end > reach[2]:
            reach = (page, start, end, index)
