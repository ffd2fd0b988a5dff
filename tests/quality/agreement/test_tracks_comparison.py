from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import kendalltau

from labelwright.errors import Invalid
from labelwright.quality.agreement import interpolate_track, kendall_tau, track_agreement


def _track(track_id: str, x0: float, x1: float, *, label: str = "car", frames: int = 10) -> dict:
    return {
        "id": track_id,
        "label": label,
        "keyframes": [
            {"frame": 0, "x": x0, "y": 0, "w": 10, "h": 10, "outside": False},
            {"frame": frames, "x": x1, "y": 0, "w": 10, "h": 10, "outside": False},
        ],
    }


def test_interpolation_is_linear_and_outside_hides_the_object() -> None:
    boxes = interpolate_track(_track("1", 0, 100))
    assert boxes[5]["x"] == 50.0 and set(boxes) == set(range(11))
    hidden = {
        "keyframes": [
            {"frame": 0, "x": 0, "y": 0, "w": 1, "h": 1},
            {"frame": 3, "x": 9, "y": 0, "w": 1, "h": 1, "outside": True},
            {"frame": 6, "x": 9, "y": 0, "w": 1, "h": 1},
        ]
    }
    frames = interpolate_track(hidden)
    assert sorted(frames) == [0, 1, 2, 6]
    assert frames[2]["x"] == 0.0  # holds still before it leaves the view


def test_identical_tracks_agree_fully() -> None:
    tracks = [_track("1", 0, 100), _track("2", 200, 300)]
    result = track_agreement(tracks, tracks)
    assert (result.f1, result.mean_iou, result.id_switches, result.frames) == (1.0, 1.0, 0, 11)


def test_swapped_identities_count_id_switches() -> None:
    # Two objects cross paths; annotator b swaps which track follows which after frame 5.
    a = [_track("1", 0, 100), _track("2", 100, 0)]
    b = [
        {
            "id": "p",
            "label": "car",
            "keyframes": [
                {"frame": 0, "x": 0, "y": 0, "w": 10, "h": 10},
                {"frame": 5, "x": 50, "y": 0, "w": 10, "h": 10},
                {"frame": 6, "x": 40, "y": 0, "w": 10, "h": 10},
                {"frame": 10, "x": 0, "y": 0, "w": 10, "h": 10},
            ],
        },
        {
            "id": "q",
            "label": "car",
            "keyframes": [
                {"frame": 0, "x": 100, "y": 0, "w": 10, "h": 10},
                {"frame": 5, "x": 50, "y": 0, "w": 10, "h": 10},
                {"frame": 6, "x": 60, "y": 0, "w": 10, "h": 10},
                {"frame": 10, "x": 100, "y": 0, "w": 10, "h": 10},
            ],
        },
    ]
    result = track_agreement(a, b)
    assert result.id_switches >= 2
    assert result.f1 > 0.8
    assert track_agreement(a, b).f1 == pytest.approx(track_agreement(b, a).f1)
    assert track_agreement([], []).f1 == 1.0


def test_kendall_tau_golden_values_and_ties() -> None:
    assert kendall_tau(["a", "b", "c"], ["a", "b", "c"]) == 1.0
    assert kendall_tau(["a", "b", "c"], ["c", "b", "a"]) == -1.0
    assert kendall_tau([["a", "b", "c"]], [["a", "b", "c"]]) == 1.0
    assert kendall_tau([["a", "b"]], ["a", "b"]) == 0.0
    with pytest.raises(Invalid):
        kendall_tau(["a", "b"], ["a", "c"])


@settings(settings.get_profile("quality"))
@given(st.permutations(list("abcdef")), st.permutations(list("abcdef")))
def test_kendall_tau_equals_scipy_and_is_symmetric(a: list[str], b: list[str]) -> None:
    expected = kendalltau([a.index(x) for x in "abcdef"], [b.index(x) for x in "abcdef"])
    assert kendall_tau(a, b) == pytest.approx(expected.statistic)
    assert kendall_tau(a, b) == pytest.approx(kendall_tau(b, a))
