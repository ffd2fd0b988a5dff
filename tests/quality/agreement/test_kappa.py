from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score

from labelwright.errors import Invalid
from labelwright.quality import Ratings
from labelwright.quality.agreement import cohen_kappa, fleiss_kappa, percent_agreement

pairs = st.integers(2, 40).flatmap(
    lambda n: st.tuples(
        st.lists(st.integers(0, 4), min_size=n, max_size=n),
        st.lists(st.integers(0, 4), min_size=n, max_size=n),
    )
)


@settings(settings.get_profile("quality"))
@given(pairs, st.sampled_from(["none", "linear", "quadratic"]))
def test_equals_sklearn_cohen_kappa(data: tuple[list[int], list[int]], weights: str) -> None:
    a, b = data
    ours = cohen_kappa(a, b, weights=weights)  # type: ignore[arg-type]
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = cohen_kappa_score(a, b, weights=None if weights == "none" else weights)
    if np.isnan(theirs):  # sklearn's 0/0: both raters used one and the same label
        assert ours == 1.0
    else:
        assert ours == pytest.approx(theirs, abs=1e-9)


@settings(settings.get_profile("quality"))
@given(pairs)
def test_cohen_kappa_is_symmetric_bounded_and_invariant_to_renaming(
    data: tuple[list[int], list[int]],
) -> None:
    a, b = data
    kappa = cohen_kappa(a, b)
    assert kappa == pytest.approx(cohen_kappa(b, a), abs=1e-12)
    assert -1.0 - 1e-12 <= kappa <= 1.0 + 1e-12
    names = ["w", "x", "y", "z", "v"]
    assert kappa == pytest.approx(
        cohen_kappa([names[i] for i in a], [names[i] for i in b]), abs=1e-12
    )
    assert cohen_kappa(a, a) == 1.0


def test_cohen_kappa_textbook_example() -> None:
    # 50 items: yes/yes 20, yes/no 5, no/yes 10, no/no 15 -> p_o 0.7, p_e 0.5, kappa 0.4.
    a = ["yes"] * 25 + ["no"] * 25
    b = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    assert cohen_kappa(a, b) == pytest.approx(0.4)


def test_cohen_kappa_rejects_unequal_or_empty_input() -> None:
    with pytest.raises(Invalid):
        cohen_kappa([1, 2], [1])
    with pytest.raises(Invalid):
        cohen_kappa([], [])
    with pytest.raises(Invalid, match="weights"):
        cohen_kappa([1], [1], weights="cubic")  # type: ignore[arg-type]


def test_fleiss_kappa_matches_fleiss_1971_style_worked_example() -> None:
    # The 10 subjects x 14 raters x 5 categories example (Wikipedia, "Fleiss' kappa"):
    # kappa = 0.210.
    counts = [
        [0, 0, 0, 0, 14],
        [0, 2, 6, 4, 2],
        [0, 0, 3, 5, 6],
        [0, 3, 9, 2, 0],
        [2, 2, 8, 1, 1],
        [7, 7, 0, 0, 0],
        [3, 2, 6, 3, 0],
        [2, 5, 3, 2, 2],
        [6, 5, 2, 1, 0],
        [0, 2, 2, 3, 7],
    ]
    items, values = [], []
    for i, row in enumerate(counts):
        for c, n in enumerate(row):
            items += [i] * n
            values += [c] * n
    raters = [r for row in counts for r in range(sum(row))]
    ratings = Ratings.from_arrays(items, raters, values)
    assert fleiss_kappa(ratings) == pytest.approx(0.210, abs=5e-4)


def test_fleiss_kappa_needs_equal_rater_counts() -> None:
    with pytest.raises(Invalid, match="same number"):
        fleiss_kappa(Ratings.from_matrix([[0, 1, float("nan")], [1, 1, 1]]))
    assert fleiss_kappa(Ratings.from_matrix([[2, 2], [2, 2]])) == 1.0


def test_percent_agreement_counts_agreeing_pairs() -> None:
    ratings = Ratings.from_matrix([[0, 0, 0], [0, 0, 1], [0, 1, 2]])
    assert percent_agreement(ratings) == pytest.approx((1 + 1 / 3 + 0) / 3)
    with pytest.raises(Invalid):
        percent_agreement(Ratings.from_matrix([[0, float("nan")]]))
