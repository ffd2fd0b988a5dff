"""Values of `masks` controls: COCO run-length encoded masks at source resolution."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from labelwright import errors
from labelwright.domain.controls import MasksControl
from labelwright.domain.rle import rle_counts, rle_size
from labelwright.domain.values._primitives import (
    REGION_KEYS,
    fmt,
    read_item,
    read_list,
    read_region,
)
from labelwright.domain.values._report import Report, Scope


def validate_masks(control: MasksControl, value: Any, scope: Scope, report: Report) -> Any:
    """`[{id?, rle: {size: [h, w], counts}, label, attributes?, score?}]`.

    `counts` is a COCO counts string or a list of run lengths; they must add up to `h * w`, and
    `size` must equal the image's `[height, width]` when that is known.
    """
    items = read_list(value, report, "masks")
    if items is None:
        return None
    result = []
    for index, raw in enumerate(items):
        item = read_item(raw, report, index, required=("rle", "label"), optional=REGION_KEYS)
        if item is None:
            continue
        head, tail = read_region(item, control.label_names, control.attributes, report, index)
        rle = item["rle"]
        if not isinstance(rle, Mapping) or set(rle) != {"size", "counts"}:
            report.add("rle must be an object with exactly 'size' and 'counts'", index=index)
            continue
        try:
            height, width = rle_size(rle)
            rle_counts(rle)
        except errors.Invalid as exc:
            report.add(exc.message.removesuffix("."), index=index)
            continue
        image = (scope.obj.height, scope.obj.width) if scope.obj is not None else (None, None)
        if None not in image and (height, width) != image:
            report.add(
                f"mask size {height}x{width} (h x w) differs from the image's "
                f"{fmt(image[0])}x{fmt(image[1])}",
                index=index,
            )
        counts = rle["counts"]
        result.append(head | {"rle": {"size": [height, width], "counts": _plain(counts)}} | tail)
    return result


def _plain(counts: Any) -> Any:
    if isinstance(counts, bytes):  # pycocotools gives bytes; JSON wants text
        return counts.decode("ascii")
    return [int(c) for c in counts] if isinstance(counts, list | tuple) else counts
