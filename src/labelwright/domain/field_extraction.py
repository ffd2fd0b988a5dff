"""Key-value fields read from a document's regions, and field values normalized by kind.

`fields_from_regions` finds keys among the regions of a `regions` value ("Invoice number:" with
its value in the next region on the same line, "Date: 2024-07-21" in one region, or a region
whose text is a field's name, such as "TOTAL") and returns one suggested field per field of the
control, linked to the region that holds the value. `normalize_field_value` reads the value as
written into the normalized form of its kind (DESIGN §5 `fields`); it reads the same way as the
workbench's `normalizeField` in `web/static/js/lib/documents.js`.

Pure: no I/O. Example:

>>> from labelwright.domain.controls import FieldSpec
>>> regions = [
...     {"id": "a", "page": 0, "x": 10, "y": 10, "w": 80, "h": 12, "text": "Invoice no.:"},
...     {"id": "b", "page": 0, "x": 120, "y": 11, "w": 60, "h": 12, "text": "INV - 7"},
... ]
>>> fields_from_regions(regions, (FieldSpec(name="invoice_number", type="id"),))
(SuggestedField(name='invoice_number', value='INV - 7', region='b', normalized='INV-7'),)
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from labelwright.domain.controls import FieldSpec
from labelwright.domain.kinds import FieldType

__all__ = ["SuggestedField", "fields_from_regions", "normalize_field_value"]

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
SYNONYMS = {"no": "number", "nr": "number", "num": "number", "#": "number", "amt": "amount"}
"""Abbreviations in printed keys, read as the word a field name would use."""

_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_NUMERIC = re.compile(r"(\d{1,2})[./-](\d{1,2})[./-](\d{2,4})")
_DAY_MONTH = re.compile(r"(\d{1,2})\.?\s+([a-z]{3})[a-z]*\.?,?\s+(\d{2,4})")
_MONTH_DAY = re.compile(r"([a-z]{3})[a-z]*\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{2,4})")
_INLINE = re.compile(r"^\s*([^:]{1,40}?)\s*:\s+(\S.*?)\s*$")
_WORD = re.compile(r"[a-z0-9]+|#")


@dataclass(frozen=True)
class SuggestedField:
    """A field of a `fields` value: its name, the value as written, the region that shows the
    value, and the normalized value (None when the text does not read as the field's kind)."""

    name: str
    value: str
    region: str | None
    normalized: str | float | None

    def as_value(self) -> dict[str, Any]:
        """The item of a `fields` value (DESIGN §5)."""
        item: dict[str, Any] = {"name": self.name, "value": self.value}
        if self.region is not None:
            item["region"] = self.region
        if self.normalized is not None:
            item["normalized"] = self.normalized
        return item


def normalize_field_value(kind: FieldType | str, text: str) -> str | float | None:
    """The normalized value of a field of `kind` written as `text`, or None.

    `date`: ISO `YYYY-MM-DD` from ISO dates, day.month.year and day/month/year (month/day/year
    when only that reading is a date: 03/25/2024) and month names ("15 March 2024",
    "Mar 15, 2024"); two-digit years below 70 are 20xx. `amount`: a number from "$1,308.80",
    "1.308,80 €", "(12.00)" or "-5" (the last `,` or `.` followed by one or two digits at the end
    is the decimal separator). `id`: the text without white space. `text`: white space collapsed.
    """
    kind = FieldType(kind)
    if kind is FieldType.DATE:
        return _normalize_date(text)
    if kind is FieldType.AMOUNT:
        return _normalize_amount(text)
    if kind is FieldType.ID:
        return re.sub(r"\s+", "", text.strip()) or None
    return re.sub(r"\s+", " ", text.strip()) or None


def _iso_date(year: int, month: int, day: int) -> str | None:
    if not 1000 <= year <= 9999:
        return None
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:  # not a day of the calendar, e.g. 2024-02-30
        return None


def _full_year(year: int) -> int:
    if year >= 100:
        return year
    return 2000 + year if year < 70 else 1900 + year


def _normalize_date(text: str) -> str | None:
    s = text.strip().lower()
    if found := _ISO.search(s):
        return _iso_date(int(found[1]), int(found[2]), int(found[3]))
    if found := _NUMERIC.search(s):
        a, b, year = int(found[1]), int(found[2]), _full_year(int(found[3]))
        if b > 12 and a <= 12:  # 03/25/2024: only month first reads as a date
            return _iso_date(year, a, b)
        return _iso_date(year, b, a)
    found = _DAY_MONTH.search(s)
    if found and found[2] in MONTHS:
        return _iso_date(_full_year(int(found[3])), MONTHS.index(found[2]) + 1, int(found[1]))
    found = _MONTH_DAY.search(s)
    if found and found[1] in MONTHS:
        return _iso_date(_full_year(int(found[3])), MONTHS.index(found[1]) + 1, int(found[2]))
    return None


def _normalize_amount(text: str) -> float | None:
    s = text.strip()
    negative = bool(re.fullmatch(r"\(.*\)", s) or re.search(r"^-|-$|^[^\d]*-", s))
    s = re.sub(r"[^\d.,]", "", s)
    if not re.search(r"\d", s):
        return None
    whole, fraction = s, ""
    if decimal := re.search(r"[.,](\d{1,2})$", s):
        whole, fraction = s[: decimal.start()], decimal[1]
    value = float(f"{re.sub(r'[.,]', '', whole) or '0'}.{fraction or '0'}")
    return -value if negative else value


def _words(text: str) -> tuple[str, ...]:
    return tuple(SYNONYMS.get(word, word) for word in _WORD.findall(text.lower()))


def _field_for(key: str, specs: Sequence[FieldSpec]) -> FieldSpec | None:
    """The field a printed key names: its words equal the field name's, or end with them
    ("Effective date" names `date`); the longest name wins."""
    words = _words(key)
    if not words:
        return None
    best: tuple[int, FieldSpec] | None = None
    for spec in specs:
        name = _words(spec.name.replace("_", " "))
        if name and words[-len(name) :] == name and (best is None or len(name) > best[0]):
            best = (len(name), spec)
    return best[1] if best else None


def _same_line_right_of(key: Mapping[str, Any], other: Mapping[str, Any]) -> bool:
    if other.get("page") != key.get("page"):
        return False
    key_mid = float(key["y"]) + float(key["h"]) / 2
    other_mid = float(other["y"]) + float(other["h"]) / 2
    tolerance = max(min(float(key["h"]), float(other["h"])), 1.0) / 2
    # right of the key's middle: a value printed after the key, not a column header above it
    beside = float(other["x"]) >= float(key["x"]) + float(key["w"]) * 0.5
    return abs(key_mid - other_mid) < tolerance and beside


def _reading_order(regions: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    items = [r for r in regions if isinstance(r.get("text"), str)]
    return sorted(
        items,
        key=lambda r: (
            r.get("order") if isinstance(r.get("order"), int) else 1 << 30,
            r.get("page", 0),
            r["y"],
            r["x"],
        ),
    )


def fields_from_regions(
    regions: Iterable[Mapping[str, Any]], specs: Sequence[FieldSpec]
) -> tuple[SuggestedField, ...]:
    """Fields whose key and value appear among `regions` (items of a `regions` value with `text`).

    A key is a region whose text ends with a colon, or is a field's name (case and
    punctuation aside); its value is the nearest region to its right on the same line of the same
    page that is not itself a key. A region "Key: value" holds both. The first occurrence in
    reading order wins for each field; a key naming no field of `specs` is ignored. The field is
    linked to the value's region (when the region has an `id`) and normalized by its kind.
    Returns the fields in the order of `specs`.
    """
    ordered = _reading_order(regions)
    keys: dict[int, FieldSpec] = {}
    found: dict[str, SuggestedField] = {}
    for index, region in enumerate(ordered):
        text = region["text"].strip()
        label = text[:-1].strip() if text.endswith(":") else text
        spec = _field_for(label, specs)
        if spec is not None and (text.endswith(":") or _words(label) == _words(spec.name)):
            keys[index] = spec
    for index, region in enumerate(ordered):
        spec = keys.get(index)
        if spec is not None:
            candidates = [
                other
                for position, other in enumerate(ordered)
                if position not in keys and position != index and _same_line_right_of(region, other)
            ]
            if candidates and spec.name not in found:
                value = min(candidates, key=lambda other: other["x"])
                found[spec.name] = _suggest(spec, value["text"].strip(), value.get("id"))
            continue
        inline = _INLINE.match(region["text"])
        spec = _field_for(inline[1], specs) if inline else None
        if inline and spec is not None and spec.name not in found:
            found[spec.name] = _suggest(spec, inline[2], region.get("id"))
    return tuple(found[spec.name] for spec in specs if spec.name in found)


def _suggest(spec: FieldSpec, value: str, region: Any) -> SuggestedField:
    return SuggestedField(
        name=spec.name,
        value=value,
        region=region if isinstance(region, str) else None,
        normalized=normalize_field_value(spec.type, value),
    )
