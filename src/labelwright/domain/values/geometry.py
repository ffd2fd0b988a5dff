"""Values of image region controls in source pixels: boxes, polygons and keypoints."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from labelwright.domain.context import ObjectContext
from labelwright.domain.controls import BoxesControl, KeypointsControl, PolygonsControl
from labelwright.domain.values._primitives import (
    EPS,
    REGION_KEYS,
    check_number,
    fmt,
    is_number,
    quote,
    read_item,
    read_list,
    read_region,
)
from labelwright.domain.values._report import Report, Scope

BOX_KEYS = ("x", "y", "w", "h")


def check_box(
    item: Any,
    report: Report,
    index: int,
    *,
    width: float | None,
    height: float | None,
    rotation: float = 0.0,
    what: str = "box",
) -> bool:
    """Check `x, y, w, h` of `item`: `w, h > 0` and the (rotated) box inside the frame.

    A rotated box turns clockwise by `rotation` degrees about its centre (the CVAT convention);
    then its four corners must lie in `[0, width] x [0, height]`. Unknown sizes skip the far
    edges; `x, y >= 0` (or the corners' `>= 0`) is always checked.
    """
    if not all(check_number(item[key], report, index, f"{what} {key}") for key in BOX_KEYS):
        return False
    x, y, w, h = (item[key] for key in BOX_KEYS)
    if w <= 0 or h <= 0:
        report.add(
            f"{what} width and height must be greater than 0, got {fmt(w)}x{fmt(h)}", index=index
        )
        return False
    corners = _corners(x, y, w, h, rotation)
    xs, ys = [cx for cx, _ in corners], [cy for _, cy in corners]
    inside = min(xs) >= -EPS and min(ys) >= -EPS
    inside = inside and (width is None or max(xs) <= width + EPS)
    inside = inside and (height is None or max(ys) <= height + EPS)
    if not inside:
        size = size_text(width, height)
        turned = f" rotated {fmt(rotation)}°" if rotation else ""
        report.add(
            f"{what} x={fmt(x)} y={fmt(y)} w={fmt(w)} h={fmt(h)}{turned} lies outside the "
            f"image ({size})",
            index=index,
        )
        return False
    return True


def size_text(width: float | None, height: float | None) -> str:
    """`"640x480"`, with `?` for an unknown side, or `"unknown size"`."""
    if width is None and height is None:
        return "unknown size"
    return f"{'?' if width is None else fmt(width)}x{'?' if height is None else fmt(height)}"


def _corners(x: float, y: float, w: float, h: float, degrees: float) -> list[tuple[float, float]]:
    if not degrees:
        return [(x, y), (x + w, y + h)]
    cx, cy = x + w / 2, y + h / 2
    cos, sin = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
    return [
        (cx + dx * cos - dy * sin, cy + dx * sin + dy * cos)
        for dx in (-w / 2, w / 2)
        for dy in (-h / 2, h / 2)
    ]


def _size(obj: ObjectContext | None) -> tuple[float | None, float | None]:
    return (obj.width, obj.height) if obj is not None else (None, None)


def validate_boxes(control: BoxesControl, value: Any, scope: Scope, report: Report) -> Any:
    """`[{id?, x, y, w, h, rotation?, label, attributes?, score?}]` in source pixels.

    `rotation` (degrees, clockwise about the box centre, -360..360) is allowed only when the
    control sets `rotation: true`; a rotation of 0 is always accepted.
    """
    items = read_list(value, report, "boxes")
    if items is None:
        return None
    width, height = _size(scope.obj)
    result = []
    for index, raw in enumerate(items):
        item = read_item(
            raw, report, index, required=(*BOX_KEYS, "label"), optional=(*REGION_KEYS, "rotation")
        )
        if item is None:
            continue
        head, tail = read_region(item, control.label_names, control.attributes, report, index)
        rotation = item.get("rotation") or 0
        extra = {}
        if "rotation" in item:
            if not check_number(item["rotation"], report, index, "rotation", low=-360, high=360):
                rotation = 0
            elif rotation and not control.rotation:
                report.add(
                    f"rotation {fmt(rotation)} is not allowed; set rotation: true on the control",
                    index=index,
                )
                rotation = 0
            extra["rotation"] = item["rotation"]
        check_box(item, report, index, width=width, height=height, rotation=rotation)
        result.append(head | {key: item[key] for key in BOX_KEYS} | extra | tail)
    return result


def _check_point(
    point: Sequence[Any], report: Report, index: int, obj: ObjectContext | None, what: str
) -> bool:
    x, y = point
    if not (is_number(x) and is_number(y)):
        report.add(f"{what} must have numeric x and y, got {quote(x)}, {quote(y)}", index=index)
        return False
    width, height = _size(obj)
    if (
        x < -EPS
        or y < -EPS
        or (width is not None and x > width + EPS)
        or (height is not None and y > height + EPS)
    ):
        size = size_text(width, height)
        report.add(f"{what} ({fmt(x)}, {fmt(y)}) lies outside the image ({size})", index=index)
        return False
    return True


def validate_polygons(control: PolygonsControl, value: Any, scope: Scope, report: Report) -> Any:
    """`[{id?, points: [[x, y], ...], label, attributes?, score?}]`, at least 3 points inside."""
    items = read_list(value, report, "polygons")
    if items is None:
        return None
    result = []
    for index, raw in enumerate(items):
        item = read_item(raw, report, index, required=("points", "label"), optional=REGION_KEYS)
        if item is None:
            continue
        head, tail = read_region(item, control.label_names, control.attributes, report, index)
        points = item["points"]
        if not isinstance(points, list | tuple) or not all(
            isinstance(p, list | tuple) and len(p) == 2 for p in points
        ):
            report.add("points must be a list of [x, y] pairs", index=index)
            continue
        if len(points) < 3:
            report.add(f"a polygon needs at least 3 points, got {len(points)}", index=index)
        for position, point in enumerate(points):
            if not _check_point(point, report, index, scope.obj, f"point {position}"):
                break
        result.append(head | {"points": [list(p) for p in points]} | tail)
    return result


def validate_keypoints(control: KeypointsControl, value: Any, scope: Scope, report: Report) -> Any:
    """`[{id?, x, y, label, visible?, attributes?, score?}]`; `visible` is a bool, default true."""
    items = read_list(value, report, "keypoints")
    if items is None:
        return None
    result = []
    for index, raw in enumerate(items):
        item = read_item(
            raw, report, index, required=("x", "y", "label"), optional=(*REGION_KEYS, "visible")
        )
        if item is None:
            continue
        head, tail = read_region(item, control.label_names, control.attributes, report, index)
        visible = item.get("visible", True)
        if not isinstance(visible, bool):
            report.add(f"visible must be true or false, got {quote(visible)}", index=index)
        _check_point((item["x"], item["y"]), report, index, scope.obj, "keypoint")
        result.append(head | {"x": item["x"], "y": item["y"], "visible": visible} | tail)
    return result
