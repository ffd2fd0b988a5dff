"""Values of document controls: layout regions per page and key-value fields."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from labelwright.domain.controls import FieldsControl, RegionsControl
from labelwright.domain.kinds import ControlType, FieldType
from labelwright.domain.values._primitives import (
    REGION_KEYS,
    check_label,
    check_region_id,
    is_integer,
    is_number,
    quote,
    read_item,
    read_list,
    read_region,
    type_name,
)
from labelwright.domain.values._report import Report, Scope
from labelwright.domain.values.geometry import BOX_KEYS, check_box

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def validate_regions(control: RegionsControl, value: Any, scope: Scope, report: Report) -> Any:
    """`[{id?, page, x, y, w, h, label, order?, text?, attributes?, score?}]`.

    `page` is the 0-based page index (an image has the single page 0); the box is in the page
    image's pixels and must lie inside it when its size is known. `order` is the reading order,
    an integer >= 0. `text` is the transcription of what the box shows (OCR), a string.
    """
    items = read_list(value, report, "regions")
    if items is None:
        return None
    pages = scope.obj.pages if scope.obj is not None else None
    result = []
    for index, raw in enumerate(items):
        item = read_item(
            raw,
            report,
            index,
            required=("page", *BOX_KEYS, "label"),
            optional=(*REGION_KEYS, "order", "text"),
        )
        if item is None:
            continue
        head, tail = read_region(item, control.label_names, control.attributes, report, index)
        page = item["page"]
        width = height = None
        if not is_integer(page) or page < 0:
            report.add(f"page must be an integer >= 0, got {quote(page)}", index=index)
        elif pages is not None and page >= len(pages):
            report.add(
                f"page {int(page)} does not exist; the document has {len(pages)}", index=index
            )
        elif pages is not None:
            width, height = pages[int(page)].width, pages[int(page)].height
        check_box(item, report, index, width=width, height=height, what="region")
        region = {"page": int(page) if is_integer(page) else page, **{k: item[k] for k in BOX_KEYS}}
        if item.get("order") is not None:
            if not is_integer(item["order"]) or item["order"] < 0:
                report.add(
                    f"order must be an integer >= 0, got {quote(item['order'])}", index=index
                )
            region["order"] = item["order"]
        if item.get("text") is not None:
            if not isinstance(item["text"], str):
                report.add(f"text must be a string, got {type_name(item['text'])}", index=index)
            region["text"] = item["text"]
        result.append(head | region | tail)
    return result


def validate_fields(control: FieldsControl, value: Any, scope: Scope, report: Report) -> Any:
    """`[{id?, name, value, region?, normalized?}]`: key-value fields read from a document.

    `name` is one of the control's fields and `value` the text as written. `region` links the
    field to a region id of a `regions` control in the same result. `normalized` depends on the
    field type: a `date` is an ISO `YYYY-MM-DD` string, an `amount` a number, an `id` or `text` a
    string. Fields marked `required` must be present, except in predictions (`partial`).
    """
    items = read_list(value, report, "fields")
    if items is None:
        return None
    result = []
    for index, raw in enumerate(items):
        item = read_item(
            raw, report, index, required=("name", "value"), optional=("id", "region", "normalized")
        )
        if item is None:
            continue
        entry: dict[str, Any] = {"id": check_region_id(item.get("id"), report, index)}
        name = item["name"]
        spec = control.field(name) if isinstance(name, str) else None
        check_label(control.label_names, name, report, index, noun="field")
        if not isinstance(item["value"], str):
            report.add(f"value must be a string, got {type_name(item['value'])}", index=index)
        entry |= {"name": name, "value": item["value"]}
        region = item.get("region")
        if region is not None:
            ref = scope.regions.get(region) if isinstance(region, str) else None
            if ref is None or ref.type != ControlType.REGIONS:
                report.add(
                    f"region {quote(region)} is not a region of a regions control in this result",
                    index=index,
                )
            entry["region"] = region
        if item.get("normalized") is not None:
            if spec is not None:
                _check_normalized(spec.type, item["normalized"], report, index)
            entry["normalized"] = item["normalized"]
        result.append(entry)
    present = {item.get("name") for item in items if isinstance(item, dict)}
    missing = [f.name for f in control.fields if f.required and f.name not in present]
    if missing and not scope.partial:
        report.add(f"required fields {', '.join(quote(name) for name in missing)} are missing")
    return result


def _check_normalized(kind: FieldType, value: Any, report: Report, index: int) -> None:
    if kind == FieldType.AMOUNT:
        if not is_number(value):
            report.add(f"normalized amount must be a number, got {quote(value)}", index=index)
        return
    if not isinstance(value, str):
        report.add(f"normalized {kind.value} must be a string, got {type_name(value)}", index=index)
        return
    if kind == FieldType.DATE and not _is_iso_date(value):
        report.add(f"normalized date {quote(value)} is not an ISO date YYYY-MM-DD", index=index)


def _is_iso_date(value: str) -> bool:
    if not _ISO_DATE.match(value):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:  # well-formed but not a day, e.g. 2024-02-30
        return False
    return True
