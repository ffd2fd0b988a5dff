"""One-to-one matching of two annotators' regions, and the agreement it implies.

Works for every region control: boxes, polygons, masks, keypoints, document regions, time
segments and text spans. Regions are matched by the Hungarian algorithm
(`scipy.optimize.linear_sum_assignment`) on their overlap; a pair counts as matched when its
overlap reaches the threshold.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from scipy.optimize import linear_sum_assignment

from labelwright import errors
from labelwright.quality.agreement.geometry import (
    box_iou,
    interval_iou,
    keypoint_similarity,
    mask_iou,
    polygon_iou,
)

RegionKind = Literal["boxes", "polygons", "masks", "keypoints", "regions", "segments", "spans"]
REGION_KINDS: tuple[RegionKind, ...] = (
    "boxes",
    "polygons",
    "masks",
    "keypoints",
    "regions",
    "segments",
    "spans",
)
Region = Mapping[str, Any]

# Added to the overlap of same-label pairs so that, among equally good geometric matchings, the
# one that also agrees on labels wins. Far below any meaningful difference in overlap.
_LABEL_TIE_BREAK = 1e-9


@dataclass(frozen=True)
class RegionMatch:
    """One matched pair: index into `a`, index into `b`, their overlap."""

    a: int
    b: int
    overlap: float
    same_label: bool


@dataclass(frozen=True)
class RegionAgreement:
    """How two annotators' regions of one item agree.

    Attributes:
        matches: The matched pairs (overlap at least the threshold).
        n_a: Number of regions of the first annotator.
        n_b: Number of regions of the second annotator.
        f1: Matched-F1 counting only pairs that also agree on the label:
            `2 * same-label matches / (n_a + n_b)`; 1.0 when both have no regions.
        geometric_f1: The same, ignoring labels.
        mean_overlap: Mean overlap (IoU, or keypoint similarity) of the matched pairs; 1.0
            when neither annotator drew anything, 0.0 when nothing matched.
        label_agreement: Share of matched pairs with the same label (1.0 with no matches).
        per_label_f1: Matched-F1 per label over the labels either annotator used.
    """

    matches: tuple[RegionMatch, ...]
    n_a: int
    n_b: int
    f1: float
    geometric_f1: float
    mean_overlap: float
    label_agreement: float
    per_label_f1: Mapping[str, float]


def region_overlap(kind: RegionKind, a: Region, b: Region, *, sigma: float = 10.0) -> float:
    """Overlap of two regions of the same control type, in `[0, 1]`.

    Boxes, polygons, masks, document regions (same page only), segments and spans (same page
    only) use intersection over union; keypoints the OKS term with `sigma` pixels.

    Raises:
        errors.Invalid: `kind` is not a region kind.
    """
    if kind == "boxes":
        return box_iou(a, b)
    if kind == "regions":
        return box_iou(a, b) if a.get("page", 0) == b.get("page", 0) else 0.0
    if kind == "polygons":
        return polygon_iou(a["points"], b["points"])
    if kind == "masks":
        return mask_iou(a["rle"], b["rle"])
    if kind == "keypoints":
        return keypoint_similarity(a, b, sigma=sigma)
    if kind == "segments":
        return interval_iou(a, b)
    if kind == "spans":
        return interval_iou(a, b) if a.get("page") == b.get("page") else 0.0
    raise errors.Invalid(f"'{kind}' is not a region kind; use one of {', '.join(REGION_KINDS)}.")


def match_regions(
    a: Sequence[Region],
    b: Sequence[Region],
    *,
    kind: RegionKind,
    threshold: float = 0.5,
    sigma: float = 10.0,
) -> RegionAgreement:
    """Match two annotators' regions one to one and score the agreement.

    The assignment maximizes the total overlap over pairs whose overlap reaches `threshold`
    (pairs below it cannot be matched), so each region is matched at most once. Labels do not
    constrain the matching (a box drawn in the right place with the wrong label is a matched
    pair with `same_label=False`) but break ties between equally good matchings.

    Args:
        a: Regions of annotator one, in the control's value shape.
        b: Regions of annotator two.
        kind: The control type.
        threshold: Minimum overlap of a match, in `(0, 1]`. 0.5 is the usual IoU threshold;
            1.0 asks for identical regions (exact span match), a tiny value for any overlap.
        sigma: Keypoint tolerance in pixels.

    Returns:
        The matches and the F1 / overlap scores; symmetric in `a` and `b`.

    Raises:
        errors.Invalid: `threshold` outside `(0, 1]` or unknown kind.

    >>> box = {"x": 0, "y": 0, "w": 10, "h": 10, "label": "car"}
    >>> match_regions([box], [box | {"x": 1}], kind="boxes").f1
    1.0
    """
    if not 0.0 < threshold <= 1.0:
        raise errors.Invalid(f"The match threshold must lie in (0, 1], got {threshold}.")
    matrix = np.array(
        [[region_overlap(kind, ra, rb, sigma=sigma) for rb in b] for ra in a], dtype=np.float64
    ).reshape(len(a), len(b))
    # Exact (threshold 1) matches are compared with a little slack for float round-off.
    eligible = matrix >= threshold - 1e-12
    same = np.array(
        [[ra.get("label") == rb.get("label") for rb in b] for ra in a], dtype=bool
    ).reshape(len(a), len(b))
    gain = np.where(eligible, matrix + _LABEL_TIE_BREAK * same, 0.0)
    matches: list[RegionMatch] = []
    if gain.size:
        rows, cols = linear_sum_assignment(gain, maximize=True)
        for i, j in zip(rows.tolist(), cols.tolist(), strict=True):
            if eligible[i, j]:
                matches.append(RegionMatch(i, j, float(matrix[i, j]), bool(same[i, j])))
    return _score(a, b, tuple(matches))


def _score(
    a: Sequence[Region], b: Sequence[Region], matches: tuple[RegionMatch, ...]
) -> RegionAgreement:
    total = len(a) + len(b)
    agreeing = sum(m.same_label for m in matches)
    labels = sorted({str(r.get("label")) for r in (*a, *b)})
    per_label = {}
    for label in labels:
        count = sum(str(r.get("label")) == label for r in (*a, *b))
        hits = sum(m.same_label and str(a[m.a].get("label")) == label for m in matches)
        per_label[label] = 2.0 * hits / count
    return RegionAgreement(
        matches=matches,
        n_a=len(a),
        n_b=len(b),
        f1=2.0 * agreeing / total if total else 1.0,
        geometric_f1=2.0 * len(matches) / total if total else 1.0,
        mean_overlap=(
            float(np.mean([m.overlap for m in matches])) if matches else (0.0 if total else 1.0)
        ),
        label_agreement=agreeing / len(matches) if matches else 1.0,
        per_label_f1=per_label,
    )
