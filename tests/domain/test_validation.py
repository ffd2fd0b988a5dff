"""Rules every control follows: value types, plain-JSON output, stable normalization."""

from __future__ import annotations

import json
from typing import Any

import pytest

from labelwright.domain import ControlType, parse_schema

from .conftest import Mismatch, Validate

SCHEMA = parse_schema(
    """
objects:
  text: {type: text}
  photo: {type: image}
  doc: {type: document}
  clip: {type: audio}
  movie: {type: video}
  answers: {type: responses}
controls:
  - {name: choice, type: choice, of: text, options: [a, b]}
  - {name: choices, type: choices, of: text, options: [a, b]}
  - {name: rating, type: rating, of: text}
  - {name: rubric, type: rubric, of: text, criteria: [{name: clarity}]}
  - {name: number, type: number, of: text}
  - {name: textarea, type: textarea, of: text}
  - {name: spans, type: spans, of: text, labels: [PER]}
  - {name: relations, type: relations, labels: [rel]}
  - {name: boxes, type: boxes, of: photo, labels: [car], rotation: true}
  - {name: polygons, type: polygons, of: photo, labels: [road]}
  - {name: keypoints, type: keypoints, of: photo, labels: [head]}
  - {name: masks, type: masks, of: photo, labels: [sky]}
  - {name: segments, type: segments, of: clip, labels: [speech]}
  - {name: transcript, type: transcript, of: clip}
  - {name: tracks, type: tracks, of: movie, labels: [car]}
  - {name: pairwise, type: pairwise, of: answers}
  - {name: ranking, type: ranking, of: answers}
  - {name: regions, type: regions, of: doc, labels: [table]}
  - {name: fields, type: fields, of: doc, fields: [{name: total, type: amount}]}
"""
)
DATA = {
    "text": "Ann and Bob",
    "photo": {"src": "p", "width": 100, "height": 100},
    "doc": {"pages": [{"image": "p0", "width": 100, "height": 100, "text": "Total 5"}]},
    "clip": {"src": "c", "duration": 10},
    "movie": {"src": "m", "frames": 100, "width": 100, "height": 100},
    "answers": [{"id": "a", "text": "A"}, {"id": "b", "text": "B"}],
}
# Tuples where JSON has lists, to check the output is plain JSON.
FULL: dict[str, Any] = {
    "choice": "a",
    "choices": ("a", "b"),
    "rating": 3,
    "rubric": {"clarity": 2},
    "number": 1.25,
    "textarea": "note",
    "spans": [{"id": "s1", "start": 0, "end": 3, "label": "PER", "text": "Ann"}],
    "relations": [{"from": "s1", "to": "b1", "label": "rel"}],
    "boxes": [{"id": "b1", "x": 1, "y": 2, "w": 3, "h": 4, "rotation": 10, "label": "car"}],
    "polygons": [{"points": ((0, 0), (1, 0), (1, 1)), "label": "road", "score": 0.5}],
    "keypoints": [{"x": 1, "y": 1, "label": "head"}],
    "masks": [{"rle": {"size": (100, 100), "counts": (5, 5, 9990)}, "label": "sky"}],
    "segments": [{"start": 0, "end": 1.5, "label": "speech"}],
    "transcript": [{"start": 0, "end": 1, "text": "hi", "speaker": "x"}],
    "tracks": [{"label": "car", "keyframes": ({"frame": 0, "x": 0, "y": 0, "w": 1, "h": 1},)}],
    "pairwise": {"choice": "a", "strength": 2},
    "ranking": ["b", ("a",)],
    "regions": [{"id": "r1", "page": 0, "x": 0, "y": 0, "w": 50, "h": 10, "label": "table"}],
    "fields": [{"name": "total", "value": "5", "normalized": 5, "region": "r1"}],
}


def test_the_full_example_covers_every_control_type() -> None:
    assert {c.type for c in SCHEMA.controls} == set(ControlType)
    assert set(FULL) == {c.name for c in SCHEMA.controls}


def test_normalized_results_are_plain_json(validate: Validate) -> None:
    normalized = validate(SCHEMA, FULL, DATA)

    assert json.loads(json.dumps(normalized)) == normalized
    assert normalized["ranking"] == ["b", "a"]
    assert normalized["masks"][0]["rle"] == {"size": [100, 100], "counts": [5, 5, 9990]}


def test_normalizing_twice_changes_nothing(validate: Validate) -> None:
    once = validate(SCHEMA, FULL, DATA)

    assert validate(SCHEMA, once, DATA) == once


@pytest.mark.parametrize(
    ("control", "reason"),
    [
        ("choices", "expected a list of options, got number"),
        ("spans", "expected a list of spans, got number"),
        ("relations", "expected a list of relations, got number"),
        ("boxes", "expected a list of boxes, got number"),
        ("polygons", "expected a list of polygons, got number"),
        ("keypoints", "expected a list of keypoints, got number"),
        ("masks", "expected a list of masks, got number"),
        ("segments", "expected a list of segments, got number"),
        ("transcript", "expected a list of transcript segments, got number"),
        ("tracks", "expected a list of tracks, got number"),
        ("ranking", "expected a list of response ids, got number"),
        ("regions", "expected a list of regions, got number"),
        ("fields", "expected a list of fields, got number"),
        ("rubric", "expected an object of criterion ratings, got number"),
        ("pairwise", "expected an object with keys choice, got number"),
        ("textarea", "expected text, got number"),
    ],
)
def test_values_of_the_wrong_type_are_refused(
    mismatch: Mismatch, control: str, reason: str
) -> None:
    problems = mismatch(SCHEMA, {control: 7}, DATA)

    assert problems == [{"control": control, "index": None, "reason": reason}]


@pytest.mark.parametrize(
    "control",
    [
        "spans",
        "relations",
        "boxes",
        "polygons",
        "keypoints",
        "masks",
        "segments",
        "transcript",
        "tracks",
        "regions",
        "fields",
    ],
)
def test_items_of_the_wrong_type_are_refused(mismatch: Mismatch, control: str) -> None:
    problems = mismatch(SCHEMA, {control: ["x"]}, DATA)

    assert [(p["control"], p["index"]) for p in problems] == [(control, 0)]
    assert problems[0]["reason"].startswith("expected an object with keys")
    assert problems[0]["reason"].endswith("got string")


def test_a_box_outside_an_image_of_unknown_size_says_so(mismatch: Mismatch) -> None:
    box = {"x": -5, "y": 0, "w": 1, "h": 1, "label": "car"}

    problems = mismatch(SCHEMA, {"boxes": [box]}, {**DATA, "photo": "p"})

    assert problems[0]["reason"] == "box x=-5 y=0 w=1 h=1 lies outside the image (unknown size)"


def test_rotation_must_be_a_number_within_a_turn(mismatch: Mismatch) -> None:
    box = {"x": 1, "y": 1, "w": 1, "h": 1, "label": "car"}

    problems = mismatch(
        SCHEMA, {"boxes": [{**box, "rotation": "45"}, {**box, "rotation": -400}]}, DATA
    )

    assert [p["reason"] for p in problems] == [
        "rotation must be a number, got '45'",
        "rotation -400 is below -360",
    ]
