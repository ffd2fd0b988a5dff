"""Label-error detection by confident learning (implemented here; cleanlab is not used)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from labelwright import errors
from labelwright.quality.ratings import FloatArray, IntArray

BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, eq=False)
class LabelIssues:
    """Likely label errors.

    Attributes:
        is_issue: `(n,)` True where the given label is probably wrong.
        ranked: Indices of the issues, most likely error first (lowest self-confidence).
        self_confidence: `(n,)` the model's probability of the given label.
        suggested: `(n,)` the model's most probable class (a candidate correction).
        thresholds: `(n_classes,)` per-class confidence thresholds `t_j`; `inf` for classes
            no example is labeled with (such classes are never confidently counted).
        confident_joint: `(n_classes, n_classes)` calibrated counts `C[given, true]`; rows add
            up to the number of examples given each label.
    """

    is_issue: BoolArray
    ranked: IntArray
    self_confidence: FloatArray
    suggested: IntArray
    thresholds: FloatArray
    confident_joint: IntArray

    @property
    def n_issues(self) -> int:
        """Number of flagged examples."""
        return int(self.is_issue.sum())


def find_label_issues(
    labels: npt.ArrayLike, pred_probs: npt.ArrayLike, *, min_examples_per_class: int = 1
) -> LabelIssues:
    """Flag examples whose given label is likely wrong, by confident learning.

    1. Per-class thresholds: `t_j` = mean predicted probability of class j over the examples
       labeled j (the model's average self-confidence for that class).
    2. Confident joint: an example labeled i counts in `C[i, j]` for the class j with the
       largest `p_j` among those with `p_j >= t_j` (examples above no threshold are left out).
    3. Calibration: each row of `C` is rescaled to the number of examples labeled i, then
       rounded keeping row totals (largest remainders), so `C / n` estimates the joint
       distribution of given and true labels.
    4. Prune by noise rate: for each off-diagonal `C[i, j]`, the `C[i, j]` examples labeled i
       with the largest margin `p_j - p_i` are flagged.
    5. An example whose most probable class is its given label is never flagged.

    Northcutt, C., Jiang, L. & Chuang, I. (2021). Confident learning: estimating uncertainty
    in dataset labels. Journal of Artificial Intelligence Research 70, 1373-1411.

    Use out-of-sample probabilities (cross-validated, or from a model that did not train on
    these labels); in-sample probabilities memorize the errors and hide them. Flags are
    candidates for review, not verdicts.

    Args:
        labels: `(n,)` given class codes in `[0, n_classes)`.
        pred_probs: `(n, n_classes)` predicted probabilities; rows must sum to 1 (within 1e-3;
            they are renormalized).
        min_examples_per_class: Classes with at most this many examples are not pruned.

    Raises:
        errors.Invalid: Shapes disagree, a label is out of range, or a row is not a
            probability distribution.

    >>> probs = [[0.9, 0.1], [0.8, 0.2], [0.1, 0.9], [0.2, 0.8], [0.95, 0.05]]
    >>> find_label_issues([0, 0, 1, 1, 1], probs).ranked.tolist()
    [4]
    """
    given = np.asarray(labels, dtype=np.int64).ravel()
    probs = _check(given, pred_probs)
    n, k = probs.shape
    rows = np.arange(n)
    counts = np.bincount(given, minlength=k)
    self_confidence = probs[rows, given] if n else np.zeros(0)
    sums = np.bincount(given, weights=self_confidence, minlength=k)
    thresholds = np.full(k, np.inf)
    thresholds[counts > 0] = sums[counts > 0] / counts[counts > 0]
    # Thresholds are compared with a little slack so an example exactly at its class mean
    # (e.g. when every example of the class has the same probability) still counts.
    above = probs >= thresholds[None, :] - 1e-12
    confident = above.any(axis=1)
    estimate = np.argmax(np.where(above, probs, -1.0), axis=1)
    joint = np.zeros((k, k))
    np.add.at(joint, (given[confident], estimate[confident]), 1.0)
    calibrated = _calibrate(joint, counts)
    is_issue = np.zeros(n, dtype=bool)
    for i in range(k):
        members = np.flatnonzero(given == i)
        if members.size <= min_examples_per_class:
            continue
        for j in range(k):
            prune = int(calibrated[i, j])
            if i == j or prune <= 0:
                continue
            margin = probs[members, j] - probs[members, i]
            # Stable sort on -margin: equal margins keep index order (deterministic).
            order = np.argsort(-margin, kind="stable")
            is_issue[members[order[:prune]]] = True
    suggested = np.argmax(probs, axis=1) if n else np.zeros(0, dtype=np.int64)
    is_issue &= suggested != given
    flagged = np.flatnonzero(is_issue)
    ranked = flagged[np.argsort(self_confidence[flagged], kind="stable")]
    return LabelIssues(
        is_issue,
        ranked.astype(np.int64),
        np.asarray(self_confidence, dtype=np.float64),
        suggested.astype(np.int64),
        thresholds,
        calibrated.astype(np.int64),
    )


def _check(given: IntArray, pred_probs: npt.ArrayLike) -> FloatArray:
    probs = np.asarray(pred_probs, dtype=np.float64)
    if probs.ndim != 2 or probs.shape[0] != given.size or probs.shape[1] < 1:
        raise errors.Invalid("pred_probs must have shape (n_examples, n_classes) matching labels.")
    if given.size and (given.min() < 0 or given.max() >= probs.shape[1]):
        raise errors.Invalid(f"Labels must lie in [0, {probs.shape[1]}).")
    if not np.all(np.isfinite(probs)) or np.any(probs < 0):
        raise errors.Invalid("pred_probs must be finite and non-negative.")
    totals = probs.sum(axis=1, keepdims=True)
    if given.size and np.any(np.abs(totals - 1.0) > 1e-3):
        raise errors.Invalid("Each row of pred_probs must sum to 1.")
    return np.asarray(probs / np.where(totals > 0, totals, 1.0), dtype=np.float64)


def _calibrate(joint: FloatArray, counts: IntArray) -> FloatArray:
    totals = joint.sum(axis=1, keepdims=True)
    scaled = np.where(totals > 0, joint / np.where(totals > 0, totals, 1.0), 0.0) * counts[:, None]
    # Largest-remainder rounding keeps each row's total (the class count) exact.
    floor = np.floor(scaled)
    short = np.rint(scaled.sum(axis=1) - floor.sum(axis=1)).astype(np.int64)
    remainders = scaled - floor
    for i in range(joint.shape[0]):
        if short[i] > 0:
            floor[i, np.argsort(-remainders[i], kind="stable")[: short[i]]] += 1
    return floor
