"""Majority and weighted majority vote over categorical ratings."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from labelwright import errors
from labelwright.quality.ratings import FloatArray, IntArray, Ratings

UNLABELED = -1
"""The label of an item that has no ratings."""


@dataclass(frozen=True, eq=False)
class Aggregate:
    """A suggested label per item.

    Attributes:
        labels: `(n_items,)` the suggested class code, `UNLABELED` (-1) for unrated items.
        probs: `(n_items, n_classes)`, rows sum to 1: the (weighted) vote shares, or the
            posterior for model-based aggregators; uniform for unrated items.
    """

    labels: IntArray
    probs: FloatArray

    @property
    def confidence(self) -> FloatArray:
        """`(n_items,)` the probability of the suggested label."""
        return np.asarray(self.probs.max(axis=1), dtype=np.float64)


def majority_vote(ratings: Ratings, *, n_classes: int | None = None) -> Aggregate:
    """The most frequent label of each item.

    `probs[i, c]` is the share of item i's ratings that chose class c. Ties go to the lowest
    class code, so the result is deterministic; a tie is visible as equal shares in `probs`.

    Args:
        ratings: Categorical ratings (class codes).
        n_classes: Number of classes (default: the largest code + 1).

    Raises:
        errors.Invalid: A class code is outside `[0, n_classes)`.

    >>> majority_vote(Ratings.from_matrix([[0, 1, 1], [2, 2, 0]])).labels.tolist()
    [1, 2]
    """
    return weighted_majority_vote(ratings, weights=np.ones(ratings.n_raters), n_classes=n_classes)


def weighted_majority_vote(
    ratings: Ratings, *, weights: npt.ArrayLike, n_classes: int | None = None
) -> Aggregate:
    """Majority vote where each rater's vote counts with their weight.

    `probs[i, c] = sum of weights of item i's raters who chose c / sum of their weights`. With
    weights equal to each annotator's gold accuracy, reliable annotators outvote careless ones.
    Ties go to the lowest class code. An item whose raters all have weight 0 falls back to the
    unweighted vote.

    Args:
        ratings: Categorical ratings (class codes).
        weights: `(n_raters,)` non-negative weight of each rater.
        n_classes: Number of classes (default: the largest code + 1).

    Raises:
        errors.Invalid: Wrong number of weights, a negative weight, or a code out of range.

    >>> r = Ratings.from_matrix([[0, 1, 1]])
    >>> weighted_majority_vote(r, weights=[0.9, 0.2, 0.3]).labels.tolist()
    [0]
    """
    w = np.asarray(weights, dtype=np.float64).ravel()
    if w.size != ratings.n_raters or np.any(w < 0) or not np.all(np.isfinite(w)):
        raise errors.Invalid(
            f"Give one finite, non-negative weight per rater ({ratings.n_raters}), got {w.size}."
        )
    k = _n_classes(ratings, n_classes)
    codes = ratings.codes()
    flat = ratings.item * k + codes
    weighted = np.bincount(flat, weights=w[ratings.rater], minlength=ratings.n_items * k)
    counts = np.bincount(flat, minlength=ratings.n_items * k).astype(np.float64)
    votes = weighted.reshape(ratings.n_items, k)
    plain = counts.reshape(ratings.n_items, k)
    totals = votes.sum(axis=1, keepdims=True)
    return _from_votes(np.asarray(np.where(totals > 0, votes, plain), dtype=np.float64))


def _from_votes(votes: FloatArray) -> Aggregate:
    totals = votes.sum(axis=1, keepdims=True)
    k = votes.shape[1]
    probs = np.where(totals > 0, votes / np.where(totals > 0, totals, 1.0), 1.0 / k)
    # argmax takes the first maximum: ties go to the lowest class code.
    labels = np.where(totals[:, 0] > 0, np.argmax(votes, axis=1), UNLABELED).astype(np.int64)
    return Aggregate(labels, probs)


def _n_classes(ratings: Ratings, n_classes: int | None) -> int:
    codes = ratings.codes()
    largest = int(codes.max(initial=-1))
    k = largest + 1 if n_classes is None else n_classes
    if k < 1 or largest >= k or (codes.size and codes.min() < 0):
        raise errors.Invalid(f"Class codes must lie in [0, {max(k, 1)}).")
    return k
