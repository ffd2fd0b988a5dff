from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwright.errors import Invalid
from labelwright.quality.agreement import match_regions, region_overlap

box = st.fixed_dictionaries(
    {
        "x": st.integers(0, 200),
        "y": st.integers(0, 200),
        "w": st.integers(1, 60),
        "h": st.integers(1, 60),
        "label": st.sampled_from(["car", "person"]),
    }
)


@settings(settings.get_profile("quality"))
@given(st.lists(box, max_size=6), st.lists(box, max_size=6))
def test_matching_is_symmetric_bounded_and_one_to_one(a: list, b: list) -> None:
    ab = match_regions(a, b, kind="boxes")
    ba = match_regions(b, a, kind="boxes")
    assert ab.f1 == pytest.approx(ba.f1) and ab.geometric_f1 == pytest.approx(ba.geometric_f1)
    assert 0.0 <= ab.f1 <= ab.geometric_f1 <= 1.0
    assert len({m.a for m in ab.matches}) == len(ab.matches) == len({m.b for m in ab.matches})
    assert all(m.overlap >= 0.5 for m in ab.matches)
    assert match_regions(a, a, kind="boxes").f1 == 1.0


@settings(settings.get_profile("quality"))
@given(st.lists(box, max_size=6), st.randoms(use_true_random=False))
def test_order_of_regions_does_not_change_the_scores(a: list, rnd) -> None:  # type: ignore[no-untyped-def]
    b = [r | {"x": r["x"] + 2} for r in a]
    shuffled = list(b)
    rnd.shuffle(shuffled)
    assert match_regions(a, b, kind="boxes").f1 == pytest.approx(
        match_regions(a, shuffled, kind="boxes").f1
    )


def test_planted_jitter_and_label_errors_are_recovered() -> None:
    rng = np.random.default_rng(0)
    truth = [
        {"x": float(x), "y": float(y), "w": 40.0, "h": 40.0, "label": "car"}
        for x, y in rng.integers(0, 1000, (30, 2)) * [1, 1]
    ]
    truth = [t | {"x": 50.0 * i} for i, t in enumerate(truth)]  # keep them apart
    noisy = [t | {"x": t["x"] + rng.normal(0, 2), "y": t["y"] + rng.normal(0, 2)} for t in truth]
    noisy[0] = noisy[0] | {"label": "person"}
    noisy = noisy[:-3]  # three missed objects
    result = match_regions(truth, noisy, kind="boxes")
    assert len(result.matches) == 27
    assert result.f1 == pytest.approx(2 * 26 / 57)
    assert result.geometric_f1 == pytest.approx(2 * 27 / 57)
    assert result.label_agreement == pytest.approx(26 / 27)
    assert result.mean_overlap > 0.8
    assert result.per_label_f1["person"] == 0.0


def test_empty_sides() -> None:
    nothing = match_regions([], [], kind="boxes")
    assert (nothing.f1, nothing.mean_overlap, nothing.label_agreement) == (1.0, 1.0, 1.0)
    one = match_regions([{"x": 0, "y": 0, "w": 1, "h": 1, "label": "a"}], [], kind="boxes")
    assert (one.f1, one.mean_overlap) == (0.0, 0.0)


def test_every_region_kind_has_an_overlap() -> None:
    poly = {"points": [[0, 0], [4, 0], [4, 4], [0, 4]]}
    assert region_overlap("polygons", poly, poly) == pytest.approx(1.0)
    mask = {"rle": {"size": [2, 2], "counts": [0, 4]}}
    assert region_overlap("masks", mask, mask) == 1.0
    assert region_overlap("keypoints", {"x": 0, "y": 0}, {"x": 0, "y": 0}) == 1.0
    page0 = {"x": 0, "y": 0, "w": 5, "h": 5, "page": 0}
    assert region_overlap("regions", page0, page0) == 1.0
    assert region_overlap("regions", page0, page0 | {"page": 1}) == 0.0
    assert region_overlap("segments", {"start": 0, "end": 2}, {"start": 1, "end": 2}) == 0.5
    assert region_overlap("spans", {"start": 0, "end": 2}, {"start": 0, "end": 2, "page": 1}) == 0
    with pytest.raises(Invalid):
        region_overlap("cubes", {}, {})  # type: ignore[arg-type]
    with pytest.raises(Invalid, match="threshold"):
        match_regions([], [], kind="boxes", threshold=0)
