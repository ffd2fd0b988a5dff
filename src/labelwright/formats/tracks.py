"""Video tracks frame by frame: interpolating keyframes out, and keyframes back from frames.

A track's box on frame `f` between keyframes `a <= f < b` is `a`'s box when `a` is `outside`
(the object is hidden: no box), else linear interpolation from `a` to `b`, unless `b` is
`outside`, in which case `a`'s box is held. The track ends at its last keyframe.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

BOX = ("x", "y", "w", "h")
_TOLERANCE = 1e-6


@dataclass(frozen=True)
class FrameBox:
    """A track's box on one frame."""

    frame: int
    x: float
    y: float
    w: float
    h: float
    keyframe: bool


def track_frames(keyframes: Sequence[Mapping[str, Any]]) -> Iterator[FrameBox]:
    """Every frame on which the track is visible, in order (see the module docstring)."""
    for index, start in enumerate(keyframes):
        if start.get("outside"):
            continue
        end = keyframes[index + 1] if index + 1 < len(keyframes) else None
        if end is None:
            yield FrameBox(start["frame"], start["x"], start["y"], start["w"], start["h"], True)
            continue
        span = end["frame"] - start["frame"]
        for step in range(span):
            t = 0.0 if end.get("outside") else step / span
            x, y, w, h = (start[k] + (end[k] - start[k]) * t for k in BOX)
            yield FrameBox(start["frame"] + step, x, y, w, h, step == 0)


def track_keyframes(frames: Sequence[FrameBox]) -> list[dict[str, Any]]:
    """The fewest keyframes that give `frames` (sorted by frame) back through `track_frames`.

    A gap in the frame numbers becomes an `outside` keyframe (holding the last box) on the
    first missing frame; a frame whose box lies on the line between its neighbours is dropped.
    """
    runs: list[list[FrameBox]] = []
    for box in frames:
        if runs and box.frame == runs[-1][-1].frame + 1:
            runs[-1].append(box)
        else:
            runs.append([box])
    keyframes: list[dict[str, Any]] = []
    for number, run in enumerate(runs):
        hidden_after = number + 1 < len(runs)
        kept = [run[0]]
        for index in range(1, len(run) - 1):
            if not _on_line(kept[-1], run[index], run[index + 1]):
                kept.append(run[index])
        last = run[-1]
        # Before a gap the last box is held anyway, so an unchanged last frame adds nothing.
        if len(run) > 1 and not (hidden_after and _same_box(kept[-1], last)):
            kept.append(last)
        keyframes += [_keyframe(box) for box in kept]
        if hidden_after:
            keyframes.append(_keyframe(kept[-1]) | {"frame": last.frame + 1, "outside": True})
    return keyframes


def _same_box(a: FrameBox, b: FrameBox) -> bool:
    return all(abs(getattr(a, k) - getattr(b, k)) <= _TOLERANCE for k in BOX)


def _keyframe(box: FrameBox) -> dict[str, Any]:
    return {"frame": box.frame, "x": box.x, "y": box.y, "w": box.w, "h": box.h, "outside": False}


def _on_line(a: FrameBox, b: FrameBox, c: FrameBox) -> bool:
    t = (b.frame - a.frame) / (c.frame - a.frame)
    for key in BOX:
        expected = getattr(a, key) + (getattr(c, key) - getattr(a, key)) * t
        if abs(expected - getattr(b, key)) > _TOLERANCE * max(1.0, abs(expected)):
            return False
    return True
