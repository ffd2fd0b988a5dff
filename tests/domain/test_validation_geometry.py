"""Validating image regions: boxes, polygons, keypoints and masks."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwright import errors
from labelwright.domain import describe_objects, parse_schema, rle_encode, validate_results

from .conftest import Mismatch, Validate

SCHEMA = parse_schema(
    """
objects:
  photo: {type: image}
controls:
  - name: boxes
    type: boxes
    of: photo
    labels: [car, person]
    attributes: {occluded: bool, count: int, ratio: float, note: str, color: [red, blue]}
  - {name: turned, type: boxes, of: photo, labels: [car], rotation: true}
  - {name: outlines, type: polygons, of: photo, labels: [road]}
  - {name: points, type: keypoints, of: photo, labels: [head, neck], skeleton: [[head, neck]]}
  - {name: masks, type: masks, of: photo, labels: [sky]}
"""
)
DATA = {"photo": {"src": "media:x", "width": 640, "height": 480}}


def _box(x: float, y: float, w: float, h: float, **extra: Any) -> dict[str, Any]:
    return {"x": x, "y": y, "w": w, "h": h, "label": "car", **extra}


def test_valid_boxes_are_accepted(validate: Validate) -> None:
    boxes = [
        _box(0, 0, 640, 480, id="all"),
        _box(10.5, 20.25, 1e-3, 0.5, label="person", score=0.9),
        _box(
            1,
            1,
            2,
            2,
            attributes={"occluded": False, "count": 3, "ratio": 0.5, "note": "n", "color": "red"},
        ),
        _box(0, 0, 640 + 1e-9, 480, rotation=0),
    ]

    normalized = validate(SCHEMA, {"boxes": boxes}, DATA)["boxes"]

    assert normalized[0] == {"id": "all", "x": 0, "y": 0, "w": 640, "h": 480, "label": "car"}
    assert normalized[1]["x"] == 10.5 and normalized[1]["score"] == 0.9
    assert list(normalized[1]) == ["id", "x", "y", "w", "h", "label", "score"]
    assert normalized[3]["rotation"] == 0


def test_boxes_are_not_bounded_when_the_image_size_is_unknown(validate: Validate) -> None:
    assert validate(SCHEMA, {"boxes": [_box(5000, 5000, 10, 10)]}, {"photo": "media:x"})


def test_boxes_use_the_media_size(mismatch: Mismatch) -> None:
    from labelwright.domain import MediaInfo

    problems = mismatch(
        SCHEMA,
        {"boxes": [_box(90, 0, 20, 10)]},
        {"photo": "media:x"},
        media={"media:x": MediaInfo(width=100, height=100)},
    )

    assert problems[0]["reason"] == "box x=90 y=0 w=20 h=10 lies outside the image (100x100)"


@pytest.mark.parametrize(
    ("box", "reason"),
    [
        (_box(-1, 0, 10, 10), "box x=-1 y=0 w=10 h=10 lies outside the image (640x480)"),
        (_box(0, -0.5, 10, 10), "lies outside the image"),
        (_box(600, 0, 41, 10), "box x=600 y=0 w=41 h=10 lies outside the image (640x480)"),
        (_box(0, 400, 10, 80.01), "lies outside the image"),
        (_box(0, 0, 0, 10), "box width and height must be greater than 0, got 0x10"),
        (_box(0, 0, 10, -3), "box width and height must be greater than 0, got 10x-3"),
        (_box("0", 0, 10, 10), "box x must be a number, got '0'"),
        (_box(0, 0, float("inf"), 10), "box w must be a number, got inf"),
        (_box(0, 0, 10, 10, rotation=30), "rotation 30 is not allowed; set rotation: true"),
        (
            _box(0, 0, 10, 10, label="bus"),
            "label 'bus' is not one of the schema's labels (car, person)",
        ),
        (
            _box(0, 0, 10, 10, attributes={"occluded": 1}),
            "attribute 'occluded' must be true or false, got 1",
        ),
        (
            _box(0, 0, 10, 10, attributes={"count": 1.5}),
            "attribute 'count' must be an integer, got 1.5",
        ),
        (_box(0, 0, 10, 10, attributes={"ratio": "x"}), "attribute 'ratio' must be a number"),
        (_box(0, 0, 10, 10, attributes={"note": 1}), "attribute 'note' must be a string"),
        (
            _box(0, 0, 10, 10, attributes={"color": "green"}),
            "must be one of red, blue, got 'green'",
        ),
        ({"x": 0, "y": 0, "w": 1, "label": "car"}, "missing 'h'"),
    ],
)
def test_invalid_boxes_are_refused(mismatch: Mismatch, box: dict[str, Any], reason: str) -> None:
    problems = mismatch(SCHEMA, {"boxes": [_box(0, 0, 1, 1), box]}, DATA)

    assert [(p["control"], p["index"]) for p in problems] == [("boxes", 1)]
    assert reason in problems[0]["reason"]


def test_rotated_boxes_turn_about_their_centre(validate: Validate, mismatch: Mismatch) -> None:
    # A 100x10 box centred at (320, 240) turned 90 degrees spans y 190..290: inside.
    inside = _box(270, 235, 100, 10, rotation=90)
    # The same box near the top edge pokes out once turned.
    outside = _box(270, 5, 100, 10, rotation=90)

    assert validate(SCHEMA, {"turned": [inside]}, DATA)["turned"][0]["rotation"] == 90
    problems = mismatch(SCHEMA, {"turned": [outside, _box(0, 0, 1, 1, rotation=400)]}, DATA)
    assert [(p["index"], p["reason"]) for p in problems] == [
        (0, "box x=270 y=5 w=100 h=10 rotated 90° lies outside the image (640x480)"),
        (1, "rotation 400 is beyond 360"),
    ]


def test_valid_polygons_are_accepted(validate: Validate) -> None:
    polygon = {"points": [(0, 0), [640, 0], [320.5, 480]], "label": "road"}

    normalized = validate(SCHEMA, {"outlines": [polygon]}, DATA)["outlines"][0]

    assert normalized["points"] == [[0, 0], [640, 0], [320.5, 480]]


@pytest.mark.parametrize(
    ("polygon", "reason"),
    [
        ({"points": [[0, 0], [1, 1]], "label": "road"}, "a polygon needs at least 3 points, got 2"),
        (
            {"points": [[0, 0], [1, 1], [641, 1]], "label": "road"},
            "point 2 (641, 1) lies outside the image (640x480)",
        ),
        ({"points": [[0, 0], [1, 1], [1, -1]], "label": "road"}, "point 2 (1, -1) lies outside"),
        (
            {"points": [[0, 0], [1, 1], [1]], "label": "road"},
            "points must be a list of [x, y] pairs",
        ),
        ({"points": "0,0 1,1 2,2", "label": "road"}, "points must be a list of [x, y] pairs"),
        (
            {"points": [[0, 0], [1, 1], ["a", 1]], "label": "road"},
            "point 2 must have numeric x and y",
        ),
        ({"points": [[0, 0], [1, 1], [2, 2]], "label": "river"}, "label 'river' is not one of"),
    ],
)
def test_invalid_polygons_are_refused(
    mismatch: Mismatch, polygon: dict[str, Any], reason: str
) -> None:
    problems = mismatch(SCHEMA, {"outlines": [polygon]}, DATA)

    assert [(p["control"], p["index"]) for p in problems] == [("outlines", 0)]
    assert reason in problems[0]["reason"]


def test_valid_keypoints_are_accepted(validate: Validate) -> None:
    points = [
        {"x": 640, "y": 480, "label": "head"},
        {"x": 0, "y": 0, "label": "neck", "visible": False},
    ]

    normalized = validate(SCHEMA, {"points": points}, DATA)["points"]

    assert [p["visible"] for p in normalized] == [True, False]


@pytest.mark.parametrize(
    ("point", "reason"),
    [
        ({"x": 641, "y": 0, "label": "head"}, "keypoint (641, 0) lies outside the image (640x480)"),
        (
            {"x": 0, "y": 0, "label": "head", "visible": "yes"},
            "visible must be true or false, got 'yes'",
        ),
        (
            {"x": 0, "y": 0, "label": "tail"},
            "label 'tail' is not one of the schema's labels (head, neck)",
        ),
        ({"x": None, "y": 0, "label": "head"}, "missing 'x'"),
    ],
)
def test_invalid_keypoints_are_refused(
    mismatch: Mismatch, point: dict[str, Any], reason: str
) -> None:
    problems = mismatch(SCHEMA, {"points": [point]}, DATA)

    assert [(p["control"], p["index"]) for p in problems] == [("points", 0)]
    assert reason in problems[0]["reason"]


def test_valid_masks_are_accepted(validate: Validate) -> None:
    mask = np.zeros((480, 640), dtype=np.uint8)
    mask[10:20, 30:40] = 1
    compressed = rle_encode(mask)
    listed = {"size": [480, 640], "counts": [480 * 640]}

    normalized = validate(
        SCHEMA,
        {"masks": [{"rle": compressed, "label": "sky"}, {"rle": listed, "label": "sky"}]},
        DATA,
    )["masks"]

    assert normalized[0]["rle"] == compressed
    assert normalized[1]["rle"] == listed


@pytest.mark.parametrize(
    ("rle", "reason"),
    [
        (
            {"size": [480, 640], "counts": [1, 2]},
            "counts add up to 3 pixels but size 480x640 has 307200",
        ),
        (
            {"size": [48, 64], "counts": [48 * 64]},
            "mask size 48x64 (h x w) differs from the image's 480x640",
        ),
        ({"size": [480], "counts": [1]}, "size must be [height, width]"),
        (
            {"size": [480, 640], "counts": 5},
            "counts must be a COCO counts string or a list of integers",
        ),
        ({"size": [480, 640], "counts": [-1, 307201]}, "counts must not be negative"),
        ({"size": [480, 640], "counts": "\x01"}, "invalid character"),
        ({"size": [480, 640], "counts": "o"}, "ends in the middle of a number"),
        ({"size": [480, 640]}, "rle must be an object with exactly 'size' and 'counts'"),
        ([480, 640], "rle must be an object"),
    ],
)
def test_invalid_masks_are_refused(mismatch: Mismatch, rle: Any, reason: str) -> None:
    problems = mismatch(SCHEMA, {"masks": [{"rle": rle, "label": "sky"}]}, DATA)

    assert [(p["control"], p["index"]) for p in problems] == [("masks", 0)]
    assert reason in problems[0]["reason"]


def test_mask_size_is_not_checked_when_the_image_size_is_unknown(validate: Validate) -> None:
    rle = {"size": [2, 3], "counts": [6]}

    assert validate(SCHEMA, {"masks": [{"rle": rle, "label": "sky"}]}, {"photo": "x"})


def test_mask_counts_given_as_bytes_become_text(validate: Validate) -> None:
    rle = rle_encode(np.ones((480, 640)))

    normalized = validate(
        SCHEMA,
        {"masks": [{"rle": {**rle, "counts": rle["counts"].encode()}, "label": "sky"}]},
        DATA,
    )

    assert normalized["masks"][0]["rle"] == rle


@st.composite
def image_and_boxes(draw: st.DrawFn) -> tuple[int, int, list[dict[str, Any]]]:
    width, height = draw(st.integers(1, 4000)), draw(st.integers(1, 4000))
    boxes = []
    for _ in range(draw(st.integers(1, 5))):
        x = draw(st.floats(0, width, exclude_max=True, allow_nan=False))
        y = draw(st.floats(0, height, exclude_max=True, allow_nan=False))
        w = draw(st.floats(0, width - x, exclude_min=True, allow_nan=False))
        h = draw(st.floats(0, height - y, exclude_min=True, allow_nan=False))
        boxes.append(_box(x, y, w, h))
    return width, height, boxes


def _check(results: dict[str, Any], width: int, height: int) -> dict[str, Any]:
    data = {"photo": {"src": "x", "width": width, "height": height}}
    return validate_results(SCHEMA, results, context=describe_objects(SCHEMA, data))


@settings(max_examples=100, deadline=None)
@given(image_and_boxes())
def test_generated_boxes_inside_the_image_are_accepted(case: tuple[int, int, list[Any]]) -> None:
    width, height, boxes = case

    normalized = _check({"boxes": boxes}, width, height)

    assert [b["x"] for b in normalized["boxes"]] == [b["x"] for b in boxes]


@settings(max_examples=100, deadline=None)
@given(image_and_boxes(), st.sampled_from(["left", "right", "up", "down"]), st.floats(0.01, 100))
def test_generated_boxes_moved_outside_are_refused(
    case: tuple[int, int, list[Any]], direction: str, by: float
) -> None:
    width, height, boxes = case
    box = boxes[0]
    moved = {
        "left": {"x": -by},
        "up": {"y": -by},
        "right": {"x": width - box["w"] + by},
        "down": {"y": height - box["h"] + by},
    }[direction]

    with pytest.raises(errors.SchemaMismatch) as caught:
        _check({"boxes": [{**box, **moved}, *boxes[1:]]}, width, height)

    assert [(p["index"], "outside the image" in p["reason"]) for p in caught.value.errors] == [
        (0, True)
    ]
