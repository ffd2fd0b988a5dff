"""A `responses` object whose responses sit under several data keys (`values`), one each."""

from __future__ import annotations

import string
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwright import errors
from labelwright.domain import describe_objects, parse_schema, validate_results
from labelwright.domain.context import Response, read_responses

from .conftest import Mismatch, Validate

SCHEMA = parse_schema(
    """
objects:
  prompt: {type: text}
  pair: {type: responses, values: [answer1, answer2]}
  trio: {type: responses, values: [x, y, z]}
controls:
  - {name: prefer, type: pairwise, of: pair}
  - {name: order, type: ranking, of: trio}
  - {name: wrong_pair, type: pairwise, of: trio}
"""
)
DATA = {"prompt": "2 + 2?", "answer1": "5", "answer2": "4", "x": "X", "y": "Y", "z": "Z"}


def test_values_give_one_response_per_data_key_with_the_key_as_id() -> None:
    context = describe_objects(SCHEMA, DATA)

    assert context["pair"].response_ids == ("answer1", "answer2")
    assert context["trio"].response_ids == ("x", "y", "z")
    assert read_responses(SCHEMA, "pair", DATA) == (
        Response("answer1", "5"),
        Response("answer2", "4"),
    )


def test_the_schema_keeps_values_in_its_canonical_json() -> None:
    pair = SCHEMA.to_json()["objects"]["pair"]

    assert pair == {"type": "responses", "values": ["answer1", "answer2"]}
    assert parse_schema(SCHEMA.to_json()) == SCHEMA


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"type": "responses", "values": ["a"]}, "list at least 2 data keys, one per response"),
        ({"type": "responses", "values": ["a", "b", "a"]}, "data key 'a' is listed more than once"),
        ({"type": "responses", "values": ["a", ""]}, "values[1]: string should have at least 1"),
        (
            {"type": "responses", "values": ["a", "b"], "value": "c"},
            "give either 'value' (one data key holding a list of responses) or 'values'",
        ),
        ({"type": "text", "values": ["a", "b"]}, "unknown option 'values'"),
    ],
)
def test_bad_values_are_refused(spec: dict[str, Any], message: str) -> None:
    with pytest.raises(errors.Invalid) as refused:
        parse_schema(
            {"objects": {"r": spec}, "controls": [{"name": "c", "type": "rating", "of": "r"}]}
        )

    assert message in refused.value.message


def test_pairwise_over_values_uses_the_first_key_as_a() -> None:
    results = {"prefer": {"choice": "b", "strength": 2}, "order": ["z", ["x", "y"]]}

    normalized = validate_results(SCHEMA, results, context=describe_objects(SCHEMA, DATA))

    assert normalized == results


def test_pairwise_over_three_values_is_refused(mismatch: Mismatch) -> None:
    problems = mismatch(SCHEMA, {"wrong_pair": {"choice": "a"}}, DATA)

    assert problems == [
        {
            "control": "wrong_pair",
            "index": None,
            "reason": "pairwise needs exactly 2 responses, the task has 3",
        }
    ]


def test_ranking_over_values_names_unknown_and_missing_keys(mismatch: Mismatch) -> None:
    problems = mismatch(SCHEMA, {"order": ["x", "answer1"]}, DATA)

    assert [p["reason"] for p in problems] == [
        "'answer1' is not a response id of the task",
        "responses 'y', 'z' are not ranked",
    ]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ({"x": "X", "z": "Z"}, "the task data has no response under 'y'"),
        ({"x": "X", "y": None, "z": 3}, "the task data has no response under 'y'"),
        ({"x": "X", "y": ["Y"], "z": "Z"}, "the response under 'y' must be a string, got list"),
    ],
)
def test_a_missing_or_malformed_response_key_is_refused(data: dict[str, Any], reason: str) -> None:
    with pytest.raises(errors.Invalid) as refused:
        describe_objects(SCHEMA, {"answer1": "a", "answer2": "b", **data})

    assert refused.value.errors == [{"object": "trio", "key": "x, y, z", "reason": reason}]
    assert refused.value.message == f"Object 'trio' (task data key 'x, y, z'): {reason}."
    with pytest.raises(errors.Invalid, match="Object 'trio'"):
        read_responses(SCHEMA, "trio", data)


def test_no_response_key_at_all_is_missing_data_that_validation_needs() -> None:
    with pytest.raises(errors.Invalid) as refused:
        describe_objects(SCHEMA, {"answer1": "a", "answer2": "b"})

    assert refused.value.errors == [
        {
            "object": "trio",
            "key": "x, y, z",
            "reason": "the task data has no value; control 'order' needs it",
        }
    ]
    assert read_responses(SCHEMA, "trio", {}) is None


def test_an_unlabeled_values_object_may_be_absent(validate: Validate) -> None:
    schema = parse_schema(
        {
            "objects": {"q": {"type": "text"}, "pair": {"type": "responses", "values": ["a", "b"]}},
            "controls": [{"name": "note", "type": "textarea", "of": "q"}],
        }
    )

    assert describe_objects(schema, {"q": "hi"})["pair"].present is False
    assert validate(schema, {"note": "ok"}, {"q": "hi"}) == {"note": "ok"}


KEYS = st.lists(
    st.text(string.ascii_letters + string.digits + "_ ,.-", min_size=1, max_size=12),
    min_size=2,
    max_size=6,
    unique=True,
)


@settings(max_examples=100, deadline=None)
@given(KEYS, st.data())
def test_any_keys_give_their_responses_in_order_and_any_permutation_ranks(
    keys: list[str], data: st.DataObject
) -> None:
    schema = parse_schema(
        {
            "objects": {"many": {"type": "responses", "values": keys}},
            "controls": [{"name": "order", "type": "ranking", "of": "many"}],
        }
    )
    texts = data.draw(st.lists(st.text(max_size=20), min_size=len(keys), max_size=len(keys)))
    task = dict(zip(keys, texts, strict=True))
    ranking = data.draw(st.permutations(keys))

    assert read_responses(schema, "many", task) == tuple(
        Response(key, text) for key, text in zip(keys, texts, strict=True)
    )
    context = describe_objects(schema, task)
    assert context["many"].response_ids == tuple(keys)
    assert validate_results(schema, {"order": ranking}, context=context) == {"order": ranking}
