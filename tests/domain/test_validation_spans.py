"""Validating spans: code-point offsets, matching text, overlaps, document pages."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwright import errors
from labelwright.domain import describe_objects, parse_schema, validate_results

from .conftest import Mismatch, Validate

SCHEMA = parse_schema(
    """
objects:
  text: {type: text}
  doc: {type: document}
controls:
  - {name: entities, type: spans, of: text, labels: [PER, ORG], attributes: {sure: bool}}
  - {name: nested, type: spans, of: text, labels: [A, B], overlap: true}
  - {name: marks, type: spans, of: doc, labels: [KEY]}
"""
)
TEXT = "Ann works at Acme Co 👍🏽 in Zürich"
DOC = {"pages": [{"image": "p0", "text": "Invoice 42"}, {"image": "p1"}]}
DATA = {"text": TEXT, "doc": DOC}


def _span(start: int, end: int, label: str = "ORG", text: str | None = None) -> dict[str, Any]:
    return {
        "start": start,
        "end": end,
        "label": label,
        "text": TEXT[start:end] if text is None else text,
    }


def test_valid_spans_are_accepted_and_get_ids(validate: Validate) -> None:
    spans = [_span(0, 3, "PER"), {**_span(13, 20), "id": "acme", "attributes": {"sure": True}}]

    normalized = validate(SCHEMA, {"entities": spans}, DATA)["entities"]

    assert normalized[0] == {"id": normalized[0]["id"], **_span(0, 3, "PER")}
    assert len(normalized[0]["id"]) == 10
    assert normalized[1] == {"id": "acme", **_span(13, 20), "attributes": {"sure": True}}


def test_generated_ids_are_stable(validate: Validate) -> None:
    results = {"entities": [_span(0, 3, "PER")]}

    first = validate(SCHEMA, results, DATA)

    assert validate(SCHEMA, results, DATA) == first
    assert validate(SCHEMA, first, DATA) == first


def test_offsets_count_code_points_not_utf16_units(validate: Validate, mismatch: Mismatch) -> None:
    start = TEXT.index("in")  # after the emoji and its skin tone modifier
    ok = validate(SCHEMA, {"entities": [_span(start, start + 2)]}, DATA)
    # A JavaScript client counting UTF-16 units would be 2 further on.
    problems = mismatch(SCHEMA, {"entities": [_span(start + 2, start + 4, text="in")]}, DATA)

    assert ok["entities"][0]["text"] == "in"
    assert problems[0]["index"] == 0
    assert "text 'in' does not match the task text ' Z'" in problems[0]["reason"]


def test_mismatching_text_names_both_texts(mismatch: Mismatch) -> None:
    problems = mismatch(SCHEMA, {"entities": [_span(13, 20, text="Acme")]}, DATA)

    assert problems == [
        {
            "control": "entities",
            "index": 0,
            "reason": "span 13-20 text 'Acme' does not match the task text 'Acme Co'",
        }
    ]


@pytest.mark.parametrize(
    ("span", "reason"),
    [
        (_span(3, 3), "span 3-3 must have 0 <= start < end"),
        ({**_span(0, 3), "start": 5}, "span 5-3 must have 0 <= start < end"),
        ({**_span(0, 3), "start": -1}, "span -1-3 must have 0 <= start < end"),
        (_span(30, 40, text="x"), "span 30-40 ends beyond the task text, which has 33 characters"),
        ({**_span(0, 3), "start": "0"}, "start and end must be integers, got '0' and 3"),
        ({**_span(0, 3), "end": 2.5}, "start and end must be integers"),
        ({**_span(0, 3), "text": 3}, "span 0-3 text must be a string"),
        (_span(0, 3, "LOC"), "label 'LOC' is not one of the schema's labels (PER, ORG)"),
        ({**_span(0, 3), "attributes": {"sure": "yes"}}, "attribute 'sure' must be true or false"),
        ({**_span(0, 3), "attributes": {"size": 1}}, "unknown attribute 'size'; attributes: sure"),
        ({**_span(0, 3), "attributes": [1]}, "attributes must be an object, got list"),
        ({**_span(0, 3), "score": "high"}, "score must be a number"),
        ({**_span(0, 3), "id": ""}, "id must be a non-empty string"),
        ({**_span(0, 3), "id": 7}, "id must be a non-empty string"),
        ({**_span(0, 3), "page": 0}, "unknown key 'page'"),
        ({**_span(0, 3), "colour": "red"}, "unknown key 'colour'; allowed keys:"),
        ({"start": 0, "end": 3, "label": "PER"}, "missing 'text'"),
        ("Ann", "expected an object with keys start, end, text, label, got string"),
    ],
)
def test_invalid_spans_are_refused(mismatch: Mismatch, span: Any, reason: str) -> None:
    problems = mismatch(SCHEMA, {"entities": [_span(4, 9), span]}, DATA)

    assert [(p["control"], p["index"]) for p in problems] == [("entities", 1)]
    assert reason in problems[0]["reason"]


def test_spans_must_be_a_list(mismatch: Mismatch) -> None:
    problems = mismatch(SCHEMA, {"entities": _span(0, 3)}, DATA)

    assert problems == [
        {"control": "entities", "index": None, "reason": "expected a list of spans, got object"}
    ]


def test_overlapping_spans_are_refused_unless_allowed(
    validate: Validate, mismatch: Mismatch
) -> None:
    spans = [_span(4, 12, "PER"), _span(0, 9, "PER"), _span(13, 20)]

    problems = mismatch(SCHEMA, {"entities": spans}, DATA)
    nested = validate(SCHEMA, {"nested": [{**s, "label": "A"} for s in spans]}, DATA)

    assert problems == [
        {
            "control": "entities",
            "index": 1,
            "reason": "span 0-9 overlaps span 4-12 (item 0); set overlap: true on the control "
            "to allow it",
        }
    ]
    assert len(nested["nested"]) == 3


def test_touching_spans_do_not_overlap(validate: Validate) -> None:
    assert validate(SCHEMA, {"entities": [_span(0, 4), _span(4, 9)]}, DATA)


def test_document_spans_index_a_page_text_layer(validate: Validate, mismatch: Mismatch) -> None:
    ok = validate(
        SCHEMA, {"marks": [{"page": 0, "start": 8, "end": 10, "label": "KEY", "text": "42"}]}, DATA
    )
    problems = mismatch(
        SCHEMA,
        {
            "marks": [
                {"start": 0, "end": 1, "label": "KEY", "text": "I"},
                {"page": 1, "start": 0, "end": 1, "label": "KEY", "text": "I"},
                {"page": 2, "start": 0, "end": 1, "label": "KEY", "text": "I"},
            ]
        },
        DATA,
    )

    assert ok["marks"][0]["page"] == 0
    assert [(p["index"], p["reason"]) for p in problems] == [
        (0, "spans of a document need a page index, got None"),
        (1, "page 1 has no text layer to check the span against"),
        (2, "page 2 does not exist (pages: 2)"),
    ]


def test_spans_on_different_pages_do_not_overlap(validate: Validate) -> None:
    data = {
        "text": TEXT,
        "doc": {"pages": [{"image": "a", "text": "ab"}, {"image": "b", "text": "ab"}]},
    }
    marks = [{"page": p, "start": 0, "end": 2, "label": "KEY", "text": "ab"} for p in (0, 1)]

    assert len(validate(SCHEMA, {"marks": marks}, data)["marks"]) == 2


def test_spans_without_the_text_in_context_are_refused() -> None:
    with pytest.raises(errors.Invalid) as caught:
        validate_results(SCHEMA, {"entities": [_span(0, 3)]}, context={})

    assert not isinstance(caught.value, errors.SchemaMismatch)
    assert caught.value.errors[0]["object"] == "text"
    assert "Object 'text' has no data in the task context" in caught.value.message


# Text with astral emoji, skin-tone modifiers, ZWJ sequences and combining marks.
UNICODE = st.text(
    alphabet=st.sampled_from(
        [*"abc xyz", "é", "\u0301", "\u0303", "👍", "🏽", "\u200d", "👩", "中", "\n"]
    ),
    min_size=1,
    max_size=40,
)


@st.composite
def disjoint_spans(draw: st.DrawFn) -> tuple[str, list[dict[str, Any]]]:
    text = draw(UNICODE)
    cuts = sorted(draw(st.sets(st.integers(0, len(text)), min_size=2, max_size=10)))
    pairs = list(zip(cuts[::2], cuts[1::2], strict=False))
    labels = draw(
        st.lists(st.sampled_from(["PER", "ORG"]), min_size=len(pairs), max_size=len(pairs))
    )
    spans = [
        {"start": a, "end": b, "label": label, "text": text[a:b]}
        for (a, b), label in zip(pairs, labels, strict=True)
    ]
    return text, draw(st.permutations(spans))


@st.composite
def any_span(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    text = draw(UNICODE)
    start = draw(st.integers(0, len(text) - 1))
    end = draw(st.integers(start + 1, len(text)))
    return text, {"start": start, "end": end, "label": "A", "text": text[start:end]}


def _check(results: dict[str, Any], text: str) -> dict[str, Any]:
    context = describe_objects(SCHEMA, {"text": text, "doc": DOC})
    return validate_results(SCHEMA, results, context=context)


@settings(max_examples=100, deadline=None)
@given(disjoint_spans())
def test_generated_disjoint_spans_are_accepted(case: tuple[str, list[dict[str, Any]]]) -> None:
    text, spans = case

    normalized = _check({"entities": spans}, text)

    assert [{k: v for k, v in s.items() if k != "id"} for s in normalized["entities"]] == spans
    assert len({s["id"] for s in normalized["entities"]}) == len(spans)


@settings(max_examples=100, deadline=None)
@given(st.lists(any_span(), min_size=1, max_size=5))
def test_generated_overlapping_spans_are_accepted_when_allowed(
    cases: list[tuple[str, dict[str, Any]]],
) -> None:
    text = cases[0][0]
    spans = [span for t, span in cases if t == text]

    assert len(_check({"nested": spans}, text)["nested"]) == len(spans)


@settings(max_examples=100, deadline=None)
@given(any_span(), st.integers(1, 5))
def test_span_ending_past_the_text_is_refused(case: tuple[str, dict[str, Any]], extra: int) -> None:
    text, span = case
    moved = {**span, "end": len(text) + extra}

    with pytest.raises(errors.SchemaMismatch) as caught:
        _check({"nested": [moved]}, text)

    assert "ends beyond the task text" in caught.value.errors[0]["reason"]


@settings(max_examples=100, deadline=None)
@given(any_span(), st.sampled_from(["x", "\u0301", "👍", " "]), st.booleans())
def test_span_with_altered_text_is_refused(
    case: tuple[str, dict[str, Any]], char: str, prepend: bool
) -> None:
    text, span = case
    altered = {**span, "text": char + span["text"] if prepend else span["text"][:-1]}

    with pytest.raises(errors.SchemaMismatch) as caught:
        _check({"nested": [altered]}, text)

    assert "does not match the task text" in caught.value.errors[0]["reason"]
