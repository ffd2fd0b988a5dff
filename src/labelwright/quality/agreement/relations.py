"""Agreement of relations between regions, through a matching of the regions they link."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from labelwright.quality.agreement.regions import REGION_KINDS, Region, RegionKind, match_regions

Relation = Mapping[str, Any]
RegionIndex = Mapping[str, tuple[RegionKind, Region]]
"""Region id -> (control type, region) of one annotation."""


def relation_f1(
    a: Sequence[Relation],
    b: Sequence[Relation],
    *,
    regions_a: RegionIndex,
    regions_b: RegionIndex,
    threshold: float = 0.5,
) -> float:
    """F1 of two annotators' relations `[{from, to, label?}]`.

    Region ids are private to each annotation, so the regions are first matched one to one per
    control type (`match_regions`, overlap >= `threshold`; tracks are not matched, so relations
    between tracks never agree); a relation of `a` agrees with one of `b` when both ends map
    onto that relation's ends and the labels are equal.
    `F1 = 2 * agreeing / (|a| + |b|)`, 1.0 when neither has relations.

    >>> box = {"x": 0, "y": 0, "w": 4, "h": 4, "label": "car"}
    >>> ra = {"1": ("boxes", box), "2": ("boxes", box | {"x": 9})}
    >>> rb = {"p": ("boxes", box), "q": ("boxes", box | {"x": 9})}
    >>> relation_f1([{"from": "1", "to": "2"}], [{"from": "p", "to": "q"}], regions_a=ra,
    ...             regions_b=rb)
    1.0
    """
    if not a and not b:
        return 1.0
    mapping = _map_regions(regions_a, regions_b, threshold)
    wanted = {(r["from"], r["to"], r.get("label")) for r in b}
    agreeing = sum(
        (mapping.get(r["from"]), mapping.get(r["to"]), r.get("label")) in wanted for r in a
    )
    return 2.0 * agreeing / (len(a) + len(b))


def _map_regions(
    regions_a: RegionIndex, regions_b: RegionIndex, threshold: float
) -> dict[str, str]:
    mapping: dict[str, str] = {}
    kinds = {kind for kind, _ in regions_a.values()} & {kind for kind, _ in regions_b.values()}
    # Tracks live in time as well as space; relations between tracks are not compared.
    kinds &= set(REGION_KINDS)
    for kind in sorted(kinds):
        ids_a = sorted(i for i, (k, _) in regions_a.items() if k == kind)
        ids_b = sorted(i for i, (k, _) in regions_b.items() if k == kind)
        result = match_regions(
            [regions_a[i][1] for i in ids_a],
            [regions_b[i][1] for i in ids_b],
            kind=kind,
            threshold=threshold,
        )
        mapping.update({ids_a[m.a]: ids_b[m.b] for m in result.matches})
    return mapping
