"""Checks shared by the value validators: numbers, item keys, labels, ids and attributes."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from labelwright.domain.values._report import Report

EPS = 1e-6
"""Tolerance, in the object's units, for coordinates on an edge after float round-off."""

ID_MAX_LENGTH = 64


def is_number(value: Any) -> bool:
    """True for a finite int or float (bool is not a number here)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def is_integer(value: Any) -> bool:
    """True for an int, or a float with an integral value (JSON may write 3 as 3.0)."""
    return is_number(value) and float(value).is_integer()


def fmt(value: Any) -> str:
    """Format a number for a message: integers without a decimal point, floats with repr."""
    if is_number(value) and float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def quote(text: Any, limit: int = 40) -> str:
    """Quote a value for a message, shortening long text."""
    if not isinstance(text, str):
        return repr(text)
    shown = text if len(text) <= limit else text[: limit - 1] + "…"
    return "'" + shown.replace("\n", "\\n") + "'"


def type_name(value: Any) -> str:
    """The JSON-ish name of a value's type, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, Mapping):
        return "object"
    if isinstance(value, list | tuple):
        return "list"
    return type(value).__name__


def read_list(value: Any, report: Report, what: str) -> Sequence[Any] | None:
    """Return `value` if it is a list, else report that the control needs a list of `what`."""
    if isinstance(value, list | tuple):
        return value
    report.add(f"expected a list of {what}, got {type_name(value)}")
    return None


def read_item(
    item: Any,
    report: Report,
    index: int | None,
    *,
    required: Sequence[str],
    optional: Sequence[str] = (),
    where: str = "",
) -> Mapping[str, Any] | None:
    """Check an item's keys; return it when usable (a mapping with every required key).

    `where` prefixes the reasons of a nested item, e.g. `"keyframe 2: "`.
    """
    if not isinstance(item, Mapping):
        keys = ", ".join(required)
        report.add(
            f"{where}expected an object with keys {keys}, got {type_name(item)}", index=index
        )
        return None
    allowed = (*required, *optional)
    unknown = [str(key) for key in item if key not in allowed]
    if unknown:
        report.add(
            f"{where}unknown key {quote(unknown[0])}; allowed keys: {', '.join(allowed)}",
            index=index,
        )
    missing = [key for key in required if item.get(key) is None]
    if missing:
        report.add(f"{where}missing {', '.join(repr(k) for k in missing)}", index=index)
        return None
    return item


def check_number(
    value: Any,
    report: Report,
    index: int | None,
    what: str,
    *,
    low: float | None = None,
    high: float | None = None,
) -> bool:
    """Check that `value` is a finite number, within `[low, high]` (inclusive) if given."""
    if not is_number(value):
        report.add(f"{what} must be a number, got {quote(value)}", index=index)
        return False
    if low is not None and value < low - EPS:
        report.add(f"{what} {fmt(value)} is below {fmt(low)}", index=index)
        return False
    if high is not None and value > high + EPS:
        report.add(f"{what} {fmt(value)} is beyond {fmt(high)}", index=index)
        return False
    return True


def check_label(
    labels: Sequence[str], label: Any, report: Report, index: int | None, noun: str = "label"
) -> bool:
    """Check that `label` is one of `labels`."""
    if isinstance(label, str) and label in labels:
        return True
    known = ", ".join(labels)
    report.add(f"{noun} {quote(label)} is not one of the schema's {noun}s ({known})", index=index)
    return False


def check_region_id(value: Any, report: Report, index: int | None) -> str | None:
    """Return an item's `id` when it is absent (None) or valid; report a bad one."""
    if value is None:
        return None
    if isinstance(value, str) and 0 < len(value) <= ID_MAX_LENGTH:
        return value
    report.add(
        f"id must be a non-empty string of at most 64 characters, got {quote(value)}", index=index
    )
    return None


def check_attributes(
    specs: Mapping[str, Any], value: Any, report: Report, index: int | None
) -> dict[str, Any]:
    """Check an item's `attributes` against the control's attribute types; return them."""
    if not isinstance(value, Mapping):
        report.add(f"attributes must be an object, got {type_name(value)}", index=index)
        return {}
    for name, given in value.items():
        kind = specs.get(name)
        if kind is None:
            known = ", ".join(specs) or "none"
            report.add(f"unknown attribute {quote(name)}; attributes: {known}", index=index)
        elif not _attribute_fits(kind, given):
            expected = (
                f"one of {', '.join(kind)}" if isinstance(kind, tuple) else _ATTRIBUTE_WORDS[kind]
            )
            report.add(
                f"attribute {quote(name)} must be {expected}, got {quote(given)}", index=index
            )
    return dict(value)


_ATTRIBUTE_WORDS = {
    "bool": "true or false",
    "int": "an integer",
    "float": "a number",
    "str": "a string",
}


def _attribute_fits(kind: str | tuple[str, ...], value: Any) -> bool:
    if isinstance(kind, tuple):
        return isinstance(value, str) and value in kind
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "int":
        return is_integer(value)
    if kind == "float":
        return is_number(value)
    return isinstance(value, str)


def read_region(
    item: Mapping[str, Any],
    labels: Sequence[str],
    attributes: Mapping[str, Any],
    report: Report,
    index: int,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Check a region's `id`, `label`, `attributes` and `score`.

    Returns:
        `(head, tail)`: the normalized `id` to put first and the `label`, `attributes` and
        `score` to put after the region's geometry.
    """
    head = {"id": check_region_id(item.get("id"), report, index)}
    check_label(labels, item.get("label"), report, index)
    tail: dict[str, Any] = {"label": item.get("label")}
    if item.get("attributes") is not None:
        tail["attributes"] = check_attributes(attributes, item["attributes"], report, index)
    if item.get("score") is not None:
        check_number(item["score"], report, index, "score")
        tail["score"] = item["score"]
    return head, tail


REGION_KEYS = ("id", "attributes", "score")
"""Optional keys every region item may carry besides its geometry and label."""
