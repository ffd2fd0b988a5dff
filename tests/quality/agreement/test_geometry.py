from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwright.domain import rle_encode
from labelwright.quality.agreement import (
    box_iou,
    interval_iou,
    keypoint_similarity,
    mask_iou,
    polygon_iou,
)
from labelwright.quality.agreement.geometry import box_corners, polygon_area

coords = st.floats(0, 100, allow_nan=False)
sizes = st.floats(0.5, 50, allow_nan=False)
boxes = st.fixed_dictionaries({"x": coords, "y": coords, "w": sizes, "h": sizes})


@settings(settings.get_profile("quality"))
@given(boxes, boxes)
def test_box_iou_is_symmetric_bounded_and_one_on_itself(a: dict, b: dict) -> None:
    assert box_iou(a, b) == pytest.approx(box_iou(b, a))
    assert 0.0 <= box_iou(a, b) <= 1.0
    assert box_iou(a, a) == pytest.approx(1.0)


@settings(settings.get_profile("quality"))
@given(boxes, boxes)
def test_rotated_path_equals_aligned_path_at_zero_rotation(a: dict, b: dict) -> None:
    aligned = box_iou(a, b)
    # A full turn is the same box; it forces the polygon path.
    assert box_iou(a | {"rotation": 360}, b) == pytest.approx(aligned, abs=1e-9)


def test_rotated_square_golden_value() -> None:
    square = {"x": 0, "y": 0, "w": 2, "h": 2}
    # Square turned 45 degrees about its centre: the overlap is a regular octagon of area
    # 8 (sqrt 2 - 1), so IoU = octagon / (8 - octagon) = 1 / sqrt 2.
    assert box_iou(square | {"rotation": 45}, square) == pytest.approx(1 / math.sqrt(2))
    assert box_iou(square | {"rotation": 90}, square) == pytest.approx(1.0)
    assert len(box_corners(square | {"rotation": 30})) == 4


def test_polygon_iou_handles_concave_polygons_exactly() -> None:
    ell = [[0, 0], [4, 0], [4, 1], [1, 1], [1, 4], [0, 4]]  # area 7
    square = [[0, 0], [2, 0], [2, 2], [0, 2]]  # overlap with the L: 3
    assert polygon_area(ell) == 7
    assert polygon_iou(ell, square) == pytest.approx(3 / 8)
    assert polygon_iou(ell, ell[::-1]) == pytest.approx(1.0)
    assert polygon_iou(square, [[5, 5], [6, 5], [6, 6]]) == 0.0


def test_self_intersecting_polygon_falls_back_to_sampling() -> None:
    bowtie = [[0, 0], [2, 2], [2, 0], [0, 2]]
    assert polygon_iou(bowtie, bowtie) == pytest.approx(1.0, abs=1e-9)
    assert 0.0 <= polygon_iou(bowtie, [[0, 0], [2, 0], [2, 2], [0, 2]]) <= 1.0


def test_degenerate_polygons_overlap_only_when_identical() -> None:
    line = [[0, 0], [1, 1], [2, 2]]
    assert polygon_iou(line, line) == 1.0
    assert polygon_iou(line, [[0, 0], [1, 0], [0, 1]]) == 0.0


masks = st.integers(1, 12).flatmap(
    lambda h: st.integers(1, 12).flatmap(
        lambda w: st.tuples(
            st.lists(st.booleans(), min_size=h * w, max_size=h * w).map(
                lambda v, h=h, w=w: np.array(v).reshape(h, w)
            ),
            st.lists(st.booleans(), min_size=h * w, max_size=h * w).map(
                lambda v, h=h, w=w: np.array(v).reshape(h, w)
            ),
        )
    )
)


@settings(settings.get_profile("quality"))
@given(masks)
def test_mask_iou_from_rle_equals_dense_iou(pair: tuple[np.ndarray, np.ndarray]) -> None:
    a, b = pair
    union = (a | b).sum()
    expected = (a & b).sum() / union if union else 1.0
    assert mask_iou(rle_encode(a), rle_encode(b)) == pytest.approx(expected, abs=1e-12)
    uncompressed = {"size": list(a.shape), "counts": _runs(a)}
    assert mask_iou(uncompressed, rle_encode(b)) == pytest.approx(expected, abs=1e-12)


def _runs(mask: np.ndarray) -> list[int]:
    flat = mask.ravel(order="F").astype(int)
    runs, current, length = [], 0, 0
    for value in flat:
        if value == current:
            length += 1
        else:
            runs.append(length)
            current, length = value, 1
    return [*runs, length]


def test_masks_of_different_sizes_do_not_overlap() -> None:
    assert mask_iou(rle_encode(np.ones((2, 2))), rle_encode(np.ones((2, 3)))) == 0.0


def test_keypoint_similarity_and_interval_iou_golden_values() -> None:
    assert keypoint_similarity({"x": 0, "y": 0}, {"x": 0, "y": 0}, sigma=3) == 1.0
    assert keypoint_similarity({"x": 0, "y": 0}, {"x": 6, "y": 8}, sigma=10) == pytest.approx(
        math.exp(-0.5)
    )
    assert keypoint_similarity({"x": 0, "y": 0}, {"x": 1, "y": 0}, sigma=0) == 0.0
    assert interval_iou({"start": 0, "end": 4}, {"start": 2, "end": 6}) == pytest.approx(1 / 3)
    assert interval_iou({"start": 0, "end": 1}, {"start": 2, "end": 3}) == 0.0
