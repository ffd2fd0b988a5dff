from __future__ import annotations

import krippendorff
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from labelwright.errors import Invalid
from labelwright.quality import Ratings
from labelwright.quality.agreement import krippendorff_alpha

NAN = float("nan")
# Krippendorff (2011), "Computing Krippendorff's alpha-reliability", section E: 4 observers,
# 12 units, values 1-5, missing data.
KRIPPENDORFF_2011 = np.array(
    [
        [1, 1, NAN, 1],
        [2, 2, 3, 2],
        [3, 3, 3, 3],
        [3, 3, 3, 3],
        [2, 2, 2, 2],
        [1, 2, 3, 4],
        [4, 4, 4, 4],
        [1, 1, 2, 1],
        [2, 2, 2, 2],
        [NAN, 5, 5, 5],
        [NAN, NAN, 1, 1],
        [NAN, NAN, 3, NAN],
    ]
)

matrices = arrays(
    np.float64,
    st.tuples(st.integers(2, 12), st.integers(2, 5)),
    elements=st.one_of(st.integers(1, 5).map(float), st.just(NAN)),
)


def _pairable(matrix: np.ndarray) -> bool:
    counts = (~np.isnan(matrix)).sum(axis=1)
    values = matrix[counts >= 2]
    return bool((counts >= 2).any()) and len(set(values[~np.isnan(values)])) >= 2


@pytest.mark.parametrize(
    ("level", "expected"),
    [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)],
)
def test_matches_krippendorffs_worked_example(level: str, expected: float) -> None:
    alpha = krippendorff_alpha(Ratings.from_matrix(KRIPPENDORFF_2011), level=level)  # type: ignore[arg-type]
    assert alpha == pytest.approx(expected, abs=5e-4)


@settings(settings.get_profile("quality"))
@given(matrices, st.sampled_from(["nominal", "ordinal", "interval", "ratio"]))
def test_equals_the_krippendorff_package(matrix: np.ndarray, level: str) -> None:
    if not _pairable(matrix):
        return
    ours = krippendorff_alpha(Ratings.from_matrix(matrix), level=level)  # type: ignore[arg-type]
    theirs = krippendorff.alpha(reliability_data=matrix.T, level_of_measurement=level)
    assert ours == pytest.approx(theirs, abs=1e-9)


@settings(settings.get_profile("quality"))
@given(matrices, st.randoms(use_true_random=False))
def test_does_not_depend_on_rater_or_item_order(matrix: np.ndarray, rnd) -> None:  # type: ignore[no-untyped-def]
    if not _pairable(matrix):
        return
    rows, cols = list(range(matrix.shape[0])), list(range(matrix.shape[1]))
    rnd.shuffle(rows)
    rnd.shuffle(cols)
    shuffled = matrix[rows][:, cols]
    for level in ("nominal", "ordinal", "interval"):
        a = krippendorff_alpha(Ratings.from_matrix(matrix), level=level)  # type: ignore[arg-type]
        b = krippendorff_alpha(Ratings.from_matrix(shuffled), level=level)  # type: ignore[arg-type]
        assert a == pytest.approx(b, abs=1e-12)


@settings(settings.get_profile("quality"))
@given(matrices)
def test_nominal_alpha_is_invariant_to_renaming_labels(matrix: np.ndarray) -> None:
    if not _pairable(matrix):
        return
    renamed = np.where(np.isnan(matrix), NAN, 100.0 - 7.0 * matrix)
    a = krippendorff_alpha(Ratings.from_matrix(matrix))
    assert a == pytest.approx(krippendorff_alpha(Ratings.from_matrix(renamed)), abs=1e-12)
    assert a <= 1.0


@settings(settings.get_profile("quality"))
@given(st.lists(st.integers(0, 4), min_size=2, max_size=30), st.integers(2, 5))
def test_identical_ratings_give_perfect_agreement(values: list[int], raters: int) -> None:
    matrix = np.repeat(np.array(values, dtype=float)[:, None], raters, axis=1)
    for level in ("nominal", "ordinal", "interval", "ratio"):
        assert krippendorff_alpha(Ratings.from_matrix(matrix), level=level) == 1.0  # type: ignore[arg-type]


def test_planted_noise_lowers_alpha_in_order() -> None:
    rng = np.random.default_rng(7)
    truth = rng.integers(0, 4, 2000)
    alphas = []
    for noise in (0.0, 0.2, 0.5, 1.0):
        flip = rng.random((2000, 3)) < noise
        matrix = np.where(flip, rng.integers(0, 4, (2000, 3)), truth[:, None]).astype(float)
        alphas.append(krippendorff_alpha(Ratings.from_matrix(matrix)))
    assert alphas[0] == 1.0
    assert alphas == sorted(alphas, reverse=True)
    assert abs(alphas[-1]) < 0.05  # pure noise is chance level


def test_no_item_rated_twice_is_invalid() -> None:
    with pytest.raises(Invalid, match="rated twice"):
        krippendorff_alpha(Ratings.from_matrix([[1, NAN], [NAN, 2]]))
    with pytest.raises(Invalid):
        krippendorff_alpha(Ratings.from_arrays([], [], []))


def test_unknown_level_and_negative_ratio_values_are_invalid() -> None:
    ratings = Ratings.from_matrix([[1, 2], [2, 2]])
    with pytest.raises(Invalid, match="Unknown level"):
        krippendorff_alpha(ratings, level="cardinal")  # type: ignore[arg-type]
    with pytest.raises(Invalid, match="non-negative"):
        krippendorff_alpha(Ratings.from_matrix([[-1, 2], [2, 2]]), level="ratio")


def test_single_value_everywhere_is_defined_as_perfect() -> None:
    assert krippendorff_alpha(Ratings.from_matrix([[3, 3], [3, NAN]])) == 1.0


def _nominal_reference(items: np.ndarray, values: np.ndarray) -> float:
    """Nominal alpha from the textbook formula with plain dictionaries."""
    from collections import Counter

    units: dict[int, list[float]] = {}
    for i, v in zip(items.tolist(), values.tolist(), strict=True):
        units.setdefault(i, []).append(v)
    units = {u: vs for u, vs in units.items() if len(vs) >= 2}
    n = sum(len(vs) for vs in units.values())
    observed = sum(
        (len(vs) ** 2 - sum(c * c for c in Counter(vs).values())) / (len(vs) - 1)
        for vs in units.values()
    )
    totals = Counter(v for vs in units.values() for v in vs)
    return 1.0 - (n - 1) * observed / (n * n - sum(c * c for c in totals.values()))


def test_many_distinct_values_use_the_sparse_path_with_the_same_result() -> None:
    rng = np.random.default_rng(3)
    items = np.repeat(np.arange(3000), 2)
    values = rng.integers(0, 3000, items.size).astype(float)
    values[1::2] = np.where(rng.random(3000) < 0.7, values[::2], values[1::2])
    ours = krippendorff_alpha(Ratings.from_arrays(items, np.tile([0, 1], 3000), values))
    assert ours == pytest.approx(_nominal_reference(items, values), abs=1e-9)
