from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwright.errors import Invalid
from labelwright.quality import Ratings
from labelwright.quality.aggregation import (
    AGGREGATORS,
    UNLABELED,
    AggregatorRegistry,
    dawid_skene,
    majority_vote,
    weighted_majority_vote,
)

NAN = float("nan")
matrices = st.integers(1, 15).flatmap(
    lambda n: st.lists(
        st.lists(st.one_of(st.integers(0, 2).map(float), st.just(NAN)), min_size=3, max_size=3),
        min_size=n,
        max_size=n,
    )
)


def _planted(n_items: int, accuracy: list[float], k: int, seed: int) -> tuple[Ratings, np.ndarray]:
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, k, n_items)
    r = len(accuracy)
    item = np.repeat(np.arange(n_items), r)
    rater = np.tile(np.arange(r), n_items)
    correct = rng.random(item.size) < np.asarray(accuracy)[rater]
    wrong = (truth[item] + rng.integers(1, k, item.size)) % k
    return Ratings.from_arrays(item, rater, np.where(correct, truth[item], wrong)), truth


def test_majority_vote_breaks_ties_to_the_lowest_class_and_marks_unrated_items() -> None:
    ratings = Ratings.from_arrays([0, 0, 1, 1, 1], [0, 1, 0, 1, 2], [2, 1, 0, 2, 2], n_items=3)
    result = majority_vote(ratings)
    assert result.labels.tolist() == [1, 2, UNLABELED]
    assert result.probs[0].tolist() == [0.0, 0.5, 0.5]
    assert result.probs[2].tolist() == pytest.approx([1 / 3] * 3)
    assert result.confidence[1] == pytest.approx(2 / 3)


def test_weighted_vote_lets_reliable_raters_outvote_and_checks_weights() -> None:
    ratings = Ratings.from_matrix([[0, 1, 1], [1, 1, 0]])
    assert weighted_majority_vote(ratings, weights=[0.9, 0.3, 0.3]).labels.tolist() == [0, 1]
    assert weighted_majority_vote(ratings, weights=[0, 0, 0]).labels.tolist() == [1, 1]
    with pytest.raises(Invalid):
        weighted_majority_vote(ratings, weights=[1, 1])
    with pytest.raises(Invalid):
        weighted_majority_vote(ratings, weights=[1, -1, 1])
    with pytest.raises(Invalid, match="Class codes"):
        majority_vote(ratings, n_classes=1)


@settings(settings.get_profile("quality"))
@given(matrices)
def test_probabilities_sum_to_one_and_labels_are_valid(matrix: list[list[float]]) -> None:
    ratings = Ratings.from_matrix(matrix)
    for result in (majority_vote(ratings, n_classes=3), dawid_skene(ratings, n_classes=3)):
        assert result.probs.shape == (len(matrix), 3)
        assert np.allclose(result.probs.sum(axis=1), 1.0)
        rated = ratings.per_item_counts() > 0
        assert np.all(result.labels[~rated] == UNLABELED)
        assert np.all((result.labels[rated] >= 0) & (result.labels[rated] < 3))


@settings(settings.get_profile("quality"))
@given(matrices, st.permutations([0, 1, 2]))
def test_dawid_skene_does_not_depend_on_rater_order(
    matrix: list[list[float]], order: list[int]
) -> None:
    ratings = Ratings.from_matrix(matrix)
    permuted = Ratings.from_matrix(np.asarray(matrix)[:, order])
    a, b = dawid_skene(ratings, n_classes=3), dawid_skene(permuted, n_classes=3)
    assert np.allclose(a.probs, b.probs, atol=1e-9)


def test_identical_labels_are_recovered_with_certainty() -> None:
    ratings = Ratings.from_matrix([[0, 0, 0], [1, 1, 1], [2, 2, 2], [1, 1, 1]])
    result = dawid_skene(ratings)
    assert result.labels.tolist() == [0, 1, 2, 1]
    assert np.all(result.confidence > 0.99)


def test_planted_truth_and_annotator_accuracies_are_recovered() -> None:
    accuracy = [0.95, 0.85, 0.6, 0.4, 0.35]
    ratings, truth = _planted(4000, accuracy, 4, seed=11)
    ds = dawid_skene(ratings)
    mv = majority_vote(ratings)
    assert ds.converged
    # The Bayes-optimal accuracy with the true confusions is 0.9575 on this sample.
    assert (ds.labels == truth).mean() > 0.95
    assert (ds.labels == truth).mean() > (mv.labels == truth).mean() + 0.05
    estimated = [np.trace(ds.confusions[j]) / 4 for j in range(5)]
    assert estimated == pytest.approx(accuracy, abs=0.04)
    assert ds.priors == pytest.approx(np.bincount(truth) / 4000, abs=0.02)


def test_one_em_step_matches_a_hand_computed_reference() -> None:
    """One M-step from the majority vote, then one E-step, written out with plain loops."""
    matrix = [[0, 0, 1], [1, 1, 1], [0, 1, 0], [1, 0, 0]]
    ratings = Ratings.from_matrix(matrix)
    smoothing = 0.01
    start = majority_vote(ratings).probs
    priors = start.mean(axis=0)
    confusion = np.full((3, 2, 2), smoothing)
    for i, row in enumerate(matrix):
        for j, label in enumerate(row):
            confusion[j, :, label] += start[i]
    confusion /= confusion.sum(axis=2, keepdims=True)
    expected = np.array(
        [
            [priors[k] * np.prod([confusion[j, k, row[j]] for j in range(3)]) for k in range(2)]
            for row in matrix
        ]
    )
    expected /= expected.sum(axis=1, keepdims=True)
    result = dawid_skene(ratings, max_iter=1, smoothing=smoothing)
    assert result.iterations == 1
    assert result.probs == pytest.approx(expected, abs=1e-12)
    assert result.confusions == pytest.approx(confusion, abs=1e-12)


def test_dawid_skene_edge_cases() -> None:
    empty = dawid_skene(Ratings.from_arrays([], [], [], n_items=2, n_raters=1), n_classes=2)
    assert empty.labels.tolist() == [UNLABELED, UNLABELED]
    one_rater = dawid_skene(Ratings.from_matrix([[1], [0], [1]]))
    assert one_rater.labels.tolist() == [1, 0, 1]
    one_class = dawid_skene(Ratings.from_matrix([[0, 0], [0, 0]]))
    assert one_class.labels.tolist() == [0, 0] and one_class.probs.shape == (2, 1)
    unsmoothed = dawid_skene(Ratings.from_matrix([[0, 1], [1, 1]]), smoothing=0.0)
    assert np.all(np.isfinite(unsmoothed.probs))
    with pytest.raises(Invalid):
        dawid_skene(Ratings.from_matrix([[0]]), max_iter=0)


@pytest.mark.parametrize("name", AGGREGATORS.names())
def test_every_registered_aggregator_keeps_the_contract(name: str) -> None:
    ratings, truth = _planted(300, [0.9, 0.8, 0.7], 3, seed=5)
    aggregator = AGGREGATORS.get(name)
    result = aggregator(ratings, n_classes=3, weights=np.ones(3))
    assert result.labels.shape == (300,) and result.probs.shape == (300, 3)
    assert np.allclose(result.probs.sum(axis=1), 1.0)
    assert (result.labels == truth).mean() > 0.85


def test_registry_lookup_and_duplicates() -> None:
    assert AGGREGATORS.get("dawid-skene") is AGGREGATORS.get("dawid-skene@1")
    with pytest.raises(Invalid, match="known: dawid-skene@1"):
        AGGREGATORS.get("glad")
    registry = AggregatorRegistry()
    registry.register("x@1", AGGREGATORS.get("majority"))
    with pytest.raises(ValueError, match="already"):
        registry.register("x@1", AGGREGATORS.get("majority"))
    with pytest.raises(ValueError, match="name@version"):
        registry.register("x", AGGREGATORS.get("majority"))
