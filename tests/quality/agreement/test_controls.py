"""Agreement for every control type of the schema, through the one dispatcher."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwright.domain import ControlType, parse_schema
from labelwright.quality.agreement import (
    control_agreement,
    field_agreement,
    multilabel_agreement,
    relation_f1,
    value_similarity,
)
from labelwright.quality.agreement.controls import comparable_value, headline_metric
from labelwright.quality.agreement.task import task_agreement

SCHEMA = parse_schema(
    {
        "objects": {
            "text": {"type": "text"},
            "photo": {"type": "image"},
            "clip": {"type": "video"},
            "audio": {"type": "audio"},
            "answers": {"type": "responses"},
            "doc": {"type": "document"},
        },
        "controls": [
            {"name": "choice", "type": "choice", "of": "text", "options": ["a", "b", "c"]},
            {"name": "choices", "type": "choices", "of": "text", "options": ["x", "y", "z"]},
            {"name": "rating", "type": "rating", "of": "text", "min": 1, "max": 5},
            {
                "name": "rubric",
                "type": "rubric",
                "of": "text",
                "criteria": [{"name": "clarity"}, {"name": "accuracy"}],
            },
            {"name": "number", "type": "number", "of": "text", "min": 0, "max": 100},
            {"name": "note", "type": "textarea", "of": "text"},
            {"name": "spans", "type": "spans", "of": "text", "labels": ["PER", "LOC"]},
            {"name": "boxes", "type": "boxes", "of": "photo", "labels": ["car"]},
            {"name": "polygons", "type": "polygons", "of": "photo", "labels": ["lake"]},
            {"name": "keypoints", "type": "keypoints", "of": "photo", "labels": ["nose"]},
            {"name": "masks", "type": "masks", "of": "photo", "labels": ["sky"]},
            {"name": "links", "type": "relations", "of": "photo", "labels": ["near"]},
            {"name": "segments", "type": "segments", "of": "audio", "labels": ["speech"]},
            {"name": "transcript", "type": "transcript", "of": "audio"},
            {"name": "tracks", "type": "tracks", "of": "clip", "labels": ["car"]},
            {"name": "pairwise", "type": "pairwise", "of": "answers"},
            {"name": "ranking", "type": "ranking", "of": "answers"},
            {"name": "layout", "type": "regions", "of": "doc", "labels": ["title"]},
            {"name": "fields", "type": "fields", "of": "doc", "fields": [{"name": "total"}]},
        ],
    }
)

BOX = {"id": "b1", "x": 0, "y": 0, "w": 10, "h": 10, "label": "car"}
BOX2 = {"id": "b2", "x": 50, "y": 0, "w": 10, "h": 10, "label": "car"}
VALUES: dict[str, tuple[Any, Any]] = {
    "choice": ("a", "b"),
    "choices": (["x", "y"], ["y"]),
    "rating": (5, 1),
    "rubric": ({"clarity": 5, "accuracy": 4}, {"clarity": 1, "accuracy": 4}),
    "number": (10, 60),
    "note": ("the same words", "other words"),
    "spans": (
        [{"start": 0, "end": 3, "label": "PER", "text": "Ada"}],
        [{"start": 0, "end": 3, "label": "LOC", "text": "Ada"}],
    ),
    "boxes": ([BOX, BOX2], [BOX, BOX2 | {"x": 200}]),
    "polygons": (
        [{"points": [[0, 0], [4, 0], [4, 4]], "label": "lake"}],
        [{"points": [[10, 10], [14, 10], [14, 14]], "label": "lake"}],
    ),
    "keypoints": (
        [{"x": 0, "y": 0, "label": "nose", "visible": True}],
        [{"x": 100, "y": 0, "label": "nose", "visible": True}],
    ),
    "masks": (
        [{"rle": {"size": [2, 2], "counts": [0, 4]}, "label": "sky"}],
        [{"rle": {"size": [2, 2], "counts": [4]}, "label": "sky"}],
    ),
    "links": (
        [{"from": "b1", "to": "b2", "label": "near"}],
        [{"from": "b2", "to": "b1", "label": "near"}],
    ),
    "segments": (
        [{"start": 0, "end": 1, "label": "speech"}],
        [{"start": 5, "end": 6, "label": "speech"}],
    ),
    "transcript": (
        [{"start": 0, "end": 1, "text": "hello world"}],
        [{"start": 0, "end": 1, "text": "bye"}],
    ),
    "tracks": (
        [
            {
                "id": "t",
                "label": "car",
                "keyframes": [{"frame": 0, "x": 0, "y": 0, "w": 5, "h": 5, "outside": False}],
            }
        ],
        [
            {
                "id": "t",
                "label": "car",
                "keyframes": [{"frame": 0, "x": 90, "y": 0, "w": 5, "h": 5, "outside": False}],
            }
        ],
    ),
    "pairwise": ({"choice": "a", "strength": 2}, {"choice": "b"}),
    "ranking": (["r1", "r2", "r3"], ["r3", "r2", "r1"]),
    "layout": (
        [{"page": 0, "x": 0, "y": 0, "w": 5, "h": 5, "label": "title"}],
        [{"page": 1, "x": 0, "y": 0, "w": 5, "h": 5, "label": "title"}],
    ),
    "fields": ([{"name": "total", "value": "12"}], [{"name": "total", "value": "13"}]),
}


def _results(side: int) -> dict[str, Any]:
    return {name: pair[side] for name, pair in VALUES.items()}


def test_every_control_type_is_covered() -> None:
    assert {ControlType(c.type) for c in SCHEMA.controls} == set(ControlType)


@pytest.mark.parametrize("control", SCHEMA.controls, ids=lambda c: c.name)
def test_identical_values_agree_fully_and_different_ones_less(control: Any) -> None:
    same = comparable_value(SCHEMA, control, _results(0))
    other = comparable_value(SCHEMA, control, _results(1))
    assert value_similarity(control, same, same) == pytest.approx(1.0)
    low = value_similarity(control, same, other)
    assert 0.0 <= low < 1.0
    assert low == pytest.approx(value_similarity(control, other, same))
    summary = control_agreement(control, [[same, same], [same, other], [same]])
    assert summary.metric == headline_metric(control)
    assert summary.n_items == 2 and summary.item_scores[2] is None
    assert summary.item_scores[0] == pytest.approx(1.0)
    assert summary.value is not None and summary.value <= 1.0


def test_summary_of_nothing_to_compare_has_no_value() -> None:
    control = SCHEMA.control("choice")
    result = control_agreement(control, [["a"], [], [None, "b"]])  # type: ignore[arg-type]
    assert (result.value, result.mean_pairwise, result.n_items) == (None, None, 0)


def test_categorical_summary_reports_kappa_and_fast_item_scores() -> None:
    control = SCHEMA.control("choice")
    result = control_agreement(control, [["a", "a", "b"], ["c", "c", "c"]])  # type: ignore[arg-type]
    assert result.item_scores == pytest.approx((1 / 3, 1.0))
    assert result.details["percent_agreement"] == pytest.approx(2 / 3)
    assert "fleiss_kappa" in result.details


def test_spans_summary_has_token_alpha_with_texts() -> None:
    control = SCHEMA.control("spans")
    span = [{"start": 0, "end": 3, "label": "PER", "text": "Ada"}]
    result = control_agreement(control, [[span, span], [span, []]], texts=["Ada met Bob", "Ada"])  # type: ignore[arg-type]
    assert "token_alpha" in result.details and "exact_f1" in result.details


def test_multilabel_jaccard_and_per_label_alpha() -> None:
    result = multilabel_agreement([[{"x"}, {"x"}], [{"y"}, {"x", "y"}], [set(), set()]])
    assert result.jaccard == pytest.approx((1 + 0.5 + 1) / 3)
    assert result.per_label_alpha["y"] == 1.0
    assert result.per_label_alpha["x"] < 1.0


def test_relations_follow_matched_regions_not_ids() -> None:
    regions_a = {"1": ("boxes", BOX), "2": ("boxes", BOX2)}
    regions_b = {"p": ("boxes", BOX2), "q": ("boxes", BOX)}
    same = relation_f1(
        [{"from": "1", "to": "2"}],
        [{"from": "q", "to": "p"}],
        regions_a=regions_a,
        regions_b=regions_b,
    )
    flipped = relation_f1(
        [{"from": "1", "to": "2"}],
        [{"from": "p", "to": "q"}],
        regions_a=regions_a,
        regions_b=regions_b,
    )
    assert (same, flipped) == (1.0, 0.0)


def test_fields_compare_normalized_values() -> None:
    assert (
        field_agreement(
            [{"name": "a", "value": "X", "normalized": "1"}], [{"name": "a", "value": "1"}]
        )
        == 1.0
    )
    assert field_agreement([{"name": "a", "value": 1}], [{"name": "b", "value": 1}]) == 0.0
    assert field_agreement([], []) == 1.0


choices = st.sampled_from(["a", "b", "c"])


@settings(settings.get_profile("quality"))
@given(
    st.lists(st.fixed_dictionaries({"choice": choices, "rating": st.integers(1, 5)}), max_size=5)
)
def test_task_agreement_is_bounded_and_order_free(results: list[dict]) -> None:
    forward = task_agreement(SCHEMA, results)
    backward = task_agreement(SCHEMA, results[::-1])
    assert 0.0 <= forward.overall <= 1.0
    assert forward.overall == pytest.approx(backward.overall)
    if len(results) < 2:
        assert forward.overall == 1.0
