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
from labelwright.domain.kinds import ObjectType
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

    A rubric of a `responses` object rates each response on each criterion, keyed by response
    id: `{"r1": {"clarity": 4, "accuracy": 5}, "r2": {...}}`; the ids must be the task's
    (when its responses are known) and come back in task order. Every criterion (and every
    response) must be rated, except in predictions (`partial`).
    """
    if scope.object_type != ObjectType.RESPONSES:
        return _read_criteria(control, value, scope, report, "")
    if not isinstance(value, Mapping):
        report.add(f"expected an object of criterion ratings per response, got {type_name(value)}")
        return None
    if value and not any(isinstance(ratings, Mapping) for ratings in value.values()):
        report.add(
            f"object {quote(control.of)} holds responses, so the rubric rates each one: expected "
            "{response id: {criterion: rating}}"
        )
        return None
    known = scope.obj.response_ids if scope.obj is not None else None
    result: dict[str, Any] = {}
    for rid, ratings in value.items():
        if not isinstance(rid, str) or not rid:
            report.add(f"expected a response id, got {quote(rid)}")
            continue
        if known is not None and rid not in known:
            report.add(f"{quote(rid)} is not a response id of the task")
            continue
        result[rid] = _read_criteria(control, ratings, scope, report, f"response {quote(rid)}: ")
    missing = [rid for rid in known or () if rid not in value]
    if missing and not scope.partial:
        report.add(f"responses {', '.join(quote(rid) for rid in missing)} are not rated")
    order = list(known) if known is not None else list(result)
    return {rid: result[rid] for rid in order if rid in result}


def _read_criteria(
    control: RubricControl, value: Any, scope: Scope, report: Report, where: str
) -> dict[str, Any] | None:
    if not isinstance(value, Mapping):
        report.add(f"{where}expected an object of criterion ratings, got {type_name(value)}")
        return None
    criteria = {criterion.name: criterion for criterion in control.criteria}
    result: dict[str, Any] = {}
    for name, rating in value.items():
        criterion = criteria.get(name)
        if criterion is None:
            report.add(f"{where}unknown criterion {quote(name)}; criteria: {', '.join(criteria)}")
            continue
        result[name] = _read_int(
            rating, criterion.min, criterion.max, report, f"{where}criterion {quote(name)}"
        )
    missing = [name for name in criteria if name not in value]
    if missing and not scope.partial:
        report.add(f"{where}criteria {', '.join(quote(name) for name in missing)} are not rated")
    return {name: result[name] for name in criteria if name in result}


def rubric_ratings(value: Mapping[str, Any]) -> dict[tuple[str | None, str], int]:
    """The ratings of a valid rubric value by `(response id, criterion)`.

    The response id is None in the flat shape `{criterion: rating}`; a rubric of a `responses`
    object gives one entry per rated response and criterion.

    >>> rubric_ratings({"clarity": 4})
    {(None, 'clarity'): 4}
    >>> rubric_ratings({"r1": {"clarity": 4}, "r2": {"clarity": 2}})
    {('r1', 'clarity'): 4, ('r2', 'clarity'): 2}
    """
    cells: dict[tuple[str | None, str], int] = {}
    for key, rating in value.items():
        if isinstance(rating, Mapping):
            for criterion, score in rating.items():
                cells[(key, criterion)] = score
        else:
            cells[(None, key)] = rating
    return cells


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
