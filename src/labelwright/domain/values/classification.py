"""Values of whole-object controls: choice, choices, rating, rubric, number, textarea."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from labelwright.domain.controls import (
    ChoiceControl,
    ChoicesControl,
    NumberControl,
    RatingControl,
    RubricControl,
    TextareaControl,
)
from labelwright.domain.values._primitives import (
    check_label,
    fmt,
    is_integer,
    is_number,
    quote,
    read_list,
    type_name,
)
from labelwright.domain.values._report import Report, Scope


def validate_choice(control: ChoiceControl, value: Any, scope: Scope, report: Report) -> Any:
    """One option name: `"positive"`."""
    check_label(control.label_names, value, report, None, noun="option")
    return value


def validate_choices(control: ChoicesControl, value: Any, scope: Scope, report: Report) -> Any:
    """A list of distinct option names: `["red", "blue"]`."""
    items = read_list(value, report, "options")
    if items is None:
        return None
    seen: set[str] = set()
    for index, item in enumerate(items):
        if check_label(control.label_names, item, report, index, noun="option"):
            if item in seen:
                report.add(f"option {quote(item)} is chosen more than once", index=index)
            seen.add(item)
    return list(items)


def _read_int(value: Any, low: int, high: int, report: Report, what: str) -> int | None:
    if not is_integer(value):
        report.add(f"{what} must be an integer, got {quote(value)}")
        return None
    if not low <= value <= high:
        report.add(f"{what} {fmt(value)} is outside {low}..{high}")
        return None
    return int(value)


def validate_rating(control: RatingControl, value: Any, scope: Scope, report: Report) -> Any:
    """An integer in `[min, max]`: `4`."""
    return _read_int(value, control.min, control.max, report, "rating")


def validate_rubric(control: RubricControl, value: Any, scope: Scope, report: Report) -> Any:
    """An integer per criterion, each in its range: `{"clarity": 4, "accuracy": 5}`.

    Every criterion must be rated, except in predictions (`partial`).
    """
    if not isinstance(value, Mapping):
        report.add(f"expected an object of criterion ratings, got {type_name(value)}")
        return None
    criteria = {criterion.name: criterion for criterion in control.criteria}
    result: dict[str, Any] = {}
    for name, rating in value.items():
        criterion = criteria.get(name)
        if criterion is None:
            report.add(f"unknown criterion {quote(name)}; criteria: {', '.join(criteria)}")
            continue
        result[name] = _read_int(
            rating, criterion.min, criterion.max, report, f"criterion {quote(name)}"
        )
    missing = [name for name in criteria if name not in value]
    if missing and not scope.partial:
        report.add(f"criteria {', '.join(quote(name) for name in missing)} are not rated")
    return {name: result[name] for name in criteria if name in result}


def validate_number(control: NumberControl, value: Any, scope: Scope, report: Report) -> Any:
    """A finite number within the control's inclusive bounds: `12.5`."""
    if not is_number(value):
        report.add(f"expected a number, got {quote(value)}")
        return None
    if control.integer and not is_integer(value):
        report.add(f"expected an integer, got {fmt(value)}")
    if control.min is not None and value < control.min:
        report.add(f"{fmt(value)} is below the minimum {fmt(control.min)}")
    if control.max is not None and value > control.max:
        report.add(f"{fmt(value)} is above the maximum {fmt(control.max)}")
    return int(value) if control.integer and is_integer(value) else value


def validate_textarea(control: TextareaControl, value: Any, scope: Scope, report: Report) -> Any:
    """Free text of at most `max_length` code points."""
    if not isinstance(value, str):
        report.add(f"expected text, got {type_name(value)}")
        return None
    if control.max_length is not None and len(value) > control.max_length:
        report.add(f"text has {len(value)} characters, more than the maximum {control.max_length}")
    return value
