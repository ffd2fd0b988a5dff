"""Dawid-Skene: expectation-maximization over per-annotator confusion matrices."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.special import logsumexp

from labelwright import errors
from labelwright.quality.aggregation.majority import (
    UNLABELED,
    Aggregate,
    _n_classes,
    majority_vote,
)
from labelwright.quality.ratings import FloatArray, Ratings


@dataclass(frozen=True, eq=False)
class DawidSkeneAggregate(Aggregate):
    """Dawid-Skene labels with the model behind them.

    Attributes:
        labels: `(n_items,)` most probable class, `UNLABELED` for unrated items.
        probs: `(n_items, n_classes)` posterior class probabilities, rows sum to 1 (the
            class priors for unrated items).
        confusions: `(n_raters, n_classes, n_classes)`: `confusions[j, k, l]` is the estimated
            probability that rater j says l when the truth is k; rows sum to 1. The diagonal
            is each rater's per-class accuracy.
        priors: `(n_classes,)` estimated class frequencies.
        iterations: EM iterations run.
        converged: Whether the log-likelihood settled within `tol` before `max_iter`.
        log_likelihood: Final log-likelihood of the observed ratings.
    """

    confusions: FloatArray
    priors: FloatArray
    iterations: int
    converged: bool
    log_likelihood: float


def dawid_skene(
    ratings: Ratings,
    *,
    n_classes: int | None = None,
    max_iter: int = 100,
    tol: float = 1e-6,
    smoothing: float = 0.01,
) -> DawidSkeneAggregate:
    """Estimate true labels and each annotator's confusion matrix by EM.

    Model: item i has a hidden class `z_i ~ Categorical(p)`; rater j reports l with
    probability `pi_j[z_i, l]`, independently. E-step: `P(z_i = k) ∝ p_k prod_r pi_{j_r}[k,
    l_r]` over item i's ratings (computed in log space to avoid underflow with many
    ratings). M-step: `p` = mean posterior, `pi_j[k, l]` = posterior-weighted counts of rater
    j saying l, plus `smoothing` pseudo-counts so no probability becomes 0 (a rater never
    seen saying l would otherwise veto class k forever), row-normalized. Starts from the
    majority vote shares. Stops when the mean log-likelihood per rating changes by less than
    `tol`. Each step is two sparse matrix products, linear in the number of ratings.

    Dawid, A. P. & Skene, A. M. (1979). Maximum likelihood estimation of observer error-rates
    using the EM algorithm. Journal of the Royal Statistical Society C 28(1), 20-28.

    Reading it: `probs` are calibrated only insofar as the model holds (independent raters,
    confusions that do not depend on the item); the diagonal of `confusions` ranks raters.

    Args:
        ratings: Categorical ratings (class codes).
        n_classes: Number of classes (default: the largest code + 1).
        max_iter: Maximum EM iterations (at least 1).
        tol: Convergence threshold on the mean log-likelihood per rating.
        smoothing: Pseudo-count added to every confusion cell (>= 0).

    Raises:
        errors.Invalid: Bad options or class codes.

    >>> r = Ratings.from_matrix([[0, 0, 1], [1, 1, 1], [0, 0, 0], [1, 1, 0]])
    >>> dawid_skene(r).labels.tolist()
    [0, 1, 0, 1]
    """
    if max_iter < 1 or tol < 0 or smoothing < 0:
        raise errors.Invalid("max_iter must be >= 1, tol and smoothing >= 0.")
    k = _n_classes(ratings, n_classes)
    j = ratings.n_raters
    if ratings.size == 0:
        uniform = np.full((ratings.n_items, k), 1.0 / k)
        return DawidSkeneAggregate(
            np.full(ratings.n_items, UNLABELED, dtype=np.int64),
            uniform,
            np.full((j, k, k), 1.0 / k),
            np.full(k, 1.0 / k),
            0,
            True,
            0.0,
        )
    # One sparse incidence matrix (item x (rater, label)) carries both EM steps.
    column = ratings.rater * k + ratings.codes()
    incidence = sp.csr_matrix(
        (np.ones(ratings.size), (ratings.item, column)), shape=(ratings.n_items, j * k)
    )
    incidence_t = incidence.T.tocsr()
    rated = np.asarray(incidence.sum(axis=1)).ravel() > 0
    posterior = majority_vote(ratings, n_classes=k).probs
    previous = -np.inf
    converged = False
    log_likelihood = 0.0
    iterations = 0
    while iterations < max_iter:
        iterations += 1
        priors, log_confusions = _m_step(incidence_t, posterior, rated, j, k, smoothing)
        # log P(ratings of i, z_i = k) = log p_k + sum over i's ratings of log pi_j[k, l].
        joint = incidence @ log_confusions + np.log(priors)
        norm = logsumexp(joint, axis=1, keepdims=True)
        posterior = np.exp(joint - norm)
        log_likelihood = float(norm[rated].sum())
        if abs(log_likelihood - previous) / ratings.size < tol:
            converged = True
            break
        previous = log_likelihood
    posterior[~rated] = priors
    labels = np.where(rated, np.argmax(posterior, axis=1), UNLABELED).astype(np.int64)
    confusions = np.exp(log_confusions.reshape(j, k, k).transpose(0, 2, 1))
    return DawidSkeneAggregate(
        labels, posterior, confusions, priors, iterations, converged, log_likelihood
    )


def _m_step(
    incidence_t: sp.csr_matrix,
    posterior: FloatArray,
    rated: np.ndarray,
    j: int,
    k: int,
    smoothing: float,
) -> tuple[FloatArray, FloatArray]:
    """Class priors and log confusions laid out as `((rater, said) , true)`."""
    priors = posterior[rated].mean(axis=0)
    # Keep every class possible: a prior of exactly 0 would make log(0) in the E-step.
    priors = np.clip(priors, 1e-12, None)
    priors = priors / priors.sum()
    counts = np.asarray(incidence_t @ posterior).reshape(j, k, k) + smoothing  # [j, said, true]
    totals = counts.sum(axis=1, keepdims=True)
    # With smoothing 0 an unseen cell is 0; floor it so log stays finite (and tiny).
    log_confusions = np.log(np.maximum(counts, 1e-300)) - np.log(np.where(totals > 0, totals, 1.0))
    return priors, log_confusions.reshape(j * k, k)
