from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwright.domain import parse_schema
from labelwright.errors import Invalid
from labelwright.quality.aggregation import fuse_regions, vote_spans
from labelwright.quality.aggregation.consensus import consensus_results


def _box(x: float, y: float, label: str = "car") -> dict:
    return {"x": x, "y": y, "w": 20.0, "h": 20.0, "label": label}


def test_planted_boxes_are_fused_to_their_mean_and_stray_ones_dropped() -> None:
    rng = np.random.default_rng(1)
    centers = [(0, 0), (100, 0), (0, 100)]
    annotators = []
    for a in range(5):
        boxes = [_box(x + rng.normal(0, 1), y + rng.normal(0, 1)) for x, y in centers]
        if a == 0:
            boxes.append(_box(300, 300, "person"))  # seen by one annotator only
        if a == 4:
            boxes[0]["label"] = "truck"  # outvoted
        annotators.append(boxes)
    fused = fuse_regions(annotators, kind="boxes")
    assert len(fused) == 3
    assert all(f.support == 1.0 and len(f.members) == 5 for f in fused)
    first = next(f for f in fused if f.region["x"] < 50 and f.region["y"] < 50)
    assert first.region["label"] == "car"
    assert first.region["x"] == pytest.approx(np.mean([b[0]["x"] for b in annotators]))


boxes = st.lists(
    st.tuples(st.integers(0, 5), st.integers(-2, 2)).map(lambda t: _box(60.0 * t[0] + t[1], 0.0)),
    max_size=4,
)


@settings(settings.get_profile("quality"))
@given(st.lists(boxes, min_size=1, max_size=4), st.randoms(use_true_random=False))
def test_fusion_does_not_depend_on_annotator_order(annotations: list, rnd) -> None:  # type: ignore[no-untyped-def]
    shuffled = list(annotations)
    rnd.shuffle(shuffled)
    key = lambda f: (round(f.region["x"], 6), f.support)  # noqa: E731
    assert sorted(map(key, fuse_regions(annotations, kind="boxes"))) == sorted(
        map(key, fuse_regions(shuffled, kind="boxes"))
    )


def test_polygons_take_the_medoid_and_weights_count() -> None:
    square = {"points": [[0, 0], [10, 0], [10, 10], [0, 10]], "label": "lake"}
    shifted = {"points": [[1, 0], [11, 0], [11, 10], [1, 10]], "label": "lake"}
    fused = fuse_regions([[square], [square], [shifted]], kind="polygons")
    assert fused[0].region["points"] == square["points"]
    weighted = fuse_regions(
        [[square], [shifted]], kind="polygons", weights=[0.2, 0.8], min_support=0.7
    )
    assert weighted[0].support == pytest.approx(1.0)
    assert fuse_regions([[square], []], kind="polygons", weights=[0.2, 0.8]) == ()
    with pytest.raises(Invalid):
        fuse_regions([[square]], kind="polygons", weights=[0.0])


def test_spans_are_voted_token_by_token() -> None:
    text = "Ada Lovelace met Charles Babbage"
    a = [{"start": 0, "end": 12, "label": "PER"}, {"start": 17, "end": 32, "label": "PER"}]
    b = [{"start": 0, "end": 3, "label": "PER"}]
    c = [{"start": 0, "end": 12, "label": "PER"}, {"start": 17, "end": 24, "label": "ORG"}]
    voted = vote_spans([a, b, c], text)
    assert voted == ({"start": 0, "end": 12, "text": "Ada Lovelace", "label": "PER"},)
    assert vote_spans([a, b, c], text, weights=[1, 0, 0])[1]["text"] == "Charles Babbage"
    assert vote_spans([], "") == ()
    with pytest.raises(Invalid):
        vote_spans([a], text, min_share=1.0)


def test_consensus_results_for_a_mixed_schema() -> None:
    schema = parse_schema(
        {
            "objects": {"text": {"type": "text"}, "photo": {"type": "image"}},
            "controls": [
                {"name": "s", "type": "choice", "of": "text", "options": ["pos", "neg"]},
                {"name": "tags", "type": "choices", "of": "text", "options": ["x", "y"]},
                {"name": "r", "type": "rating", "of": "text"},
                {"name": "rub", "type": "rubric", "of": "text", "criteria": [{"name": "c"}]},
                {"name": "n", "type": "number", "of": "text", "integer": True},
                {"name": "note", "type": "textarea", "of": "text"},
                {"name": "e", "type": "spans", "of": "text", "labels": ["PER"]},
                {"name": "b", "type": "boxes", "of": "photo", "labels": ["car"]},
                {"name": "rel", "type": "relations", "of": "photo"},
            ],
        }
    )
    span = {"start": 0, "end": 3, "label": "PER", "text": "Ada"}
    results = [
        {
            "s": "pos",
            "tags": ["x"],
            "r": 4,
            "rub": {"c": 2},
            "n": 10,
            "note": "ok",
            "e": [span],
            "b": [_box(0, 0)],
        },
        {
            "s": "pos",
            "tags": ["x", "y"],
            "r": 5,
            "rub": {"c": 3},
            "n": 12,
            "note": "ok",
            "e": [span],
            "b": [_box(2, 0)],
        },
        {
            "s": "neg",
            "tags": ["y"],
            "r": 1,
            "rub": {"c": 3},
            "n": 11,
            "note": "no",
            "e": [],
            "b": [],
        },
    ]
    consensus = consensus_results(schema, results, texts={"text": "Ada met Bob"})
    assert consensus.results["s"] == "pos"
    assert consensus.results["tags"] == ["x", "y"]
    assert consensus.results["r"] == 4 and consensus.results["rub"] == {"c": 3}
    assert consensus.results["n"] == 11 and consensus.results["note"] == "ok"
    assert consensus.results["e"] == [span]
    assert consensus.results["b"][0]["x"] == 1.0 and consensus.results["b"][0]["id"] == "c1"
    assert "rel" not in consensus.results
    assert consensus.methods["b"] == "fusion" and consensus.methods["e"] == "token-vote"
    weighted = consensus_results(schema, results, weights=[0.1, 0.1, 1.0])
    assert weighted.results["s"] == "neg" and weighted.methods["e"] == "medoid"
    assert consensus_results(schema, []).results == {}
    with pytest.raises(Invalid):
        consensus_results(schema, results, weights=[1.0])
