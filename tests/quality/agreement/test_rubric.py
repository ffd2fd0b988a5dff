"""Rubric agreement, consensus and gold scores, for flat rubrics and rubrics of responses.

A rubric of a `responses` object rates each response on each criterion
(`{response_id: {criterion: rating}}`); each (task, response) is its own unit of agreement.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwright.domain import parse_schema
from labelwright.domain.controls import RubricControl
from labelwright.quality.aggregation.consensus import consensus_results
from labelwright.quality.agreement import control_agreement, value_similarity
from labelwright.quality.agreement.controls import rubric_units
from labelwright.quality.gold_scoring import score_gold_answer
from labelwright.quality.increments import TaskInputs, task_contribution
from labelwright.quality.totals import control_totals

SCHEMA = parse_schema(
    {
        "objects": {"answers": {"type": "responses"}, "text": {"type": "text"}},
        "controls": [
            {
                "name": "quality",
                "type": "rubric",
                "of": "answers",
                "criteria": [{"name": "helpful"}, {"name": "safe", "min": 0, "max": 2}],
            },
            {
                "name": "flat",
                "type": "rubric",
                "of": "text",
                "criteria": [{"name": "helpful"}, {"name": "safe", "min": 0, "max": 2}],
            },
        ],
    }
)
PER_RESPONSE = SCHEMA.control("quality")
FLAT = SCHEMA.control("flat")
assert isinstance(PER_RESPONSE, RubricControl) and isinstance(FLAT, RubricControl)
IDS = ("r1", "r2", "r3")


def test_similarity_is_the_mean_over_responses_and_criteria() -> None:
    a = {"r1": {"helpful": 5, "safe": 2}, "r2": {"helpful": 1, "safe": 0}}
    b = {"r1": {"helpful": 4, "safe": 2}, "r2": {"helpful": 1, "safe": 2}}

    # r1: 1 - 1/4, 1; r2: 1, 1 - 2/2
    assert value_similarity(PER_RESPONSE, a, b) == pytest.approx((0.75 + 1 + 1 + 0) / 4)
    assert value_similarity(PER_RESPONSE, a, a) == 1.0


def test_a_response_rated_by_one_side_only_counts_as_disagreement() -> None:
    a = {"r1": {"helpful": 5, "safe": 2}, "r2": {"helpful": 1, "safe": 0}}
    b = {"r1": {"helpful": 5, "safe": 2}}

    assert value_similarity(PER_RESPONSE, a, b) == pytest.approx(0.5)
    assert value_similarity(PER_RESPONSE, b, a) == pytest.approx(0.5)


def test_flat_rubric_similarity_is_unchanged() -> None:
    assert value_similarity(FLAT, {"helpful": 5, "safe": 0}, {"helpful": 1, "safe": 0}) == 0.5
    assert value_similarity(FLAT, {"helpful": 5}, {"helpful": 5, "safe": 1}) == 0.5


def test_each_response_is_a_unit_of_its_own() -> None:
    values = [
        {"r1": {"helpful": 4, "safe": 1}, "r2": {"helpful": 2, "safe": 1}},
        {"r1": {"helpful": 5, "safe": 1}, "r2": {"helpful": 2}},
    ]

    assert rubric_units(values, "helpful") == [[4, 5], [2, 2]]
    assert rubric_units(values, "safe") == [[1, 1], [1]]
    assert rubric_units([{"helpful": 3}, {"helpful": 1}], "helpful") == [[3, 1]]


@st.composite
def per_response_items(draw: st.DrawFn) -> list[list[dict[str, dict[str, int]]]]:
    """Items of 2-4 annotators each rating every response of the item on both criteria."""
    n_items = draw(st.integers(1, 5))
    items = []
    for _ in range(n_items):
        ids = IDS[: draw(st.integers(1, len(IDS)))]
        annotators = draw(st.integers(2, 4))
        items.append(
            [
                {
                    rid: {"helpful": draw(st.integers(1, 5)), "safe": draw(st.integers(0, 2))}
                    for rid in ids
                }
                for _ in range(annotators)
            ]
        )
    return items


def _as_flat_items(items: list[list[dict[str, Any]]]) -> list[list[dict[str, Any]]]:
    """The same ratings with each (item, response) as a flat-rubric item of its own."""
    return [
        [value[rid] for value in item]
        for item in items
        for rid in dict.fromkeys(r for value in item for r in value)
    ]


@settings(settings.get_profile("quality"))
@given(per_response_items())
def test_per_criterion_alpha_treats_each_response_as_an_item(
    items: list[list[dict[str, Any]]],
) -> None:
    nested = control_agreement(PER_RESPONSE, items)
    flat = control_agreement(FLAT, _as_flat_items(items))

    assert nested.metric == "mean_criterion_alpha"
    assert nested.details == pytest.approx(flat.details)
    if flat.value is None:
        assert nested.value is None
    else:
        assert nested.value == pytest.approx(flat.value)
    assert nested.n_items == len(items)


@settings(settings.get_profile("quality"))
@given(per_response_items(), st.randoms(use_true_random=False))
def test_rubric_agreement_does_not_depend_on_order(
    items: list[list[dict[str, Any]]], rng: random.Random
) -> None:
    shuffled = [rng.sample(item, len(item)) for item in items]
    shuffled = rng.sample(shuffled, len(shuffled))
    # the order of responses within a value does not matter either
    shuffled = [[dict(reversed(list(v.items()))) for v in item] for item in shuffled]

    forward = control_agreement(PER_RESPONSE, items)
    backward = control_agreement(PER_RESPONSE, shuffled)

    assert backward.details == pytest.approx(forward.details)
    assert (backward.value is None) == (forward.value is None)
    if forward.value is not None:
        assert backward.value == pytest.approx(forward.value)
        assert -1.0 <= forward.value <= 1.0
    assert backward.mean_pairwise == pytest.approx(forward.mean_pairwise)


def test_identical_ratings_agree_perfectly() -> None:
    a = {"r1": {"helpful": 5, "safe": 2}, "r2": {"helpful": 1, "safe": 0}}
    b = {"r1": {"helpful": 2, "safe": 1}, "r2": {"helpful": 3, "safe": 2}}

    result = control_agreement(PER_RESPONSE, [[a, a, a], [b, b]])

    assert result.value == 1.0 and result.mean_pairwise == 1.0
    assert result.details == {"alpha:helpful": 1.0, "alpha:safe": 1.0}


def test_disagreeing_on_one_response_lowers_only_its_criterion() -> None:
    items = [
        [{"r1": {"helpful": 5, "safe": 2}}, {"r1": {"helpful": 1, "safe": 2}}],
        [{"r1": {"helpful": 3, "safe": 0}, "r2": {"helpful": 3, "safe": 1}}] * 2,
    ]

    result = control_agreement(PER_RESPONSE, items)

    assert result.details["alpha:safe"] == 1.0
    assert result.details["alpha:helpful"] < 0.5
    assert result.item_scores[0] == pytest.approx((0 + 1) / 2)
    assert result.item_scores[1] == 1.0


@dataclass(frozen=True)
class _Record:
    id: int
    task_id: int
    author_id: int | None
    results: dict[str, Any]
    created_at: datetime = field(default_factory=lambda: datetime(2024, 5, 1, tzinfo=UTC))
    lead_time_ms: int | None = None


@settings(settings.get_profile("quality"))
@given(per_response_items())
def test_incremental_sums_give_the_same_rubric_agreement(
    items: list[list[dict[str, Any]]],
) -> None:
    sums: defaultdict[str, float] = defaultdict(float)
    serial = 0
    for task_id, item in enumerate(items):
        records = []
        for author, value in enumerate(item):
            serial += 1
            records.append(_Record(serial, task_id, author, {"quality": value}))
        contribution = task_contribution(SCHEMA, TaskInputs(task_id, records))
        for (area, scope, key), amount in contribution.sums.items():
            if (area, scope) == ("c", "quality"):
                sums[key] += amount

    total = control_totals(PER_RESPONSE, sums)
    whole = control_agreement(PER_RESPONSE, items)

    assert total.details == pytest.approx(whole.details)
    assert (total.value is None) == (whole.value is None)
    if whole.value is not None:
        assert total.value == pytest.approx(whole.value)
    assert total.mean_pairwise == pytest.approx(whole.mean_pairwise)


def test_consensus_takes_the_median_of_each_response_and_criterion() -> None:
    results = [
        {"quality": {"r1": {"helpful": 5, "safe": 2}, "r2": {"helpful": 1, "safe": 0}}},
        {"quality": {"r1": {"helpful": 4, "safe": 2}, "r2": {"helpful": 2, "safe": 1}}},
        {"quality": {"r1": {"helpful": 4, "safe": 1}, "r2": {"helpful": 3}}},
    ]

    consensus = consensus_results(SCHEMA, results)

    assert consensus.results == {
        "quality": {"r1": {"helpful": 4, "safe": 2}, "r2": {"helpful": 2, "safe": 0}}
    }
    assert consensus.methods == {"quality": "median"}
    weighted = consensus_results(SCHEMA, results, weights=[1.0, 0.0, 0.0])
    assert weighted.results["quality"] == results[0]["quality"]


def test_gold_score_of_a_rubric_of_responses() -> None:
    expected = {"quality": {"r1": {"helpful": 5, "safe": 2}, "r2": {"helpful": 1, "safe": 0}}}
    given_ = {"quality": {"r1": {"helpful": 5, "safe": 2}, "r2": {"helpful": 5, "safe": 0}}}

    assert score_gold_answer(SCHEMA, expected, expected).score == 1.0
    scored = score_gold_answer(SCHEMA, expected, given_)
    assert scored.per_control == {"quality": pytest.approx((1 + 1 + 0 + 1) / 4)}
    assert score_gold_answer(SCHEMA, expected, {}).score == 0.0
