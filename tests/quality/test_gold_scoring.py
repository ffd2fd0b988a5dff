from __future__ import annotations

import pytest

from labelwright.domain import parse_schema
from labelwright.quality.gold_scoring import score_gold_answer

SCHEMA = parse_schema(
    {
        "objects": {"img": {"type": "image"}, "t": {"type": "text"}},
        "controls": [
            {"name": "kind", "type": "choice", "of": "img", "options": ["a", "b"]},
            {"name": "boxes", "type": "boxes", "of": "img", "labels": ["car"]},
            {"name": "ents", "type": "spans", "of": "t", "labels": ["PER"]},
        ],
    }
)
BOX = {"id": "b1", "x": 0, "y": 0, "w": 10, "h": 10, "label": "car"}


def test_identical_answers_score_one() -> None:
    gold = {"kind": "a", "boxes": [BOX]}
    assert score_gold_answer(SCHEMA, gold, gold).score == 1.0


def test_wrong_choice_scores_zero_for_that_control() -> None:
    scored = score_gold_answer(SCHEMA, {"kind": "a"}, {"kind": "b"})
    assert scored.per_control == {"kind": 0.0} and scored.score == 0.0


@pytest.mark.parametrize(("shift", "matched"), [(1, True), (6, False)])
def test_boxes_match_at_iou_one_half(shift: int, matched: bool) -> None:
    moved = {**BOX, "x": shift}
    scored = score_gold_answer(SCHEMA, {"boxes": [BOX]}, {"boxes": [moved]})
    assert (scored.per_control["boxes"] == 1.0) is matched


def test_missing_control_counts_as_wrong() -> None:
    scored = score_gold_answer(SCHEMA, {"kind": "a"}, {})
    assert scored.score == 0.0
