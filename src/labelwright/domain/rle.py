"""COCO run-length encoding (RLE) of binary masks, without pycocotools.

A mask of shape `(h, w)` is flattened in column-major (Fortran) order; `counts` are the lengths
of alternating runs of 0s and 1s, starting with 0s (so the first count may be 0). COCO stores
counts either as a list of ints ("uncompressed") or as a compact string: each count (from the
third on, as the difference to the count two places back) is written in 5-bit groups, low bits
first, each group plus 48 as one ASCII character, bit 0x20 meaning "more groups follow" and bit
0x10 of the last group the sign.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from labelwright import errors

RLE = Mapping[str, Any]
"""`{"size": [h, w], "counts": str | list[int]}`."""


def rle_size(rle: RLE) -> tuple[int, int]:
    """Return `(h, w)` of an RLE, checking the `size` field.

    Raises:
        errors.Invalid: `rle` is not a mapping with `size` as two non-negative integers.
    """
    size = rle.get("size") if isinstance(rle, Mapping) else None
    if (
        not isinstance(size, list | tuple)
        or len(size) != 2
        or not all(_is_count(side) and side >= 0 for side in size)
    ):
        raise _malformed(f"size must be [height, width] as non-negative integers, got {size!r}")
    return int(size[0]), int(size[1])


def _is_count(value: Any) -> bool:
    # numpy integers are Integral too; bool is not a count.
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def rle_counts(rle: RLE) -> list[int]:
    """Return the run lengths of an RLE, decompressing string counts.

    The counts are checked to be non-negative and to add up to `h * w`.

    Raises:
        errors.Invalid: The RLE is malformed.
    """
    height, width = rle_size(rle)
    counts = rle.get("counts")
    if isinstance(counts, bytes):
        counts = counts.decode("ascii", errors="replace")
    if isinstance(counts, str):
        runs = _decompress(counts)
    elif isinstance(counts, list | tuple) and all(_is_count(c) for c in counts):
        runs = [int(c) for c in counts]
    else:
        raise _malformed("counts must be a COCO counts string or a list of integers")
    if any(run < 0 for run in runs):
        raise _malformed("counts must not be negative")
    total = sum(runs)
    if total != height * width:
        raise _malformed(
            f"counts add up to {total} pixels but size {height}x{width} has {height * width}"
        )
    return runs


def rle_area(rle: RLE) -> int:
    """Return the number of foreground pixels of an RLE, without building the mask.

    Raises:
        errors.Invalid: The RLE is malformed.
    """
    return sum(rle_counts(rle)[1::2])


def rle_decode(rle: RLE) -> npt.NDArray[np.uint8]:
    """Decode an RLE into a mask.

    Returns:
        A `uint8` array of shape `(h, w)`, 1 for foreground.

    Raises:
        errors.Invalid: The RLE is malformed.
    """
    height, width = rle_size(rle)
    runs = rle_counts(rle)
    values = np.arange(len(runs), dtype=np.uint8) % 2
    flat = np.repeat(values, runs)
    return flat.reshape((height, width), order="F")


def rle_encode(mask: npt.ArrayLike) -> dict[str, Any]:
    """Encode a mask as a COCO RLE with compressed string counts.

    Args:
        mask: A 2-D array of shape `(h, w)`; any non-zero value is foreground.

    Returns:
        `{"size": [h, w], "counts": str}`, equal to what `pycocotools.mask.encode` produces.

    Raises:
        errors.Invalid: `mask` is not 2-D.
    """
    array = np.asarray(mask)
    if array.ndim != 2:
        raise errors.Invalid(
            f"A mask must be a 2-D array, got {array.ndim} dimensions.",
            errors=[{"loc": ["mask"], "msg": "not a 2-D array"}],
        )
    height, width = array.shape
    flat = (array != 0).ravel(order="F").astype(np.int8)
    # Run boundaries: where the value changes, plus both ends; a leading 1 means 0 zeros first.
    changes = np.flatnonzero(np.diff(flat)) + 1
    edges = np.concatenate(([0], changes, [flat.size]))
    runs = np.diff(edges).tolist()
    if flat.size and flat[0] == 1:
        runs.insert(0, 0)
    return {"size": [int(height), int(width)], "counts": _compress(runs)}


def _compress(runs: Sequence[int]) -> str:
    chars: list[str] = []
    for index, run in enumerate(runs):
        x = run - runs[index - 2] if index > 2 else run
        more = True
        while more:
            group = x & 0x1F
            x >>= 5  # arithmetic shift: negative differences keep their sign bits
            more = x != -1 if group & 0x10 else x != 0
            if more:
                group |= 0x20
            chars.append(chr(group + 48))
    return "".join(chars)


def _decompress(text: str) -> list[int]:
    runs: list[int] = []
    position = 0
    while position < len(text):
        x = shift = 0
        more = True
        while more:
            if position >= len(text):
                raise _malformed("counts string ends in the middle of a number")
            group = ord(text[position]) - 48
            if not 0 <= group < 64:
                raise _malformed(f"counts string has an invalid character {text[position]!r}")
            x |= (group & 0x1F) << shift
            more = bool(group & 0x20)
            position += 1
            shift += 5
            if not more and group & 0x10:
                x |= -1 << shift
        if len(runs) > 2:
            x += runs[-2]
        runs.append(x)
    return runs


def _malformed(reason: str) -> errors.Invalid:
    return errors.Invalid(f"Invalid RLE: {reason}.", errors=[{"loc": ["rle"], "msg": reason}])
