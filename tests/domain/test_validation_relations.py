"""Validating relations between regions, and region ids across a whole result."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import Mismatch, Validate

SCHEMA = """
objects:
  text: {type: text}
  photo: {type: image}
  clip: {type: audio}
controls:
  - {name: entities, type: spans, of: text, labels: [PER, ORG]}
  - {name: boxes, type: boxes, of: photo, labels: [car]}
  - {name: polys, type: polygons, of: photo, labels: [road]}
  - {name: points, type: keypoints, of: photo, labels: [head]}
  - {name: masks, type: masks, of: photo, labels: [sky]}
  - {name: events, type: segments, of: clip, labels: [speech]}
  - {name: links, type: relations, between: [entities], labels: [works_at, knows]}
  - {name: on_photo, type: relations, of: photo}
  - {name: anything, type: relations}
"""
DATA = {"text": "Ann works at Acme", "photo": "media:p", "clip": "media:c"}
PER = {"id": "ann", "start": 0, "end": 3, "label": "PER", "text": "Ann"}
ORG = {"id": "acme", "start": 13, "end": 17, "label": "ORG", "text": "Acme"}
REGIONS: dict[str, Any] = {
    "entities": [PER, ORG],
    "boxes": [{"id": "car1", "x": 0, "y": 0, "w": 5, "h": 5, "label": "car"}],
    "polys": [{"id": "road1", "points": [[0, 0], [1, 0], [1, 1]], "label": "road"}],
    "points": [{"id": "head1", "x": 1, "y": 1, "label": "head"}],
    "masks": [{"id": "sky1", "rle": {"size": [2, 2], "counts": [1, 3]}, "label": "sky"}],
    "events": [{"id": "ev1", "start": 0, "end": 1, "label": "speech"}],
}


def test_valid_relations_are_accepted(validate: Validate) -> None:
    results = {
        **REGIONS,
        "links": [{"from": "ann", "to": "acme", "label": "works_at"}],
        "on_photo": [
            {"from": "car1", "to": "road1"},
            {"from": "head1", "to": "sky1"},
            {"from": "road1", "to": "car1"},
        ],
        "anything": [{"from": "ev1", "to": "ann"}],
    }

    normalized = validate(SCHEMA, results, DATA)

    assert normalized["links"] == [{"from": "ann", "to": "acme", "label": "works_at"}]
    assert len(normalized["on_photo"]) == 3


def test_relations_may_point_at_generated_ids(validate: Validate) -> None:
    first = validate(SCHEMA, {"entities": [{k: v for k, v in PER.items() if k != "id"}]}, DATA)
    generated = first["entities"][0]["id"]
    second = validate(
        SCHEMA,
        {
            **first,
            "entities": [*first["entities"], ORG],
            "links": [{"from": generated, "to": "acme", "label": "knows"}],
        },
        DATA,
    )

    assert second["links"][0]["from"] == generated


@pytest.mark.parametrize(
    ("control", "relation", "reasons"),
    [
        (
            "links",
            {"from": "ann", "to": "ghost", "label": "knows"},
            ["to 'ghost' is not a region id of this result"],
        ),
        (
            "links",
            {"from": "car1", "to": "acme", "label": "knows"},
            [
                "from 'car1' is a region of 'boxes', which this control does not relate "
                "(it relates entities)"
            ],
        ),
        (
            "on_photo",
            {"from": "car1", "to": "ann"},
            [
                "to 'ann' is a region of 'entities', which this control does not relate "
                "(it relates boxes, masks, points, polys)"
            ],
        ),
        (
            "links",
            {"from": "ann", "to": "acme", "label": "hates"},
            ["label 'hates' is not one of the schema's labels (works_at, knows)"],
        ),
        ("links", {"from": "ann", "to": "acme"}, ["missing 'label'"]),
        (
            "on_photo",
            {"from": "car1", "to": "road1", "label": "x"},
            ["the control has no labels, so a relation cannot have one"],
        ),
        (
            "anything",
            {"from": "ann", "to": "ann"},
            ["a relation cannot link region 'ann' to itself"],
        ),
        ("anything", {"from": 1, "to": "ann"}, ["from 1 is not a region id of this result"]),
        ("anything", {"from": "ann"}, ["missing 'to'"]),
    ],
)
def test_invalid_relations_are_refused(
    mismatch: Mismatch, control: str, relation: dict[str, Any], reasons: list[str]
) -> None:
    problems = mismatch(SCHEMA, {**REGIONS, control: [relation]}, DATA)

    assert [(p["control"], p["index"], p["reason"]) for p in problems] == [
        (control, 0, reason) for reason in reasons
    ]


def test_the_same_relation_twice_is_refused(mismatch: Mismatch) -> None:
    relation = {"from": "ann", "to": "acme", "label": "knows"}

    problems = mismatch(
        SCHEMA, {**REGIONS, "links": [relation, {**relation, "label": "works_at"}, relation]}, DATA
    )

    assert problems == [
        {"control": "links", "index": 2, "reason": "the same relation is given twice"}
    ]


def test_region_ids_must_be_unique_across_controls(mismatch: Mismatch) -> None:
    box = {**REGIONS["boxes"][0], "id": "ann"}

    problems = mismatch(SCHEMA, {**REGIONS, "boxes": [box]}, DATA)

    assert problems == [
        {
            "control": "boxes",
            "index": 0,
            "reason": "id 'ann' is already used by control 'entities' item 0",
        }
    ]


def test_region_ids_must_be_unique_within_a_control(mismatch: Mismatch) -> None:
    problems = mismatch(SCHEMA, {"entities": [PER, {**ORG, "id": "ann"}]}, DATA)

    assert problems == [
        {
            "control": "entities",
            "index": 1,
            "reason": "id 'ann' is already used by control 'entities' item 0",
        }
    ]


def test_generated_ids_avoid_explicit_ones(validate: Validate) -> None:
    bare = {k: v for k, v in PER.items() if k != "id"}
    generated = validate(SCHEMA, {"entities": [bare]}, DATA)["entities"][0]["id"]

    # Another span claims the id the first span would get.
    results = {"entities": [bare, {**ORG, "id": generated}]}
    normalized = validate(SCHEMA, results, DATA)["entities"]

    ids = [span["id"] for span in normalized]
    assert ids[1] == generated and ids[0] != generated and len(ids[0]) == 10


def test_identical_items_get_different_ids(validate: Validate) -> None:
    segment = {"start": 0, "end": 1, "label": "speech"}

    normalized = validate(SCHEMA, {"events": [segment, segment]}, DATA)["events"]

    assert normalized[0]["id"] != normalized[1]["id"]
