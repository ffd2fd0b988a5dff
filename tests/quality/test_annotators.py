from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import norm

from labelwright.errors import Invalid
from labelwright.quality import (
    Ratings,
    agreement_matrix,
    categorical_pairs,
    drift_test,
    encode_ratings,
    rater_accuracy,
)


def test_drift_z_test_golden_value() -> None:
    # p_past = 0.9 (n 200), p_recent = 0.8 (n 200): pooled 0.85,
    # se = sqrt(0.85 * 0.15 * (2 / 200)), z = -0.1 / se.
    result = drift_test(180, 200, 160, 200)
    z = -0.1 / math.sqrt(0.85 * 0.15 * 0.01)
    assert result.method == "z-test"
    assert result.p_value == pytest.approx(norm.cdf(z))
    assert result.drifted


def test_small_samples_use_fishers_exact_test() -> None:
    result = drift_test(10, 10, 2, 6)
    assert result.method == "fisher-exact" and result.drifted
    assert drift_test(9, 10, 4, 5).drifted is False


def test_improvement_and_empty_periods_never_drift() -> None:
    assert drift_test(50, 100, 90, 100).drifted is False
    assert drift_test(0, 0, 5, 10).method == "none"
    assert drift_test(10, 10, 10, 10).p_value == 1.0
    with pytest.raises(Invalid):
        drift_test(5, 4, 1, 1)
    with pytest.raises(Invalid):
        drift_test(1, 1, 1, 1, alpha=1.5)


@settings(settings.get_profile("quality"))
@given(st.integers(0, 60), st.integers(0, 60), st.integers(0, 60), st.integers(0, 60))
def test_drift_p_value_is_a_probability(a: int, b: int, c: int, d: int) -> None:
    result = drift_test(min(a, b), max(a, b), min(c, d), max(c, d))
    assert 0.0 <= result.p_value <= 1.0


def test_rater_accuracy_against_a_reference() -> None:
    ratings = Ratings.from_matrix([[0, 1, 0], [1, 1, 0], [2, 2, 2]])
    accuracy = rater_accuracy(ratings, [0, 1, -1])
    assert accuracy.hits.tolist() == [2, 1, 1]
    assert accuracy.totals.tolist() == [2, 2, 2]
    assert accuracy.accuracy.tolist() == [1.0, 0.5, 0.5]
    with pytest.raises(Invalid):
        rater_accuracy(ratings, [0])


def test_agreement_matrix_from_categorical_pairs() -> None:
    encoded = encode_ratings(
        [
            ("t1", "ann", "a"),
            ("t1", "bob", "a"),
            ("t1", "cid", "b"),
            ("t2", "ann", "b"),
            ("t2", "bob", "a"),
        ]
    )
    a, b, s = categorical_pairs(encoded.ratings)
    assert len(s) == 4  # three pairs on t1, one on t2
    matrix = agreement_matrix(a, b, s, n_raters=4)
    ann, bob, cid = (encoded.raters.index(x) for x in ("ann", "bob", "cid"))
    assert matrix.mean[ann, bob] == pytest.approx(0.5) and matrix.counts[ann, bob] == 2
    assert matrix.mean[ann, cid] == 0.0 and matrix.mean[ann, ann] == 1.0
    assert np.isnan(matrix.mean[3, 0]) and matrix.counts[3, 0] == 0
    assert np.allclose(np.nan_to_num(matrix.mean), np.nan_to_num(matrix.mean.T))
    with pytest.raises(Invalid):
        agreement_matrix([0], [1, 2], [1.0], n_raters=3)


def test_ratings_validation_and_encoding() -> None:
    with pytest.raises(Invalid, match="same length"):
        Ratings.from_arrays([0], [0, 1], [1])
    with pytest.raises(Invalid, match="finite"):
        Ratings.from_arrays([0], [0], [float("nan")])
    with pytest.raises(Invalid, match="indices"):
        Ratings.from_arrays([3], [0], [1], n_items=2)
    with pytest.raises(Invalid, match="2-D"):
        Ratings.from_matrix([1, 2])
    with pytest.raises(Invalid, match="not one of"):
        encode_ratings([("t", "a", "x")], classes=["y"])
    with pytest.raises(Invalid, match="numbers"):
        encode_ratings([("t", "a", "x")], numeric=True)
    mixed = encode_ratings([("t", "a", 1), ("t", "b", "one")])
    assert len(mixed.classes) == 2
    repeated = encode_ratings([("t", "a", "x"), ("t", "a", "y")])
    assert repeated.ratings.size == 1 and repeated.classes == ("y",)
