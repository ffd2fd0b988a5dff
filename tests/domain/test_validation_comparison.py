"""Validating comparisons of model responses: pairwise preferences and rankings."""

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
  pair: {type: responses}
  many: {type: responses}
controls:
  - {name: prefer, type: pairwise, of: pair}
  - {name: order, type: ranking, of: many}
  - {name: strict, type: ranking, of: many, allow_ties: false}
  - {name: wrong_pair, type: pairwise, of: many}
"""
)
IDS = ["r1", "r2", "r3", "r4"]
DATA = {
    "pair": [{"id": "a1", "text": "A"}, {"id": "b1", "text": "B"}],
    "many": [{"id": rid, "text": rid.upper()} for rid in IDS],
}


@pytest.mark.parametrize(
    "value",
    [
        {"choice": "a"},
        {"choice": "b", "strength": 3, "reason": "more precise"},
        {"choice": "tie", "reason": ""},
        {"choice": "a", "strength": 1.0},
    ],
)
def test_valid_pairwise_values_are_accepted(validate: Validate, value: dict[str, Any]) -> None:
    normalized = validate(SCHEMA, {"prefer": value}, DATA)["prefer"]

    assert normalized["choice"] == value["choice"]
    assert normalized.get("strength") == (int(value["strength"]) if "strength" in value else None)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ({"choice": "c"}, "choice must be 'a', 'b' or 'tie', got 'c'"),
        ({"choice": "A"}, "choice must be 'a', 'b' or 'tie', got 'A'"),
        ({"choice": "a", "strength": 4}, "strength must be 1, 2 or 3, got 4"),
        ({"choice": "a", "strength": 0.5}, "strength must be 1, 2 or 3, got 0.5"),
        ({"choice": "tie", "strength": 2}, "a tie has no strength"),
        ({"choice": "a", "reason": 5}, "reason must be a string, got number"),
        ({"choice": "a", "why": "x"}, "unknown key 'why'"),
        ({}, "missing 'choice'"),
        ("a", "expected an object with keys choice, got string"),
    ],
)
def test_invalid_pairwise_values_are_refused(mismatch: Mismatch, value: Any, reason: str) -> None:
    problems = mismatch(SCHEMA, {"prefer": value}, DATA)

    assert [(p["control"], p["index"]) for p in problems] == [("prefer", None)]
    assert reason in problems[0]["reason"]


def test_pairwise_needs_exactly_two_responses(mismatch: Mismatch) -> None:
    problems = mismatch(SCHEMA, {"wrong_pair": {"choice": "a"}}, DATA)

    assert problems[0]["reason"] == "pairwise needs exactly 2 responses, the task has 4"


@pytest.mark.parametrize(
    ("ranking", "normalized"),
    [
        (["r4", "r3", "r2", "r1"], ["r4", "r3", "r2", "r1"]),
        (["r2", ["r1", "r3"], "r4"], ["r2", ["r1", "r3"], "r4"]),
        ([["r1", "r2", "r3", "r4"]], [["r1", "r2", "r3", "r4"]]),
        ([["r1"], "r2", ("r3", "r4")], ["r1", "r2", ["r3", "r4"]]),
    ],
)
def test_valid_rankings_are_accepted(
    validate: Validate, ranking: list[Any], normalized: list[Any]
) -> None:
    assert validate(SCHEMA, {"order": ranking}, DATA)["order"] == normalized


@pytest.mark.parametrize(
    ("control", "ranking", "problems"),
    [
        ("order", ["r1", "r2", "r3"], [(None, "responses 'r4' are not ranked")]),
        ("order", ["r1", "r2", "r3", "r4", "r1"], [(4, "response 'r1' is ranked more than once")]),
        ("order", ["r1", "r2", "r3", "r4", "r9"], [(4, "'r9' is not a response id of the task")]),
        (
            "order",
            ["r1", ["r2", "r2"], "r3", "r4"],
            [(1, "response 'r2' is ranked more than once")],
        ),
        ("order", ["r1", [], "r2", "r3", "r4"], [(1, "a tie group must not be empty")]),
        (
            "order",
            ["r1", 2, "r3", "r4"],
            [(1, "expected a response id, got number"), (None, "responses 'r2' are not ranked")],
        ),
        (
            "order",
            ["r1", ["r2", ["r3"]], "r4"],
            [(1, "expected a response id, got list"), (None, "responses 'r3' are not ranked")],
        ),
        ("order", "r1", [(None, "expected a list of response ids, got string")]),
        (
            "strict",
            ["r1", ["r2", "r3"], "r4"],
            [(1, "tie groups are not allowed; set allow_ties: true on the control")],
        ),
    ],
)
def test_invalid_rankings_are_refused(
    mismatch: Mismatch, control: str, ranking: Any, problems: list[tuple[int | None, str]]
) -> None:
    found = mismatch(SCHEMA, {control: ranking}, DATA)

    assert [(p["control"], p["index"], p["reason"]) for p in found] == [
        (control, index, reason) for index, reason in problems
    ]


def test_ranking_without_the_responses_in_context_is_refused() -> None:
    with pytest.raises(errors.Invalid, match="Object 'many' has no data in the task context"):
        validate_results(SCHEMA, {"order": IDS}, context={})


@st.composite
def tied_rankings(draw: st.DrawFn) -> list[Any]:
    ids = draw(st.permutations(IDS))
    ranking: list[Any] = []
    position = 0
    while position < len(ids):
        size = draw(st.integers(1, len(ids) - position))
        group = list(ids[position : position + size])
        ranking.append(group if size > 1 or draw(st.booleans()) else group[0])
        position += size
    return ranking


def _rank(control: str, ranking: list[Any]) -> Any:
    return validate_results(SCHEMA, {control: ranking}, context=describe_objects(SCHEMA, DATA))[
        control
    ]


@settings(max_examples=100, deadline=None)
@given(tied_rankings())
def test_generated_rankings_with_ties_are_accepted(ranking: list[Any]) -> None:
    normalized = _rank("order", ranking)

    flat = [rid for entry in normalized for rid in (entry if isinstance(entry, list) else [entry])]
    assert sorted(flat) == IDS


@settings(max_examples=100, deadline=None)
@given(st.permutations(IDS))
def test_generated_permutations_are_accepted_without_ties(ranking: list[str]) -> None:
    assert _rank("strict", ranking) == ranking


@settings(max_examples=100, deadline=None)
@given(tied_rankings(), st.data())
def test_generated_rankings_missing_an_id_are_refused(
    ranking: list[Any], data: st.DataObject
) -> None:
    dropped = data.draw(st.sampled_from(IDS))
    shortened = [
        [rid for rid in entry if rid != dropped] if isinstance(entry, list) else entry
        for entry in ranking
        if entry != dropped
    ]
    shortened = [entry for entry in shortened if entry != []]

    with pytest.raises(errors.SchemaMismatch) as caught:
        _rank("order", shortened)

    assert caught.value.errors == [
        {"control": "order", "index": None, "reason": f"responses '{dropped}' are not ranked"}
    ]


# Named buckets (Label Studio's Ranker): place i is bucket i, then one optional "no bucket" place.
BUCKETS = parse_schema(
    """
objects:
  many: {type: responses}
controls:
  - {name: sorted, type: ranking, of: many, buckets: [good, ok, bad]}
  - {name: plain, type: ranking, of: many}
"""
)


@pytest.mark.parametrize(
    ("ranking", "normalized"),
    [
        (["r1", ["r2", "r3"], "r4"], ["r1", ["r2", "r3"], "r4"]),
        ([["r1", "r2"], [], ["r3"], ["r4"]], [["r1", "r2"], [], "r3", "r4"]),
        ([[], [], [], IDS], [[], [], [], IDS]),
        ([IDS, [], [], []], [IDS, [], []]),  # an empty "no bucket" place is dropped
    ],
)
def test_bucketed_rankings_keep_one_place_per_bucket(
    validate: Validate, ranking: list[Any], normalized: list[Any]
) -> None:
    assert validate(BUCKETS, {"sorted": ranking}, DATA)["sorted"] == normalized


@pytest.mark.parametrize(
    ("ranking", "reason"),
    [
        (["r1", "r2", "r3", "r4", []], "got 5 places"),
        ([IDS, []], "got 2 places"),
    ],
)
def test_bucketed_rankings_with_another_number_of_places_are_refused(
    mismatch: Mismatch, ranking: list[Any], reason: str
) -> None:
    [problem] = mismatch(BUCKETS, {"sorted": ranking}, DATA)

    assert problem["reason"] == (
        "expected one place per bucket ('good', 'ok', 'bad'), optionally followed by one for the "
        f"responses in no bucket; {reason}"
    )


def test_empty_groups_stay_refused_without_buckets(mismatch: Mismatch) -> None:
    [problem] = mismatch(BUCKETS, {"plain": [IDS, []]}, DATA)

    assert (problem["index"], problem["reason"]) == (1, "a tie group must not be empty")


@pytest.mark.parametrize(
    ("control", "message"),
    [
        ({"buckets": ["a", "a"]}, "'a' is listed more than once"),
        ({"buckets": []}, "the list must not be empty"),
        ({"buckets": ["a"], "allow_ties": False}, "buckets are tie groups"),
    ],
)
def test_bad_buckets_are_refused(control: dict[str, Any], message: str) -> None:
    spec = {"name": "r", "type": "ranking", "of": "many"} | control
    with pytest.raises(errors.Invalid, match=message):
        parse_schema({"objects": {"many": {"type": "responses"}}, "controls": [spec]})


@settings(max_examples=100, deadline=None)
@given(st.permutations(IDS), st.lists(st.integers(0, 3), min_size=4, max_size=4), st.booleans())
def test_any_assignment_to_buckets_is_accepted_with_its_places(
    order: list[str], places: list[int], unplaced_last: bool
) -> None:
    """Place 3 is the "no bucket" place; buckets keep their places even when empty."""
    ranking: list[Any] = [
        [rid for rid, p in zip(order, places, strict=True) if p == i] for i in range(4)
    ]
    if not unplaced_last and not ranking[3]:
        ranking.pop()
    normalized = validate_results(
        BUCKETS, {"sorted": ranking}, context=describe_objects(BUCKETS, DATA)
    )["sorted"]

    expected = [group if len(group) != 1 else group[0] for group in ranking]
    if len(expected) == 4 and expected[3] == []:
        expected.pop()
    assert normalized == expected
