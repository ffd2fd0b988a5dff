"""Scoring one gold (honeypot) answer against the expected result, control by control.

Per control, a score in [0, 1]:

- categorical values (`choice`, `rating`, `number`, `textarea`, `pairwise`, `ranking`,
  `rubric`, ...): 1 when equal, else 0;
- `choices`: Jaccard similarity of the two label sets;
- regions with boxes (`boxes`, `regions`), `polygons` (by their bounding boxes) and temporal
  `segments`/`transcript`: F1 of a greedy one-to-one matching of same-label items with
  IoU >= 0.5;
- `spans`: F1 of same-label spans that overlap.

Region ids are ignored. The task's score is the mean over the controls present in either
result. Both empty: 1.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

IOU_MATCH = 0.5


@dataclass(frozen=True)
class GoldScore:
    """`score` is the mean of `per_control` (each in [0, 1])."""

    score: float
    per_control: dict[str, float]


def _box(item: Mapping[str, Any]) -> tuple[float, float, float, float]:
    if "points" in item:
        xs = [p[0] for p in item["points"]]
        ys = [p[1] for p in item["points"]]
        return min(xs), min(ys), max(xs), max(ys)
    x, y = float(item["x"]), float(item["y"])
    return x, y, x + float(item["w"]), y + float(item["h"])


def _box_iou(a: Mapping[str, Any], b: Mapping[str, Any]) -> float:
    ax0, ay0, ax1, ay1 = _box(a)
    bx0, by0, bx1, by1 = _box(b)
    iw = max(0.0, min(ax1, bx1) - max(ax0, bx0))
    ih = max(0.0, min(ay1, by1) - max(ay0, by0))
    inter = iw * ih
    union = (ax1 - ax0) * (ay1 - ay0) + (bx1 - bx0) * (by1 - by0) - inter
    return inter / union if union > 0 else float(a == b)


def _time_iou(a: Mapping[str, Any], b: Mapping[str, Any]) -> float:
    inter = max(0.0, min(a["end"], b["end"]) - max(a["start"], b["start"]))
    union = max(a["end"], b["end"]) - min(a["start"], b["start"])
    return inter / union if union > 0 else 0.0


def _span_overlap(a: Mapping[str, Any], b: Mapping[str, Any]) -> float:
    return 1.0 if min(a["end"], b["end"]) > max(a["start"], b["start"]) else 0.0


def _matched_f1(
    expected: Sequence[Mapping[str, Any]],
    given: Sequence[Mapping[str, Any]],
    similarity: Callable[[Mapping[str, Any], Mapping[str, Any]], float],
    threshold: float,
) -> float:
    if not expected and not given:
        return 1.0
    pairs = sorted(
        (
            (similarity(e, g), i, j)
            for i, e in enumerate(expected)
            for j, g in enumerate(given)
            if e.get("label") == g.get("label")
        ),
        reverse=True,
    )
    used_e: set[int] = set()
    used_g: set[int] = set()
    matched = 0
    for sim, i, j in pairs:
        if sim < threshold:
            break
        if i in used_e or j in used_g:
            continue
        used_e.add(i)
        used_g.add(j)
        matched += 1
    return 2 * matched / (len(expected) + len(given))


def _jaccard(expected: Sequence[str], given: Sequence[str]) -> float:
    a, b = set(expected), set(given)
    return len(a & b) / len(a | b) if a | b else 1.0


def _control_score(control_type: str, expected: Any, given: Any) -> float:
    if expected is None or given is None:
        return float(expected == given)
    if control_type == "choices":
        return _jaccard(expected, given)
    if control_type in ("boxes", "regions", "polygons"):
        return _matched_f1(expected, given, _box_iou, IOU_MATCH)
    if control_type in ("segments", "transcript"):
        return _matched_f1(expected, given, _time_iou, IOU_MATCH)
    if control_type == "spans":
        return _matched_f1(expected, given, _span_overlap, 1.0)
    return float(_without_ids(expected) == _without_ids(given))


def _without_ids(value: Any) -> Any:
    if isinstance(value, list):
        return [_without_ids(v) for v in value]
    if isinstance(value, dict):
        return {k: _without_ids(v) for k, v in value.items() if k != "id"}
    return value


def score_gold_answer(
    control_types: Mapping[str, str], expected: Mapping[str, Any], given: Mapping[str, Any]
) -> GoldScore:
    """Score `given` results against `expected` results (both `{control: value}`).

    Args:
        control_types: control name -> control type, from the labeling schema.
        expected: the gold results.
        given: the annotator's results.

    >>> score_gold_answer({"c": "choice"}, {"c": "a"}, {"c": "a"}).score
    1.0
    """
    names = sorted(set(expected) | set(given))
    per_control = {
        name: _control_score(control_types.get(name, ""), expected.get(name), given.get(name))
        for name in names
    }
    score = sum(per_control.values()) / len(per_control) if per_control else 1.0
    return GoldScore(score=score, per_control=per_control)
