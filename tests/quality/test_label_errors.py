from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwright.errors import Invalid
from labelwright.quality import find_label_issues


def _planted(n: int, k: int, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, k, n)
    logits = rng.normal(size=(n, k))
    logits[np.arange(n), truth] += 3.0
    probs = np.exp(logits)
    probs /= probs.sum(axis=1, keepdims=True)
    given = truth.copy()
    flip = rng.random(n) < noise
    given[flip] = (truth[flip] + rng.integers(1, k, flip.sum())) % k
    return given, probs, flip


def test_planted_label_errors_are_found_with_good_precision_and_recall() -> None:
    given, probs, flipped = _planted(4000, 4, 0.1, seed=2)
    found = find_label_issues(given, probs)
    precision = flipped[found.is_issue].mean()
    recall = found.is_issue[flipped].mean()
    assert precision > 0.8 and recall > 0.7
    # The confident joint estimates the number of errors.
    off_diagonal = found.confident_joint.sum() - np.trace(found.confident_joint)
    assert off_diagonal == pytest.approx(flipped.sum(), rel=0.25)
    assert found.confident_joint.sum(axis=1).tolist() == np.bincount(given, minlength=4).tolist()
    # Ranked by self-confidence, lowest first.
    assert np.all(np.diff(found.self_confidence[found.ranked]) >= 0)
    assert found.n_issues == found.ranked.size


def test_small_worked_example() -> None:
    # Thresholds: class 0 mean(0.9, 0.8) = 0.85; class 1 mean(0.9, 0.8, 0.05) = 0.583.
    # Example 4 (given 1) has p0 = 0.95 >= 0.85: confidently class 0, so C[1, 0] = 1 and it
    # is the one example pruned.
    probs = [[0.9, 0.1], [0.8, 0.2], [0.1, 0.9], [0.2, 0.8], [0.95, 0.05]]
    found = find_label_issues([0, 0, 1, 1, 1], probs)
    assert found.thresholds == pytest.approx([0.85, (0.9 + 0.8 + 0.05) / 3])
    assert found.is_issue.tolist() == [False, False, False, False, True]
    assert found.suggested[4] == 0


@settings(settings.get_profile("quality"))
@given(st.integers(0, 10_000), st.randoms(use_true_random=False))
def test_flags_do_not_depend_on_example_order(seed: int, rnd) -> None:  # type: ignore[no-untyped-def]
    given, probs, _ = _planted(200, 3, 0.15, seed)
    order = list(range(200))
    rnd.shuffle(order)
    a = find_label_issues(given, probs).is_issue
    b = find_label_issues(given[order], probs[order]).is_issue
    # Equal margins could tie differently; with continuous random probabilities they do not.
    assert a[order].tolist() == b.tolist()


def test_clean_labels_and_degenerate_inputs_flag_nothing() -> None:
    probs = np.eye(3)[[0, 1, 2, 0, 1, 2]] * 0.9 + 0.1 / 3
    assert find_label_issues([0, 1, 2, 0, 1, 2], probs).n_issues == 0
    assert find_label_issues([], np.zeros((0, 2))).n_issues == 0
    one_class = find_label_issues([0, 0], [[1.0], [1.0]])
    assert one_class.n_issues == 0
    missing_class = find_label_issues([0, 0, 0], [[0.9, 0.1], [0.8, 0.2], [0.1, 0.9]])
    assert np.isinf(missing_class.thresholds[1])
    assert (
        find_label_issues([0, 1], [[0.1, 0.9], [0.9, 0.1]], min_examples_per_class=1).n_issues == 0
    )


def test_malformed_input_is_invalid() -> None:
    with pytest.raises(Invalid, match="shape"):
        find_label_issues([0, 1], [[0.5, 0.5]])
    with pytest.raises(Invalid, match="lie in"):
        find_label_issues([2], [[0.5, 0.5]])
    with pytest.raises(Invalid, match="sum to 1"):
        find_label_issues([0], [[0.5, 0.6]])
    with pytest.raises(Invalid, match="non-negative"):
        find_label_issues([0], [[-0.5, 1.5]])
