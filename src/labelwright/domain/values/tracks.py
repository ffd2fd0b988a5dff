"""Values of `tracks` controls: objects followed through a video by keyframed boxes."""

from __future__ import annotations

from typing import Any

from labelwright.domain.controls import TracksControl
from labelwright.domain.values._primitives import (
    REGION_KEYS,
    is_integer,
    quote,
    read_item,
    read_list,
    read_region,
)
from labelwright.domain.values._report import Report, Scope
from labelwright.domain.values.geometry import BOX_KEYS, check_box


def validate_tracks(control: TracksControl, value: Any, scope: Scope, report: Report) -> Any:
    """`[{id?, label, keyframes: [{frame, x, y, w, h, outside?}], attributes?, score?}]`.

    Keyframes are sorted by strictly increasing 0-based `frame` (below the video's frame count
    when known); boxes are in source pixels inside the frame when its size is known. `outside`
    (default false) marks where the object leaves the view; frames between keyframes are
    interpolated by the player.
    """
    items = read_list(value, report, "tracks")
    if items is None:
        return None
    result = []
    for index, raw in enumerate(items):
        item = read_item(raw, report, index, required=("label", "keyframes"), optional=REGION_KEYS)
        if item is None:
            continue
        head, tail = read_region(item, control.label_names, control.attributes, report, index)
        keyframes = _keyframes(item["keyframes"], scope, report, index)
        result.append(head | {"keyframes": keyframes} | tail)
    return result


def _keyframes(value: Any, scope: Scope, report: Report, index: int) -> list[dict[str, Any]]:
    if not isinstance(value, list | tuple) or not value:
        report.add("keyframes must be a non-empty list", index=index)
        return []
    obj = scope.obj
    frames = obj.frames if obj is not None else None
    width, height = (obj.width, obj.height) if obj is not None else (None, None)
    previous = -1
    result = []
    for position, raw in enumerate(value):
        what = f"keyframe {position}"
        keyframe = read_item(
            raw,
            report,
            index,
            required=("frame", *BOX_KEYS),
            optional=("outside",),
            where=f"{what}: ",
        )
        if keyframe is None:
            continue
        frame = keyframe["frame"]
        if not is_integer(frame) or frame < 0:
            report.add(f"{what}: frame must be an integer >= 0, got {quote(frame)}", index=index)
            continue
        frame = int(frame)
        if frame <= previous:
            report.add(
                f"{what}: frame {frame} does not come after frame {previous}; keyframes must be "
                "sorted by unique frame",
                index=index,
            )
        if frames is not None and frame >= frames:
            report.add(f"{what}: frame {frame} is beyond the video's {frames} frames", index=index)
        outside = keyframe.get("outside", False)
        if not isinstance(outside, bool):
            report.add(f"{what}: outside must be true or false, got {quote(outside)}", index=index)
        check_box(keyframe, report, index, width=width, height=height, what=f"{what} box")
        previous = max(previous, frame)
        result.append(
            {"frame": frame, **{key: keyframe[key] for key in BOX_KEYS}, "outside": outside}
        )
    return result
