"""Agreement of video tracks: per-frame IoU after interpolating keyframes, and ID switches."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from labelwright.quality.agreement.regions import match_regions

Track = Mapping[str, Any]
_BOX = ("x", "y", "w", "h")


def interpolate_track(track: Track) -> dict[int, dict[str, float]]:
    """The track's box on every frame it is visible, `{frame: {x, y, w, h}}`.

    Between two keyframes the box moves linearly. A keyframe with `outside: true` hides the
    object from that frame until the next keyframe; before a hiding keyframe the box holds
    still (there is nothing to interpolate towards). The track ends at its last keyframe
    (the video's length is not known here).

    >>> track = {"keyframes": [{"frame": 0, "x": 0, "y": 0, "w": 2, "h": 2},
    ...                        {"frame": 2, "x": 4, "y": 0, "w": 2, "h": 2}]}
    >>> interpolate_track(track)[1]["x"]
    2.0
    """
    keyframes = sorted(track["keyframes"], key=lambda k: int(k["frame"]))
    boxes: dict[int, dict[str, float]] = {}
    for current, following in zip(keyframes, [*keyframes[1:], None], strict=True):
        if current.get("outside"):
            continue
        start = int(current["frame"])
        stop = int(following["frame"]) if following is not None else start + 1
        glide = following is not None and not following.get("outside")
        for frame in range(start, stop):
            t = (frame - start) / (stop - start) if glide else 0.0
            boxes[frame] = {
                k: float(current[k]) + t * (float(following[k]) - float(current[k]))
                if glide
                else float(current[k])
                for k in _BOX
            }
    return boxes


@dataclass(frozen=True)
class TrackAgreement:
    """How two annotators' tracks of one video agree.

    Attributes:
        f1: Matched-F1 over (frame, object) boxes, label-aware, IoU >= threshold per frame.
        mean_iou: Mean IoU of the matched boxes (1.0 if neither has a box, 0.0 if none match).
        id_switches: Times a track (of either annotator) is matched to a different partner
            track than on its previous matched frame, as in the MOT CLEAR metrics (Bernardin &
            Stiefelhagen 2008), counted from both sides so the score is symmetric.
        frames: Frames on which at least one annotator has a box.
    """

    f1: float
    mean_iou: float
    id_switches: int
    frames: int


def track_agreement(
    a: Sequence[Track], b: Sequence[Track], *, threshold: float = 0.5
) -> TrackAgreement:
    """Compare two sets of tracks frame by frame after interpolation.

    >>> t = {"id": "1", "label": "car", "keyframes": [{"frame": 0, "x": 0, "y": 0, "w": 4, "h": 4}]}
    >>> track_agreement([t], [t]).f1
    1.0
    """
    frames_a = _per_frame(a)
    frames_b = _per_frame(b)
    partner_a: dict[int, int] = {}
    partner_b: dict[int, int] = {}
    switches = agreeing = matched = total = 0
    iou_sum = 0.0
    frames = sorted(set(frames_a) | set(frames_b))
    for frame in frames:
        boxes_a, boxes_b = frames_a.get(frame, []), frames_b.get(frame, [])
        result = match_regions(
            [box for _, box in boxes_a],
            [box for _, box in boxes_b],
            kind="boxes",
            threshold=threshold,
        )
        total += len(boxes_a) + len(boxes_b)
        for m in result.matches:
            ta, tb = boxes_a[m.a][0], boxes_b[m.b][0]
            switches += _switched(partner_a, ta, tb) + _switched(partner_b, tb, ta)
            matched += 1
            agreeing += m.same_label
            iou_sum += m.overlap
    return TrackAgreement(
        f1=2.0 * agreeing / total if total else 1.0,
        mean_iou=iou_sum / matched if matched else (0.0 if total else 1.0),
        id_switches=switches,
        frames=len(frames),
    )


def _per_frame(tracks: Sequence[Track]) -> dict[int, list[tuple[int, dict[str, Any]]]]:
    frames: dict[int, list[tuple[int, dict[str, Any]]]] = {}
    for index, track in enumerate(tracks):
        for frame, box in interpolate_track(track).items():
            frames.setdefault(frame, []).append((index, box | {"label": track.get("label")}))
    return frames


def _switched(partners: dict[int, int], track: int, partner: int) -> int:
    previous = partners.get(track)
    partners[track] = partner
    return int(previous is not None and previous != partner)
