"""Annotator quality: accuracy against a reference, pairwise agreement matrix, drift test."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.stats import fisher_exact, norm

from labelwright import errors
from labelwright.quality.ratings import FloatArray, IntArray, Ratings


@dataclass(frozen=True, eq=False)
class RaterAccuracy:
    """How often each rater matches a reference label (gold, or the consensus).

    Attributes:
        hits: `(n_raters,)` ratings equal to the reference.
        totals: `(n_raters,)` ratings of items that have a reference.
    """

    hits: IntArray
    totals: IntArray

    @property
    def accuracy(self) -> FloatArray:
        """`(n_raters,)` `hits / totals`; NaN marks raters with no referenced items."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(self.totals > 0, self.hits / np.maximum(self.totals, 1), np.nan)


def rater_accuracy(ratings: Ratings, reference: npt.ArrayLike) -> RaterAccuracy:
    """Count each rater's ratings that equal the reference label of their item.

    Args:
        ratings: Categorical ratings (class codes).
        reference: `(n_items,)` reference class code per item, negative where none.

    Raises:
        errors.Invalid: `reference` does not have one entry per item.

    >>> acc = rater_accuracy(Ratings.from_matrix([[0, 1], [1, 1]]), [0, -1])
    >>> acc.hits.tolist(), acc.totals.tolist()
    ([1, 0], [1, 1])
    """
    ref = np.asarray(reference, dtype=np.int64).ravel()
    if ref.size != ratings.n_items:
        raise errors.Invalid(f"Give one reference label per item ({ratings.n_items}).")
    target = ref[ratings.item]
    has = target >= 0
    hits = np.bincount(
        ratings.rater[has],
        weights=(ratings.codes()[has] == target[has]),
        minlength=ratings.n_raters,
    )
    totals = np.bincount(ratings.rater[has], minlength=ratings.n_raters)
    return RaterAccuracy(hits.astype(np.int64), totals.astype(np.int64))


@dataclass(frozen=True, eq=False)
class AgreementMatrix:
    """Mean agreement of every pair of raters on the items both annotated.

    Attributes:
        mean: `(n_raters, n_raters)` symmetric mean similarity in `[0, 1]`; the diagonal is 1
            for raters with any shared item. NaN marks pairs that share no item (check
            `counts`), never a computed value.
        counts: `(n_raters, n_raters)` number of comparisons of each pair (shared items);
            on the diagonal, every comparison the rater takes part in.
    """

    mean: FloatArray
    counts: IntArray


def agreement_matrix(
    rater_a: npt.ArrayLike, rater_b: npt.ArrayLike, similarity: npt.ArrayLike, *, n_raters: int
) -> AgreementMatrix:
    """Average pairwise similarities into a rater x rater matrix.

    Args:
        rater_a: `(p,)` first rater of each compared pair.
        rater_b: `(p,)` second rater.
        similarity: `(p,)` similarity of their values on one shared item, in `[0, 1]`.
        n_raters: Number of raters.

    >>> m = agreement_matrix([0, 0], [1, 1], [1.0, 0.0], n_raters=2)
    >>> m.mean.tolist(), m.counts.tolist()
    ([[1.0, 0.5], [0.5, 1.0]], [[2, 2], [2, 2]])
    """
    a = np.asarray(rater_a, dtype=np.int64).ravel()
    b = np.asarray(rater_b, dtype=np.int64).ravel()
    s = np.asarray(similarity, dtype=np.float64).ravel()
    if not a.size == b.size == s.size:
        raise errors.Invalid("rater_a, rater_b and similarity must have the same length.")
    cells = n_raters * n_raters
    sums = np.bincount(a * n_raters + b, weights=s, minlength=cells) + np.bincount(
        b * n_raters + a, weights=s, minlength=cells
    )
    counts = np.bincount(a * n_raters + b, minlength=cells) + np.bincount(
        b * n_raters + a, minlength=cells
    )
    sums, counts = sums.reshape(n_raters, n_raters), counts.reshape(n_raters, n_raters)
    # A rater compared with themself: their shared items with anyone, agreement 1.
    own = counts.sum(axis=1) - np.diag(counts)
    diagonal = np.arange(n_raters)
    counts[diagonal, diagonal] = own
    sums[diagonal, diagonal] = own
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
    return AgreementMatrix(mean, counts.astype(np.int64))


def categorical_pairs(ratings: Ratings) -> tuple[IntArray, IntArray, FloatArray]:
    """Every pair of ratings on the same item: `(rater_a, rater_b, 1.0 if equal else 0.0)`.

    Vectorized: ratings are sorted by item and compared with the rating `d` places later for
    `d = 1 .. (largest item size - 1)`.
    """
    order = np.argsort(ratings.item, kind="stable")
    item, rater, code = ratings.item[order], ratings.rater[order], ratings.codes()[order]
    largest = int(ratings.per_item_counts().max(initial=0))
    parts_a, parts_b, parts_s = [], [], []
    for d in range(1, largest):
        same = item[d:] == item[:-d]
        parts_a.append(rater[:-d][same])
        parts_b.append(rater[d:][same])
        parts_s.append((code[:-d][same] == code[d:][same]).astype(np.float64))
    if not parts_a:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float64)
    return np.concatenate(parts_a), np.concatenate(parts_b), np.concatenate(parts_s)


@dataclass(frozen=True)
class DriftTest:
    """A one-sided test that a rate (e.g. gold accuracy) fell.

    Attributes:
        past_rate: Hits / total in the earlier period (None when it has no observations).
        recent_rate: Hits / total in the recent period (None when it has no observations).
        p_value: Probability of a drop at least this large if nothing changed.
        method: `"z-test"`, `"fisher-exact"`, or `"none"` when there is nothing to compare.
        drifted: `p_value < alpha`.
    """

    past_rate: float | None
    recent_rate: float | None
    p_value: float
    method: str
    drifted: bool


def drift_test(
    past_hits: int, past_total: int, recent_hits: int, recent_total: int, *, alpha: float = 0.05
) -> DriftTest:
    """Test whether the recent success rate is significantly below the past one.

    Two-proportion z-test with pooled variance, one-sided (`H1: recent < past`):
    `z = (p_r - p_p) / sqrt(p (1 - p) (1/n_r + 1/n_p))`, `p_value = Phi(z)`. When any
    expected cell count is below 5 the normal approximation is poor, so Fisher's exact test
    (one-sided, on the 2x2 table recent/past x hit/miss) is used instead. Either period
    empty, or no variation at all (pooled rate 0 or 1), gives `p_value = 1`.

    Fleiss, Levin & Paik (2003), Statistical Methods for Rates and Proportions, ch. 2-3.

    Raises:
        errors.Invalid: Counts negative, hits above totals, or `alpha` outside (0, 1).

    >>> drift_test(90, 100, 60, 100).drifted
    True
    >>> drift_test(9, 10, 8, 10).drifted
    False
    """
    if not 0 < alpha < 1:
        raise errors.Invalid(f"alpha must lie in (0, 1), got {alpha}.")
    for hits, total in ((past_hits, past_total), (recent_hits, recent_total)):
        if hits < 0 or total < 0 or hits > total:
            raise errors.Invalid("Counts must be non-negative with hits <= total.")
    past = past_hits / past_total if past_total else None
    recent = recent_hits / recent_total if recent_total else None
    if past is None or recent is None:
        return DriftTest(past, recent, 1.0, "none", False)
    pooled = (past_hits + recent_hits) / (past_total + recent_total)
    if pooled in (0.0, 1.0):
        return DriftTest(past, recent, 1.0, "none", False)
    expected = min(
        pooled * past_total,
        (1 - pooled) * past_total,
        pooled * recent_total,
        (1 - pooled) * recent_total,
    )
    if expected < 5:
        table = [[recent_hits, recent_total - recent_hits], [past_hits, past_total - past_hits]]
        p_value = float(fisher_exact(table, alternative="less").pvalue)
        method = "fisher-exact"
    else:
        se = math.sqrt(pooled * (1 - pooled) * (1 / past_total + 1 / recent_total))
        p_value = float(norm.cdf((recent - past) / se))
        method = "z-test"
    return DriftTest(past, recent, p_value, method, p_value < alpha)
