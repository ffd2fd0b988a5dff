"""Validating whole-object values: choice, choices, rating, rubric, number, textarea; and the
rules every result follows (unknown controls, required controls, predictions)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwright import errors
from labelwright.domain import describe_objects, parse_schema, validate_results
from labelwright.domain.values.classification import rubric_ratings

from .conftest import Mismatch, Validate

SCHEMA = parse_schema(
    """
objects:
  text: {type: text}
controls:
  - {name: sentiment, type: choice, of: text, options: [positive, negative], required: true}
  - {name: topics, type: choices, of: text, options: [sports, news, tech]}
  - {name: stars, type: rating, of: text, min: 1, max: 5}
  - name: grade
    type: rubric
    of: text
    criteria: [{name: clarity, min: 1, max: 5}, {name: accuracy, min: 0, max: 3}]
  - {name: price, type: number, of: text, min: 0, max: 100}
  - {name: count, type: number, of: text, integer: true}
  - {name: anything, type: number, of: text}
  - {name: notes, type: textarea, of: text, max_length: 5}
"""
)
DATA = {"text": "hello"}
BASE = {"sentiment": "positive"}


def test_valid_values_are_accepted_and_normalized(validate: Validate) -> None:
    results = {
        "anything": -1e300,
        "notes": "short",
        "sentiment": "negative",
        "topics": ["news", "sports"],
        "stars": 5,
        "grade": {"accuracy": 0, "clarity": 4},
        "price": 99.5,
        "count": 3.0,
    }

    normalized = validate(SCHEMA, results, DATA)

    assert list(normalized) == [c.name for c in SCHEMA.controls]  # schema order
    assert normalized["grade"] == {"clarity": 4, "accuracy": 0}  # criteria order
    assert normalized["count"] == 3 and isinstance(normalized["count"], int)
    assert normalized["price"] == 99.5
    assert normalized["topics"] == ["news", "sports"]


def test_null_values_of_optional_controls_are_dropped(validate: Validate) -> None:
    normalized = validate(SCHEMA, {**BASE, "topics": None, "notes": None}, DATA)

    assert normalized == BASE


def test_empty_lists_are_kept(validate: Validate) -> None:
    assert validate(SCHEMA, {**BASE, "topics": []}, DATA) == {**BASE, "topics": []}


def test_unknown_control_is_refused_with_the_known_names(mismatch: Mismatch) -> None:
    problems = mismatch(SCHEMA, {**BASE, "sentimnet": "positive"}, DATA)

    assert problems == [
        {
            "control": "sentimnet",
            "index": None,
            "reason": "unknown control; the schema's controls are sentiment, topics, stars, "
            "grade, price, count, anything, notes",
        }
    ]


@pytest.mark.parametrize("missing", [None, "", "   ", [], {}])
def test_required_control_without_value_is_refused(mismatch: Mismatch, missing: Any) -> None:
    results = {} if missing is None else {"sentiment": missing}

    problems = mismatch(SCHEMA, results, DATA)

    assert problems[0] == {"control": "sentiment", "index": None, "reason": "a value is required"}


def test_predictions_may_leave_required_controls_out(validate: Validate) -> None:
    assert validate(SCHEMA, {"stars": 3}, DATA, partial=True) == {"stars": 3}


def test_results_must_be_a_mapping() -> None:
    with pytest.raises(errors.SchemaMismatch, match="results must map control names to values"):
        validate_results(SCHEMA, ["positive"], context={})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("control", "value", "index", "reason"),
    [
        ("sentiment", "neutral", None, "option 'neutral' is not one of the schema's options"),
        ("sentiment", 1, None, "option 1 is not one of the schema's options (positive, negative)"),
        ("sentiment", ["positive"], None, "is not one of the schema's options"),
        ("topics", "news", None, "expected a list of options, got string"),
        ("topics", ["news", "cooking"], 1, "option 'cooking' is not one of the schema's options"),
        ("topics", ["news", "news"], 1, "option 'news' is chosen more than once"),
        ("stars", 6, None, "rating 6 is outside 1..5"),
        ("stars", 0, None, "rating 0 is outside 1..5"),
        ("stars", 2.5, None, "rating must be an integer, got 2.5"),
        ("stars", True, None, "rating must be an integer, got True"),
        ("stars", "4", None, "rating must be an integer, got '4'"),
        ("grade", 4, None, "expected an object of criterion ratings, got number"),
        ("grade", {"clarity": 4}, None, "criteria 'accuracy' are not rated"),
        (
            "grade",
            {"clarity": 4, "accuracy": 1, "style": 2},
            None,
            "unknown criterion 'style'; criteria: clarity, accuracy",
        ),
        ("grade", {"clarity": 4, "accuracy": 4}, None, "criterion 'accuracy' 4 is outside 0..3"),
        ("price", -0.5, None, "-0.5 is below the minimum 0"),
        ("price", 100.5, None, "100.5 is above the maximum 100"),
        ("price", "12", None, "expected a number, got '12'"),
        ("price", float("nan"), None, "expected a number, got nan"),
        ("price", False, None, "expected a number, got False"),
        ("count", 2.5, None, "expected an integer, got 2.5"),
        ("notes", "too long", None, "text has 8 characters, more than the maximum 5"),
        ("notes", 5, None, "expected text, got number"),
    ],
)
def test_invalid_values_are_refused(
    mismatch: Mismatch, control: str, value: Any, index: int | None, reason: str
) -> None:
    problems = mismatch(SCHEMA, {**BASE, control: value}, DATA)

    assert len(problems) == 1, problems
    assert problems[0]["control"] == control
    assert problems[0]["index"] == index
    assert reason in problems[0]["reason"]


def test_predictions_may_rate_part_of_a_rubric(validate: Validate) -> None:
    assert validate(SCHEMA, {"grade": {"clarity": 1}}, DATA, partial=True) == {
        "grade": {"clarity": 1}
    }


def test_textarea_counts_code_points_not_bytes(validate: Validate) -> None:
    text = "\U0001f44d\U0001f3fde\u0301a"  # thumbs up, skin tone, e, combining acute, a

    assert validate(SCHEMA, {**BASE, "notes": text}, DATA)["notes"] == text


def test_every_problem_is_collected_in_one_error(mismatch: Mismatch) -> None:
    problems = mismatch(
        SCHEMA,
        {"topics": ["x", "y"], "stars": 9, "notes": "far too long", "extra": 1},
        DATA,
    )

    assert [(p["control"], p["index"]) for p in problems] == [
        ("extra", None),
        ("sentiment", None),
        ("topics", 0),
        ("topics", 1),
        ("stars", None),
        ("notes", None),
    ]


def test_message_reads_as_sentences() -> None:
    with pytest.raises(errors.SchemaMismatch) as caught:
        validate_results(SCHEMA, {**BASE, "topics": ["x"]}, context={})

    assert caught.value.message == (
        "Control 'topics': item 0: option 'x' is not one of the schema's options "
        "(sports, news, tech)."
    )


def test_long_problem_lists_are_shortened_in_the_message() -> None:
    with pytest.raises(errors.SchemaMismatch) as caught:
        validate_results(SCHEMA, {**BASE, "topics": ["x"] * 25}, context={})

    assert len(caught.value.errors) == 25
    assert caught.value.message.endswith("And 5 more problems.")


# A rubric of a `responses` object rates every response on every criterion.

RESPONSES_SCHEMA = parse_schema(
    """
objects:
  answers: {type: responses}
  text: {type: text}
controls:
  - name: quality
    type: rubric
    of: answers
    criteria: [{name: helpful, min: 1, max: 5}, {name: safe, min: 0, max: 2}]
  - {name: grade, type: rubric, of: text, criteria: [{name: clarity}]}
"""
)
RESPONSE_IDS = ["r1", "r2", "r3"]
RESPONSES_DATA = {
    "answers": [{"id": rid, "text": rid.upper()} for rid in RESPONSE_IDS],
    "text": "hello",
}


def test_rubric_of_responses_rates_each_response_in_task_and_criteria_order(
    validate: Validate,
) -> None:
    value = {
        "r3": {"safe": 2, "helpful": 1},
        "r1": {"helpful": 5, "safe": 0},
        "r2": {"safe": 1, "helpful": 3},
    }

    normalized = validate(RESPONSES_SCHEMA, {"quality": value}, RESPONSES_DATA)

    assert list(normalized["quality"].items()) == [
        ("r1", {"helpful": 5, "safe": 0}),
        ("r2", {"helpful": 3, "safe": 1}),
        ("r3", {"helpful": 1, "safe": 2}),
    ]
    assert [list(v) for v in normalized["quality"].values()] == [["helpful", "safe"]] * 3


def test_rubric_of_another_object_keeps_the_flat_shape(
    validate: Validate, mismatch: Mismatch
) -> None:
    assert validate(RESPONSES_SCHEMA, {"grade": {"clarity": 2}}, RESPONSES_DATA) == {
        "grade": {"clarity": 2}
    }
    problems = mismatch(RESPONSES_SCHEMA, {"grade": {"r1": {"clarity": 2}}}, RESPONSES_DATA)

    assert [p["reason"] for p in problems] == [
        "unknown criterion 'r1'; criteria: clarity",
        "criteria 'clarity' are not rated",
    ]


_FULL = {rid: {"helpful": 3, "safe": 1} for rid in RESPONSE_IDS}


@pytest.mark.parametrize(
    ("value", "reasons"),
    [
        (
            {"helpful": 3, "safe": 1},
            [
                "object 'answers' holds responses, so the rubric rates each one: expected "
                "{response id: {criterion: rating}}"
            ],
        ),
        (4, ["expected an object of criterion ratings per response, got number"]),
        ({"r1": _FULL["r1"], "r2": _FULL["r2"]}, ["responses 'r3' are not rated"]),
        ({**_FULL, "r9": {"helpful": 1, "safe": 1}}, ["'r9' is not a response id of the task"]),
        ({**_FULL, "r2": {"helpful": 3}}, ["response 'r2': criteria 'safe' are not rated"]),
        (
            {**_FULL, "r2": {"helpful": 3, "safe": 3}},
            ["response 'r2': criterion 'safe' 3 is outside 0..2"],
        ),
        (
            {**_FULL, "r1": {"helpful": 3, "safe": 1, "tone": 2}},
            ["response 'r1': unknown criterion 'tone'; criteria: helpful, safe"],
        ),
        (
            {**_FULL, "r3": [3, 1]},
            ["response 'r3': expected an object of criterion ratings, got list"],
        ),
    ],
)
def test_invalid_rubrics_of_responses_are_refused(
    mismatch: Mismatch, value: Any, reasons: list[str]
) -> None:
    problems = mismatch(RESPONSES_SCHEMA, {"quality": value}, RESPONSES_DATA)

    assert [(p["control"], p["index"], p["reason"]) for p in problems] == [
        ("quality", None, reason) for reason in reasons
    ]


def test_predictions_may_rate_some_responses_on_some_criteria(validate: Validate) -> None:
    value = {"r2": {"safe": 2}}

    assert validate(RESPONSES_SCHEMA, {"quality": value}, RESPONSES_DATA, partial=True) == {
        "quality": value
    }


def test_rubric_of_responses_without_known_responses_keeps_the_given_ids() -> None:
    value = {"b": {"helpful": 2, "safe": 0}, "a": {"safe": 1, "helpful": 4}}

    normalized = validate_results(RESPONSES_SCHEMA, {"quality": value}, context={})

    assert list(normalized["quality"].items()) == [
        ("b", {"helpful": 2, "safe": 0}),
        ("a", {"helpful": 4, "safe": 1}),
    ]


@st.composite
def _per_response_rubrics(draw: st.DrawFn) -> dict[str, dict[str, int]]:
    ids = draw(st.permutations(RESPONSE_IDS))
    return {
        rid: draw(st.fixed_dictionaries({"safe": st.integers(0, 2), "helpful": st.integers(1, 5)}))
        for rid in ids
    }


@settings(max_examples=100, deadline=None)
@given(_per_response_rubrics())
def test_any_complete_rubric_of_responses_is_accepted_unchanged_up_to_order(
    value: dict[str, dict[str, int]],
) -> None:
    parsed = describe_objects(RESPONSES_SCHEMA, RESPONSES_DATA)

    normalized = validate_results(RESPONSES_SCHEMA, {"quality": value}, context=parsed)["quality"]

    assert normalized == value
    assert list(normalized) == RESPONSE_IDS
    assert rubric_ratings(normalized) == {
        (rid, name): score for rid, ratings in value.items() for name, score in ratings.items()
    }
    # normalizing is idempotent
    assert validate_results(RESPONSES_SCHEMA, {"quality": normalized}, context=parsed) == {
        "quality": normalized
    }


def test_rubric_ratings_reads_both_shapes() -> None:
    assert rubric_ratings({"clarity": 4, "accuracy": 1}) == {
        (None, "clarity"): 4,
        (None, "accuracy"): 1,
    }
    assert rubric_ratings({"r1": {"clarity": 4}, "r2": {"clarity": 2, "accuracy": 0}}) == {
        ("r1", "clarity"): 4,
        ("r2", "clarity"): 2,
        ("r2", "accuracy"): 0,
    }
