"""Fields read from document regions, and field values normalized by kind."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from labelwright.domain.controls import FieldSpec
from labelwright.domain.field_extraction import (
    SuggestedField,
    fields_from_regions,
    normalize_field_value,
)

DOCUMENTS_JS = (
    Path(__file__).resolve().parents[2] / "src/labelwright/web/static/js/lib/documents.js"
)

CASES: list[tuple[str, str, Any]] = [
    ("date", "2024-07-21", "2024-07-21"),
    ("date", "Date: 2024-7-1", "2024-07-01"),
    ("date", "21.07.2024", "2024-07-21"),
    ("date", "03/25/2024", "2024-03-25"),
    ("date", "05/03/24", "2024-03-05"),
    ("date", "15 March 2024", "2024-03-15"),
    ("date", "Mar 15th, 2024", "2024-03-15"),
    ("date", "2024-02-30", None),
    ("date", "soon", None),
    ("amount", "$1,308.80", 1308.8),
    ("amount", "1.308,80 €", 1308.8),
    ("amount", "(12.00)", -12.0),
    ("amount", "-5", -5.0),
    ("amount", "42.5", 42.5),
    ("amount", "1,000", 1000.0),
    ("amount", "n/a", None),
    ("id", " INV - 2024 - 01 ", "INV-2024-01"),
    ("id", "   ", None),
    ("text", "  Acme \n Supplies  ", "Acme Supplies"),
    ("text", "", None),
]

SPECS = (
    FieldSpec(name="invoice_number", type="id"),
    FieldSpec(name="date", type="date"),
    FieldSpec(name="due_date", type="date"),
    FieldSpec(name="total", type="amount"),
)


def _region(rid: str, text: str, x: int, y: int, *, w: int = 100, page: int = 0) -> dict[str, Any]:
    return {"id": rid, "page": page, "x": x, "y": y, "w": w, "h": 16, "text": text}


@pytest.mark.parametrize(("kind", "text", "expected"), CASES)
def test_values_are_normalized_by_kind(kind: str, text: str, expected: Any) -> None:
    assert normalize_field_value(kind, text) == expected


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_normalization_reads_like_the_workbench() -> None:
    script = (
        f"import {{ normalizeField }} from {json.dumps(DOCUMENTS_JS.as_uri())};\n"
        f"const cases = {json.dumps([[k, t] for k, t, _ in CASES])};\n"
        "console.log(JSON.stringify(cases.map(([k, t]) => normalizeField(k, t))));\n"
    )
    done = subprocess.run(
        ["node", "--input-type=module", "-e", script],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert json.loads(done.stdout) == [expected for _, _, expected in CASES]


@given(st.text(max_size=40))
def test_amounts_are_numbers_or_none_and_ids_have_no_white_space(text: str) -> None:
    amount = normalize_field_value("amount", text)
    assert amount is None or isinstance(amount, float)
    ident = normalize_field_value("id", text)
    assert ident is None or (ident and not any(c.isspace() for c in ident))
    date = normalize_field_value("date", text)
    assert date is None or (len(date) == 10 and date[4] == "-" == date[7])


def test_key_then_value_on_the_same_line_is_a_field_linked_to_the_value() -> None:
    regions = [
        _region("r0", "Invoice number:", 100, 200),
        _region("r1", "INV-001", 400, 201),
        _region("r2", "Due date:", 100, 240),
        _region("r3", "Ship date:", 100, 280),
        _region("r4", "5 May 2024", 400, 281),
        _region("r5", "Total:", 700, 600),
        _region("r6", "Amount", 900, 560),  # the line above, not the total's value
        _region("r7", "$1,200.00", 900, 598),
        _region("r8", "USD", 1100, 600),
    ]
    assert fields_from_regions(regions, SPECS) == (
        SuggestedField("invoice_number", "INV-001", "r1", "INV-001"),
        SuggestedField("date", "5 May 2024", "r4", "2024-05-05"),  # "Ship date" names `date`
        SuggestedField("total", "$1,200.00", "r7", 1200.0),  # the nearest to the right
    )  # "Due date:" has no value on its line: no due_date


def test_inline_keys_bare_field_names_and_first_occurrence() -> None:
    regions = [
        {**_region("a", "Invoice no.: A-1", 10, 10), "order": 0},
        {**_region("b", "TOTAL", 10, 50), "order": 1},
        {**_region("c", "12,50", 300, 52), "order": 2},
        {**_region("d", "Invoice no.: B-2", 10, 10, page=1), "order": 3},
        {**_region("e", "Total", 10, 90), "order": 4},  # a bare name with no value: not a key
        {**_region("f", "Notes: call at 10:30", 10, 130), "order": 5},
    ]
    found = fields_from_regions(regions, SPECS)
    assert [(f.name, f.value, f.region, f.normalized) for f in found] == [
        ("invoice_number", "A-1", "a", "A-1"),
        ("total", "12,50", "c", 12.5),
    ]
    assert found[0].as_value() == {
        "name": "invoice_number",
        "value": "A-1",
        "region": "a",
        "normalized": "A-1",
    }


def test_nothing_to_read() -> None:
    assert fields_from_regions([], SPECS) == ()
    no_text = [{"id": "x", "page": 0, "x": 0, "y": 0, "w": 5, "h": 5}]
    assert fields_from_regions(no_text, SPECS) == ()
    keys_only = [_region("k", "Date:", 0, 0), _region("v", "Total:", 300, 0)]
    assert fields_from_regions(keys_only, SPECS) == ()  # a key is never another key's value
    unreadable = fields_from_regions([_region("k", "Date: someday", 0, 0)], SPECS)
    assert unreadable == (SuggestedField("date", "someday", "k", None),)
    assert unreadable[0].as_value() == {"name": "date", "value": "someday", "region": "k"}
