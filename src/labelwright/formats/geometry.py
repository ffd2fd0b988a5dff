"""Plane geometry shared by the image formats: bounding boxes, areas, mask extents."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from labelwright.domain import rle_counts


def polygon_area(points: Sequence[Sequence[float]]) -> float:
    """Area of a simple polygon (shoelace formula)."""
    total = 0.0
    for i, (x1, y1) in enumerate(points):
        x2, y2 = points[(i + 1) % len(points)]
        total += x1 * y2 - x2 * y1
    return abs(total) / 2


def points_bbox(points: Sequence[Sequence[float]]) -> list[float]:
    """`[x, y, w, h]` around the points."""
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    return [min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)]


def rle_bbox(rle: dict[str, object]) -> tuple[list[float], int]:
    """`([x, y, w, h], area)` of a COCO RLE mask, read from its runs without decoding it.

    Runs are column-major: a run of foreground from flat index `s` of length `n` covers columns
    `s // h .. (s + n - 1) // h`; within one column its rows are `s % h .. (s + n - 1) % h`, and
    a run crossing a column boundary covers every row.
    """
    height = int(rle["size"][0])  # type: ignore[index]
    runs = rle_counts(rle)
    x0 = y0 = 1 << 60
    x1 = y1 = -1
    area = 0
    position = 0
    for index, run in enumerate(runs):
        if index % 2 and run:
            first, last = position, position + run - 1
            area += run
            c0, c1 = first // height, last // height
            x0, x1 = min(x0, c0), max(x1, c1)
            if c0 == c1:
                y0, y1 = min(y0, first % height), max(y1, last % height)
            else:
                y0, y1 = 0, height - 1
        position += run
    if x1 < 0:
        return [0.0, 0.0, 0.0, 0.0], 0
    return [float(x0), float(y0), float(x1 - x0 + 1), float(y1 - y0 + 1)], area


def keypoint_instances(points: Iterable[Mapping[str, Any]]) -> Iterator[list[Mapping[str, Any]]]:
    """Split a keypoints value into instances: a new one starts where a label repeats."""
    group: list[Mapping[str, Any]] = []
    seen: set[str] = set()
    for point in points:
        if point["label"] in seen:
            yield group
            group, seen = [], set()
        group.append(point)
        seen.add(point["label"])
    if group:
        yield group
