"""Validating document layout regions and key-value fields."""

from __future__ import annotations

from typing import Any

import pytest

from labelwright.domain import MediaInfo

from .conftest import Mismatch, Validate

SCHEMA = """
objects:
  doc: {type: document}
  scan: {type: image}
controls:
  - {name: layout, type: regions, of: doc, labels: [table, header, total]}
  - {name: blocks, type: regions, of: scan, labels: [block]}
  - {name: boxes, type: boxes, of: scan, labels: [stamp]}
  - name: invoice
    type: fields
    of: doc
    fields:
      - {name: total, type: amount, required: true}
      - {name: date, type: date}
      - {name: number, type: id}
      - {name: vendor}
"""
DATA = {
    "doc": {"pages": [{"image": "p0", "width": 600, "height": 800}, "media:p1"]},
    "scan": {"src": "s", "width": 100, "height": 100},
}
TOTAL = {"name": "total", "value": "$1,200.50", "normalized": 1200.5}


def _region(page: int, x: float = 0, y: float = 0, **extra: Any) -> dict[str, Any]:
    return {"page": page, "x": x, "y": y, "w": 10, "h": 10, "label": "table", **extra}


def test_valid_regions_are_accepted(validate: Validate) -> None:
    regions = [_region(0, 590, 790, order=0), _region(1, 5000, 5000, id="far")]

    normalized = validate(SCHEMA, {"layout": regions, "invoice": [TOTAL]}, DATA)["layout"]

    assert normalized[0]["order"] == 0 and normalized[0]["page"] == 0
    assert normalized[1]["id"] == "far"  # page 1's size is unknown


def test_page_sizes_come_from_media(mismatch: Mismatch) -> None:
    problems = mismatch(
        SCHEMA,
        {"layout": [_region(1, 95)], "invoice": [TOTAL]},
        DATA,
        media={"media:p1": MediaInfo(width=100, height=100)},
    )

    assert problems[0]["reason"] == "region x=95 y=0 w=10 h=10 lies outside the image (100x100)"


def test_regions_of_an_image_have_the_single_page_zero(
    validate: Validate, mismatch: Mismatch
) -> None:
    ok = {"page": 0, "x": 90, "y": 90, "w": 10, "h": 10, "label": "block"}

    assert validate(SCHEMA, {"blocks": [ok], "invoice": [TOTAL]}, DATA)
    problems = mismatch(SCHEMA, {"blocks": [{**ok, "page": 1}], "invoice": [TOTAL]}, DATA)
    assert problems[0]["reason"] == "page 1 does not exist; the document has 1"


@pytest.mark.parametrize(
    ("region", "reason"),
    [
        (_region(2), "page 2 does not exist; the document has 2"),
        (_region(-1), "page must be an integer >= 0, got -1"),
        (_region("0"), "page must be an integer >= 0, got '0'"),
        (_region(0, 595), "region x=595 y=0 w=10 h=10 lies outside the image (600x800)"),
        (_region(0, order=-1), "order must be an integer >= 0, got -1"),
        (_region(0, order="first"), "order must be an integer >= 0, got 'first'"),
        (_region(0, label="footer"), "label 'footer' is not one of the schema's labels"),
        ({"page": 0, "x": 0, "y": 0, "w": 10, "label": "table"}, "missing 'h'"),
    ],
)
def test_invalid_regions_are_refused(
    mismatch: Mismatch, region: dict[str, Any], reason: str
) -> None:
    problems = mismatch(SCHEMA, {"layout": [_region(0), region], "invoice": [TOTAL]}, DATA)

    assert [(p["control"], p["index"]) for p in problems] == [("layout", 1)]
    assert reason in problems[0]["reason"]


def test_valid_fields_are_accepted_and_linked(validate: Validate) -> None:
    results = {
        "layout": [_region(0, id="r-total", label="total")],
        "invoice": [
            {**TOTAL, "region": "r-total"},
            {"name": "date", "value": "3 Jan 2024", "normalized": "2024-01-03"},
            {"name": "number", "value": "INV-7", "normalized": "INV7", "id": "f-number"},
            {"name": "vendor", "value": "Acme"},
            {"name": "vendor", "value": "Acme Co"},
        ],
    }

    normalized = validate(SCHEMA, results, DATA)["invoice"]

    assert normalized[0] == {"id": normalized[0]["id"], **TOTAL, "region": "r-total"}
    assert normalized[2]["id"] == "f-number"
    assert len({field["id"] for field in normalized}) == 5


@pytest.mark.parametrize(
    ("field", "reason"),
    [
        (
            {"name": "iban", "value": "x"},
            "field 'iban' is not one of the schema's fields (total, date, number, vendor)",
        ),
        ({"name": "vendor", "value": 5}, "value must be a string, got number"),
        (
            {"name": "vendor", "value": "x", "region": "nope"},
            "region 'nope' is not a region of a regions control in this result",
        ),
        (
            {"name": "vendor", "value": "x", "region": "stamp-1"},
            "region 'stamp-1' is not a region of a regions control",
        ),
        (
            {"name": "total", "value": "x", "normalized": "1200"},
            "normalized amount must be a number, got '1200'",
        ),
        (
            {"name": "date", "value": "x", "normalized": "03/01/2024"},
            "normalized date '03/01/2024' is not an ISO date YYYY-MM-DD",
        ),
        (
            {"name": "date", "value": "x", "normalized": "2024-02-30"},
            "is not an ISO date YYYY-MM-DD",
        ),
        ({"name": "date", "value": "x", "normalized": "20240101"}, "is not an ISO date YYYY-MM-DD"),
        (
            {"name": "number", "value": "x", "normalized": 7},
            "normalized id must be a string, got number",
        ),
        (
            {"name": "vendor", "value": "x", "normalized": 7},
            "normalized text must be a string, got number",
        ),
        ({"name": "vendor", "value": "x", "label": "y"}, "unknown key 'label'"),
        ({"name": "vendor", "value": "x", "id": ""}, "id must be a non-empty string"),
        ({"name": "vendor"}, "missing 'value'"),
    ],
)
def test_invalid_fields_are_refused(mismatch: Mismatch, field: dict[str, Any], reason: str) -> None:
    stamp = {"id": "stamp-1", "x": 0, "y": 0, "w": 1, "h": 1, "label": "stamp"}

    problems = mismatch(SCHEMA, {"boxes": [stamp], "invoice": [TOTAL, field]}, DATA)

    assert [(p["control"], p["index"]) for p in problems] == [("invoice", 1)]
    assert reason in problems[0]["reason"]


def test_required_fields_must_be_present(validate: Validate, mismatch: Mismatch) -> None:
    vendor = {"name": "vendor", "value": "Acme"}

    problems = mismatch(SCHEMA, {"invoice": [vendor]}, DATA)

    assert problems == [
        {"control": "invoice", "index": None, "reason": "required fields 'total' are missing"}
    ]
    assert validate(SCHEMA, {"invoice": [vendor]}, DATA, partial=True)


def test_regions_carry_their_transcription_text(validate: Validate, mismatch: Mismatch) -> None:
    regions = [_region(0, text="Total: $1,200.50"), _region(0, 20, text="")]

    normalized = validate(SCHEMA, {"layout": regions, "invoice": [TOTAL]}, DATA)["layout"]

    assert [r.get("text") for r in normalized] == ["Total: $1,200.50", ""]
    problems = mismatch(SCHEMA, {"layout": [_region(0, text=12)], "invoice": [TOTAL]}, DATA)
    assert problems[0]["reason"] == "text must be a string, got number"
