"""Agreement of key-value fields read from documents."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from labelwright.quality.agreement.text import normalize_text


def field_agreement(a: Sequence[Mapping[str, Any]], b: Sequence[Mapping[str, Any]]) -> float:
    """Share of field names (either annotator filled) whose values agree.

    A field's value is its `normalized` form when given, else `value`; texts are compared
    after `normalize_text` (case, punctuation, spacing), numbers exactly. 1.0 when neither
    filled any field.

    >>> field_agreement([{"name": "city", "value": "Paris"}], [{"name": "city", "value": "paris "}])
    1.0
    """
    first, second = _values(a), _values(b)
    names = set(first) | set(second)
    if not names:
        return 1.0
    agreeing = sum(first.get(n) == second.get(n) for n in names if n in first and n in second)
    return float(agreeing / len(names))


def _values(fields: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for field in fields:
        value = field.get("normalized", field.get("value"))
        values[str(field["name"])] = normalize_text(value) if isinstance(value, str) else value
    return values
