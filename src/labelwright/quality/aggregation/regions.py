"""Consensus regions: cluster matching regions across annotators and fuse each cluster."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from labelwright import errors
from labelwright.quality.agreement.regions import Region, RegionKind, region_overlap

_AVERAGED = {
    "boxes": ("x", "y", "w", "h"),
    "regions": ("x", "y", "w", "h"),
    "segments": ("start", "end"),
    "keypoints": ("x", "y"),
}


@dataclass(frozen=True)
class FusedRegion:
    """One consensus region.

    Attributes:
        region: The fused value in the control's shape (no `id`), with the voted `label`.
        support: Weighted share of annotators who drew a region in this cluster, in `(0, 1]`.
        members: `(annotator index, region index)` of the regions fused.
    """

    region: Mapping[str, Any]
    support: float
    members: tuple[tuple[int, int], ...]


def fuse_regions(
    annotations: Sequence[Sequence[Region]],
    *,
    kind: RegionKind,
    threshold: float = 0.5,
    weights: npt.ArrayLike | None = None,
    min_support: float = 0.5,
    sigma: float = 10.0,
) -> tuple[FusedRegion, ...]:
    """Fuse several annotators' regions of one item into consensus regions.

    Clustering: every region starts alone; cross-annotator pairs are visited by decreasing
    overlap (ties by annotator and region index) and two clusters merge when the pair's
    overlap reaches `threshold` and the clusters share no annotator (so a cluster holds at
    most one region per annotator). Visiting pairs by overlap, not by annotator, makes the
    result independent of the annotators' order. Fusion: boxes, document regions, segments
    and keypoints take the weighted mean of their coordinates; polygons and masks, which
    have no meaningful mean, take the member with the highest weighted overlap to the others
    (the medoid). The label is the weighted vote (ties to the alphabetically first label).
    Clusters supported by less than `min_support` of the total weight are dropped.

    The idea follows weighted box fusion (Solovyev et al. 2021, "Weighted boxes fusion",
    Image and Vision Computing 107) with annotator weights instead of model scores.

    Args:
        annotations: Each annotator's regions of the item.
        kind: The region control type.
        threshold: Minimum overlap to join a cluster.
        weights: `(n_annotators,)` non-negative weights (default 1 each), e.g. gold accuracy.
        min_support: Minimum weighted share of annotators for a region to be kept.
        sigma: Keypoint tolerance in pixels.

    Raises:
        errors.Invalid: Wrong number of weights, or all weights 0.

    >>> a = [{"x": 0, "y": 0, "w": 10, "h": 10, "label": "car"}]
    >>> b = [{"x": 2, "y": 0, "w": 10, "h": 10, "label": "car"}]
    >>> fuse_regions([a, b], kind="boxes")[0].region["x"]
    1.0
    """
    w = np.ones(len(annotations)) if weights is None else np.asarray(weights, dtype=np.float64)
    if w.shape != (len(annotations),) or np.any(w < 0) or (w.size and w.sum() <= 0):
        raise errors.Invalid("Give one non-negative weight per annotator, not all zero.")
    nodes = [(a, r) for a, regions in enumerate(annotations) for r in range(len(regions))]
    parent = list(range(len(nodes)))
    raters = [{a} for a, _ in nodes]
    edges = []
    for x, (ax, rx) in enumerate(nodes):
        for y in range(x + 1, len(nodes)):
            ay, ry = nodes[y]
            if ax != ay:
                o = region_overlap(kind, annotations[ax][rx], annotations[ay][ry], sigma=sigma)
                if o >= threshold:
                    edges.append((-o, x, y))
    for _, x, y in sorted(edges):
        rx, ry = _root(parent, x), _root(parent, y)
        if rx != ry and not (raters[rx] & raters[ry]):
            parent[ry] = rx
            raters[rx] |= raters[ry]
    clusters: dict[int, list[int]] = {}
    for x in range(len(nodes)):
        clusters.setdefault(_root(parent, x), []).append(x)
    total = float(w.sum())
    fused = []
    for members in clusters.values():
        pairs = tuple(nodes[m] for m in members)
        support = float(sum(w[a] for a, _ in pairs)) / total
        if support + 1e-12 >= min_support:
            fused.append(FusedRegion(_fuse(kind, annotations, pairs, w, sigma), support, pairs))
    return tuple(sorted(fused, key=lambda f: (-f.support, f.members)))


def _root(parent: list[int], x: int) -> int:
    while parent[x] != x:
        parent[x] = parent[parent[x]]
        x = parent[x]
    return x


def _fuse(
    kind: RegionKind,
    annotations: Sequence[Sequence[Region]],
    pairs: tuple[tuple[int, int], ...],
    w: np.ndarray,
    sigma: float,
) -> dict[str, Any]:
    regions = [annotations[a][r] for a, r in pairs]
    weights = np.array([w[a] for a, _ in pairs], dtype=np.float64)
    if weights.sum() <= 0:
        weights = np.ones(len(pairs))
    votes: dict[str, float] = {}
    for region, weight in zip(regions, weights, strict=True):
        votes[str(region.get("label"))] = votes.get(str(region.get("label")), 0.0) + weight
    label = min(votes, key=lambda name: (-votes[name], name))
    if kind in _AVERAGED:
        keys = _AVERAGED[kind]
        base = {k: v for k, v in regions[0].items() if k not in ("id", "score", "attributes")}
        for key in keys:
            base[key] = float(np.average([float(r[key]) for r in regions], weights=weights))
        if kind == "boxes" and any(r.get("rotation") for r in regions):
            base["rotation"] = float(
                np.average([float(r.get("rotation") or 0) for r in regions], weights=weights)
            )
        return base | {"label": label}
    # Medoid: the member that overlaps the others most (weighted); first on ties.
    scores = [
        sum(
            weights[j] * region_overlap(kind, regions[i], regions[j], sigma=sigma)
            for j in range(len(regions))
            if j != i
        )
        for i in range(len(regions))
    ]
    best = regions[int(np.argmax(scores))]
    return {k: v for k, v in best.items() if k not in ("id", "score")} | {"label": label}
