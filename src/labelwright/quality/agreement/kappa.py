"""Chance-corrected agreement of categorical ratings: percent agreement, Cohen's kappa (also
weighted, for ordinal scales) and Fleiss' kappa.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt

from labelwright import errors
from labelwright.quality.ratings import Ratings

Weights = Literal["none", "linear", "quadratic"]


def percent_agreement(ratings: Ratings) -> float:
    """Mean share of agreeing rater pairs per item.

    For an item with `m >= 2` ratings of which `n_c` have class `c`, the share of agreeing
    pairs is `sum_c n_c (n_c - 1) / (m (m - 1))`; the result is the mean over such items.
    Not chance-corrected: with few classes it looks high even for random labels.

    Args:
        ratings: Categorical ratings (class codes).

    Returns:
        Agreement in `[0, 1]`.

    Raises:
        errors.Invalid: No item has two ratings.

    >>> percent_agreement(Ratings.from_matrix([[0, 0, 1], [1, 1, 1]]))
    0.6666666666666666
    """
    per_item, m = _item_class_counts(ratings)
    keep = m >= 2
    if not np.any(keep):
        raise errors.Invalid("Percent agreement needs at least one item rated twice.")
    counts, m = per_item[keep], m[keep]
    shares = (counts * (counts - 1)).sum(axis=1) / (m * (m - 1))
    return float(shares.mean())


def cohen_kappa(a: npt.ArrayLike, b: npt.ArrayLike, *, weights: Weights = "none") -> float:
    """Cohen's kappa of two raters who labeled the same items, optionally weighted.

    `kappa = 1 - sum w_ij O_ij / sum w_ij E_ij`, with `O` the observed joint distribution of
    the two raters' labels, `E` the product of their marginals and `w` the disagreement
    weights: `1 - [i == j]` unweighted, `|i - j|` linear, `(i - j)^2` quadratic, where `i, j`
    are positions in the sorted list of labels used (so weighted kappa suits ordinal scales).
    The unweighted form reduces to `(p_o - p_e) / (1 - p_e)`.

    Cohen, J. (1960). A coefficient of agreement for nominal scales. Educational and
    Psychological Measurement 20(1). Cohen, J. (1968). Weighted kappa. Psychological Bulletin
    70(4).

    Reading it (Landis & Koch 1977): < 0 poor, 0.21-0.40 fair, 0.41-0.60 moderate,
    0.61-0.80 substantial, > 0.80 almost perfect.

    Args:
        a: `(n,)` labels of rater one (numbers or strings).
        b: `(n,)` labels of rater two, same items in the same order.
        weights: Disagreement weights.

    Returns:
        Kappa in `[-1, 1]`; 1.0 when both raters used one and the same label throughout
        (chance agreement is total, and so is the observed agreement).

    Raises:
        errors.Invalid: Lengths differ, no items, or unknown weights.

    >>> cohen_kappa(["y", "y", "n", "n"], ["y", "n", "n", "n"])
    0.5
    """
    first, second = np.asarray(a).ravel(), np.asarray(b).ravel()
    if first.size != second.size or first.size == 0:
        raise errors.Invalid("Cohen's kappa needs two equally long, non-empty label lists.")
    if weights not in ("none", "linear", "quadratic"):
        raise errors.Invalid(f"Unknown weights '{weights}'; use none, linear or quadratic.")
    labels, codes = np.unique(np.concatenate([first, second]), return_inverse=True)
    k = labels.size
    observed = np.zeros((k, k))
    np.add.at(observed, (codes[: first.size], codes[first.size :]), 1.0)
    observed /= first.size
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0))
    index = np.arange(k)
    distance = np.abs(index[:, None] - index[None, :]).astype(np.float64)
    w = {"none": (distance > 0).astype(np.float64), "linear": distance, "quadratic": distance**2}[
        weights
    ]
    chance = float((w * expected).sum())
    if chance <= 0.0:
        return 1.0
    return 1.0 - float((w * observed).sum()) / chance


def fleiss_kappa(ratings: Ratings) -> float:
    """Fleiss' kappa for a fixed number of raters per item.

    `kappa = (P - P_e) / (1 - P_e)`, with `P` the mean per-item share of agreeing pairs and
    `P_e = sum_c p_c^2` from the pooled class shares `p_c`. Raters need not be the same
    people on every item, but every item needs the same number `m >= 2` of ratings.

    Fleiss, J. L. (1971). Measuring nominal scale agreement among many raters. Psychological
    Bulletin 76(5). Read it like Cohen's kappa.

    Args:
        ratings: Categorical ratings (class codes); items without ratings are ignored.

    Returns:
        Kappa, at most 1; 1.0 when every rating is the same class.

    Raises:
        errors.Invalid: Rated items differ in their number of ratings, or have fewer than 2.

    >>> round(fleiss_kappa(Ratings.from_matrix([[0, 0, 0], [1, 1, 0], [1, 1, 1]])), 3)
    0.55
    """
    per_item, m = _item_class_counts(ratings)
    rated = m > 0
    counts, m = per_item[rated], m[rated]
    if counts.shape[0] == 0 or m.min() < 2 or m.min() != m.max():
        raise errors.Invalid(
            "Fleiss' kappa needs the same number (at least 2) of ratings on every item; "
            "use Krippendorff's alpha for missing ratings."
        )
    raters = float(m[0])
    p_item = ((counts * (counts - 1)).sum(axis=1) / (raters * (raters - 1))).mean()
    shares = counts.sum(axis=0) / counts.sum()
    p_chance = float((shares**2).sum())
    if p_chance >= 1.0:
        return 1.0
    return float((p_item - p_chance) / (1.0 - p_chance))


def _item_class_counts(ratings: Ratings) -> tuple[np.ndarray, np.ndarray]:
    codes = ratings.codes()
    n_classes = int(codes.max(initial=-1)) + 1
    flat = np.bincount(
        ratings.item * max(n_classes, 1) + codes, minlength=ratings.n_items * max(n_classes, 1)
    )
    counts = flat.reshape(ratings.n_items, max(n_classes, 1)).astype(np.float64)
    return counts, counts.sum(axis=1)
