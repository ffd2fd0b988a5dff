"""COCO run-length encoding, cross-checked against pycocotools."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from pycocotools import mask as coco

from labelwright import errors
from labelwright.domain import (
    describe_objects,
    parse_schema,
    rle_area,
    rle_counts,
    rle_decode,
    rle_encode,
    validate_results,
)


@st.composite
def masks(draw: st.DrawFn) -> npt.NDArray[np.uint8]:
    """Random masks, from noise to large solid blocks (long runs exercise multi-group counts)."""
    height, width = draw(st.integers(1, 64)), draw(st.integers(1, 64))
    style = draw(st.sampled_from(["noise", "blocks", "empty", "full"]))
    if style == "empty":
        return np.zeros((height, width), dtype=np.uint8)
    if style == "full":
        return np.ones((height, width), dtype=np.uint8)
    if style == "noise":
        return draw(hnp.arrays(np.uint8, (height, width), elements=st.integers(0, 1)))
    mask = np.zeros((height, width), dtype=np.uint8)
    for _ in range(draw(st.integers(1, 4))):
        top, left = draw(st.integers(0, height - 1)), draw(st.integers(0, width - 1))
        bottom, right = draw(st.integers(top, height)), draw(st.integers(left, width))
        mask[top:bottom, left:right] = 1
    return mask


def _coco(mask: npt.NDArray[np.uint8]) -> dict[str, Any]:
    encoded: dict[str, Any] = coco.encode(np.asfortranarray(mask))
    return encoded


@settings(max_examples=100, deadline=None)
@given(masks())
def test_encode_matches_pycocotools(mask: npt.NDArray[np.uint8]) -> None:
    ours = rle_encode(mask)
    theirs = _coco(mask)

    assert ours == {"size": list(theirs["size"]), "counts": theirs["counts"].decode("ascii")}


@settings(max_examples=100, deadline=None)
@given(masks())
def test_decode_and_area_match_pycocotools(mask: npt.NDArray[np.uint8]) -> None:
    theirs = _coco(mask)

    decoded = rle_decode(theirs)

    assert decoded.dtype == np.uint8 and decoded.shape == mask.shape
    np.testing.assert_array_equal(decoded, coco.decode(theirs))
    np.testing.assert_array_equal(decoded, mask)
    assert rle_area(theirs) == int(coco.area(theirs)) == int(mask.sum())


@settings(max_examples=100, deadline=None)
@given(masks())
def test_uncompressed_counts_decode_like_compressed_ones(mask: npt.NDArray[np.uint8]) -> None:
    compressed = rle_encode(mask)
    listed = {"size": compressed["size"], "counts": rle_counts(compressed)}
    # pycocotools reads uncompressed counts through frPyObjects.
    theirs = coco.frPyObjects(listed, *compressed["size"])

    assert theirs["counts"].decode("ascii") == compressed["counts"]
    np.testing.assert_array_equal(rle_decode(listed), mask)
    assert rle_area(listed) == int(mask.sum())


@settings(max_examples=100, deadline=None)
@given(masks(), st.data())
def test_corrupted_counts_are_refused(mask: npt.NDArray[np.uint8], data: st.DataObject) -> None:
    runs = rle_counts(rle_encode(mask))
    position = data.draw(st.integers(0, len(runs) - 1))
    delta = data.draw(st.sampled_from([-1, 1, 7]))
    if runs[position] + delta < 0:
        delta = 1
    corrupted = {
        "size": list(mask.shape),
        "counts": [*runs[:position], runs[position] + delta, *runs[position + 1 :]],
    }

    with pytest.raises(errors.Invalid, match="counts add up to"):
        rle_decode(corrupted)
    with pytest.raises(errors.Invalid):
        rle_area(corrupted)


@settings(max_examples=100, deadline=None)
@given(masks(), st.integers(1, 5))
def test_truncated_or_extended_strings_are_refused(mask: npt.NDArray[np.uint8], cut: int) -> None:
    counts = rle_encode(mask)["counts"]
    size = list(mask.shape)

    with pytest.raises(errors.Invalid):
        rle_decode({"size": size, "counts": counts[:-cut] if len(counts) > cut else ""})
    with pytest.raises(errors.Invalid):
        rle_decode({"size": size, "counts": counts + "1"})


def test_encoding_is_column_major() -> None:
    mask = np.array([[1, 0, 0], [1, 0, 1]], dtype=np.uint8)

    assert rle_counts(rle_encode(mask)) == [0, 2, 3, 1]


def test_any_non_zero_value_is_foreground() -> None:
    mask = np.array([[0, 255], [True, -3]])

    np.testing.assert_array_equal(rle_decode(rle_encode(mask)), [[0, 1], [1, 1]])


def test_empty_size_round_trips() -> None:
    mask = np.zeros((0, 4), dtype=np.uint8)

    rle = rle_encode(mask)

    assert rle == {"size": [0, 4], "counts": _coco(mask)["counts"].decode("ascii")}
    assert rle_decode(rle).shape == (0, 4)
    assert rle_area(rle) == 0


def test_large_runs_round_trip() -> None:
    mask = np.zeros((1000, 2000), dtype=np.uint8)
    mask[500:, 1999] = 1

    rle = rle_encode(mask)

    assert rle["counts"] == _coco(mask)["counts"].decode("ascii")
    assert rle_area(rle) == 500
    np.testing.assert_array_equal(rle_decode(rle), mask)


@pytest.mark.parametrize(
    ("rle", "message"),
    [
        ({"size": [2], "counts": [4]}, "size must be"),
        ({"size": [2, -2], "counts": []}, "size must be"),
        ({"size": [2, True], "counts": [2]}, "size must be"),
        ({"size": [2, 2.0], "counts": [4]}, "size must be"),
        ({"size": [2, 2], "counts": None}, "counts must be a COCO counts string or a list"),
        ({"size": [2, 2], "counts": [1.5, 2.5]}, "counts must be a COCO counts string or a list"),
        ({"size": [2, 2], "counts": [5, -1]}, "counts must not be negative"),
        ({"size": [2, 2], "counts": "4 "}, "invalid character"),
        ({"size": [2, 2], "counts": "\x7f"}, "invalid character"),
        ([2, 2], "size must be"),
    ],
)
def test_malformed_rle_is_refused(rle: Any, message: str) -> None:
    with pytest.raises(errors.Invalid, match=message):
        rle_decode(rle)


def test_encode_refuses_arrays_that_are_not_2d() -> None:
    with pytest.raises(errors.Invalid, match="2-D"):
        rle_encode(np.zeros((2, 2, 2)))


@settings(max_examples=50, deadline=None)
@given(masks())
def test_generated_masks_validate_and_corrupted_ones_do_not(mask: npt.NDArray[np.uint8]) -> None:
    schema = parse_schema(
        "objects: {photo: {type: image}}\n"
        "controls: [{name: m, type: masks, of: photo, labels: [x]}]"
    )
    height, width = mask.shape
    context = describe_objects(schema, {"photo": {"src": "p", "width": width, "height": height}})
    rle = rle_encode(mask)

    assert validate_results(schema, {"m": [{"rle": rle, "label": "x"}]}, context=context)
    corrupted = {"size": rle["size"], "counts": [*rle_counts(rle), 1]}
    with pytest.raises(errors.SchemaMismatch, match="counts add up to"):
        validate_results(schema, {"m": [{"rle": corrupted, "label": "x"}]}, context=context)
