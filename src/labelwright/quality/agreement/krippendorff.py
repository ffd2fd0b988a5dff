"""Krippendorff's alpha for any number of raters, missing ratings and four levels of data."""

from __future__ import annotations

from typing import Literal

import numpy as np
import scipy.sparse as sp

from labelwright import errors
from labelwright.quality.ratings import FloatArray, Ratings

Level = Literal["nominal", "ordinal", "interval", "ratio"]
LEVELS: tuple[Level, ...] = ("nominal", "ordinal", "interval", "ratio")


def krippendorff_alpha(ratings: Ratings, *, level: Level = "nominal") -> float:
    """Krippendorff's alpha reliability coefficient.

    `alpha = 1 - D_o / D_e`, where `D_o` is the observed disagreement within items, from the
    coincidence matrix `o_ck = sum_u (number of c-k pairs in u) / (m_u - 1)`, and `D_e` the
    disagreement expected by chance from the pooled values: `D_o = sum o_ck d2_ck / n` and
    `D_e = sum n_c n_k d2_ck / (n (n - 1))` with the level's metric `d2` (nominal: 0 or 1;
    ordinal: squared rank distance; interval: squared difference; ratio: squared relative
    difference). Only *pairable* values count: items with at least two ratings.

    Krippendorff, K. (2011). Computing Krippendorff's alpha-reliability. Annenberg School for
    Communication, University of Pennsylvania. Krippendorff, K. (2004). Content Analysis, 2nd ed.

    Reading it: 1 is perfect agreement, 0 is chance level, negative is systematic disagreement.
    Krippendorff suggests alpha >= 0.8 for reliable data and 0.667 <= alpha < 0.8 for tentative
    conclusions only.

    Args:
        ratings: Ratings in long format; for nominal data any class codes, for the other
            levels the numbers themselves (ordinal uses only their order).
        level: The level of measurement.

    Returns:
        Alpha in `[-1, 1]` (can go below -1 only in contrived small samples). When every
        pairable value is the same (`D_e = 0`, so also `D_o = 0`) there is nothing to disagree
        on and alpha is defined here as 1.0.

    Raises:
        errors.Invalid: Unknown level, no item with two ratings, or a non-positive value at
            the ratio level.

    >>> r = Ratings.from_matrix([[1, 1], [2, 2], [3, 3], [1, 2]])
    >>> round(krippendorff_alpha(r), 3)
    0.667
    """
    if level not in LEVELS:
        raise errors.Invalid(f"Unknown level '{level}'; use one of {', '.join(LEVELS)}.")
    item, value = _pairable(ratings)
    n = item.size
    if level == "nominal":
        return _nominal(item, value)
    if level == "interval":
        return _interval(item, value)
    if level == "ratio" and np.any(value < 0):
        raise errors.Invalid("Ratio-level alpha needs non-negative values.")
    domain, codes = np.unique(value, return_inverse=True)
    coincidence = _coincidences(item, codes, domain.size)
    totals = coincidence.sum(axis=1)
    d2 = _ordinal_metric(totals) if level == "ordinal" else _ratio_metric(domain)
    observed = float((coincidence * d2).sum()) / n
    expected = float(totals @ d2 @ totals) / (n * (n - 1))
    return _alpha(observed, expected)


def _pairable(ratings: Ratings) -> tuple[np.ndarray, FloatArray]:
    counts = ratings.per_item_counts()
    keep = counts[ratings.item] >= 2
    if not np.any(keep):
        raise errors.Invalid(
            "Krippendorff's alpha needs at least one item rated twice.",
            errors=[{"loc": ["ratings"], "msg": "no pairable values"}],
        )
    # Renumber the pairable items densely so per-item arrays stay small.
    _, item = np.unique(ratings.item[keep], return_inverse=True)
    return item.astype(np.int64), ratings.value[keep]


def _alpha(observed: float, expected: float) -> float:
    # Identical values everywhere: no disagreement is possible, count it as perfect agreement.
    if expected <= 0.0:
        return 1.0
    return 1.0 - observed / expected


def _nominal(item: np.ndarray, value: FloatArray) -> float:
    _, codes = np.unique(value, return_inverse=True)
    n_values = int(codes.max()) + 1
    n_items = int(item.max()) + 1
    m = np.bincount(item, minlength=n_items).astype(np.float64)
    # n_uc: ratings of value c in item u. A dense bincount is fastest when it fits; otherwise
    # count the distinct (item, value) pairs.
    if n_items * n_values <= 4 * item.size + 1_000_000:
        pair_counts = np.bincount(item * n_values + codes, minlength=n_items * n_values)
        squares = (pair_counts.reshape(n_items, n_values).astype(np.float64) ** 2).sum(axis=1)
    else:
        keys, counts = np.unique(item * n_values + codes, return_counts=True)
        squares = np.bincount(
            keys // n_values, weights=counts.astype(np.float64) ** 2, minlength=n_items
        )
    n = float(item.size)
    observed_n = float(((m * m - squares) / (m - 1.0)).sum())
    totals = np.bincount(codes).astype(np.float64)
    expected_n1 = n * n - float((totals**2).sum())
    if expected_n1 <= 0.0:
        return 1.0
    return 1.0 - (n - 1.0) * observed_n / expected_n1


def _interval(item: np.ndarray, value: FloatArray) -> float:
    # Closed form, no coincidence matrix: within an item sum_{i != j} (v_i - v_j)^2 equals
    # 2 m sum (v - mean_u)^2. Deviations from the item mean (not m sum v^2 - (sum v)^2) keep
    # identical values exactly at zero disagreement.
    n_items = int(item.max()) + 1
    m = np.bincount(item, minlength=n_items).astype(np.float64)
    means = np.bincount(item, weights=value, minlength=n_items) / m
    within = np.bincount(item, weights=(value - means[item]) ** 2, minlength=n_items)
    n = float(item.size)
    observed = float((2.0 * m * within / (m - 1.0)).sum()) / n
    expected = 2.0 * n * float(((value - value.mean()) ** 2).sum()) / (n * (n - 1))
    return _alpha(observed, expected)


def _coincidences(item: np.ndarray, codes: np.ndarray, n_values: int) -> FloatArray:
    n_items = int(item.max()) + 1
    counts = sp.csr_matrix(
        (np.ones(item.size), (item, codes)), shape=(n_items, n_values), dtype=np.float64
    )
    m = np.asarray(counts.sum(axis=1)).ravel()
    weights = sp.diags(1.0 / (m - 1.0))
    pairs = (counts.T @ weights @ counts).toarray()
    # Remove each value's pairing with itself: sum_u n_uc / (m_u - 1) on the diagonal.
    self_pairs = np.asarray((weights @ counts).sum(axis=0)).ravel()
    return np.asarray(pairs - np.diag(self_pairs), dtype=np.float64)


def _ordinal_metric(totals: FloatArray) -> FloatArray:
    # d2_ck = (sum_{g=c..k} n_g - (n_c + n_k) / 2)^2, via cumulative sums of the marginals.
    cumulative = np.concatenate(([0.0], np.cumsum(totals)))
    low = np.minimum.outer(np.arange(totals.size), np.arange(totals.size))
    high = np.maximum.outer(np.arange(totals.size), np.arange(totals.size))
    between = cumulative[high + 1] - cumulative[low]
    return np.asarray((between - (totals[:, None] + totals[None, :]) / 2.0) ** 2)


def _ratio_metric(domain: FloatArray) -> FloatArray:
    total = domain[:, None] + domain[None, :]
    diff = domain[:, None] - domain[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        d2 = np.where(total > 0, (diff / np.where(total > 0, total, 1.0)) ** 2, 0.0)
    return np.asarray(d2)
