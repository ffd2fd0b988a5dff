"""The registry of label aggregators, each under `name@version`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

from labelwright import errors
from labelwright.quality.aggregation.dawid_skene import dawid_skene
from labelwright.quality.aggregation.majority import (
    Aggregate,
    majority_vote,
    weighted_majority_vote,
)
from labelwright.quality.ratings import Ratings


class Aggregator(Protocol):
    """Turns categorical ratings into one suggested label per item."""

    def __call__(
        self, ratings: Ratings, *, n_classes: int, weights: npt.ArrayLike | None = None
    ) -> Aggregate:
        """Aggregate; `weights` (one per rater) are used by aggregators that weigh raters."""
        ...


@dataclass(frozen=True)
class _Majority:
    def __call__(
        self, ratings: Ratings, *, n_classes: int, weights: npt.ArrayLike | None = None
    ) -> Aggregate:
        return majority_vote(ratings, n_classes=n_classes)


@dataclass(frozen=True)
class _WeightedMajority:
    def __call__(
        self, ratings: Ratings, *, n_classes: int, weights: npt.ArrayLike | None = None
    ) -> Aggregate:
        w = np.ones(ratings.n_raters) if weights is None else weights
        return weighted_majority_vote(ratings, weights=w, n_classes=n_classes)


@dataclass(frozen=True)
class _DawidSkene:
    def __call__(
        self, ratings: Ratings, *, n_classes: int, weights: npt.ArrayLike | None = None
    ) -> Aggregate:
        return dawid_skene(ratings, n_classes=n_classes)


MAJORITY = _Majority()
WEIGHTED_MAJORITY = _WeightedMajority()
DAWID_SKENE = _DawidSkene()


class AggregatorRegistry:
    """Aggregators by `name@version`; `get` also accepts a bare name (its only version)."""

    def __init__(self) -> None:
        self._items: dict[str, Aggregator] = {}

    def register(self, key: str, aggregator: Aggregator) -> None:
        """Add an aggregator.

        Raises:
            ValueError: `key` is not `name@version` or is already registered.
        """
        name, _, version = key.partition("@")
        if not name or not version:
            raise ValueError(f"Aggregator key '{key}' must be 'name@version'.")
        if key in self._items:
            raise ValueError(f"Aggregator '{key}' is already registered.")
        self._items[key] = aggregator

    def names(self) -> tuple[str, ...]:
        """Every registered `name@version`, sorted."""
        return tuple(sorted(self._items))

    def get(self, key: str) -> Aggregator:
        """The aggregator for `name@version` (or a bare name with a single version).

        Raises:
            errors.Invalid: Unknown or ambiguous; the message lists the known names.
        """
        if key in self._items:
            return self._items[key]
        found = [k for k in self._items if k.partition("@")[0] == key]
        if len(found) == 1:
            return self._items[found[0]]
        raise errors.Invalid(
            f"Unknown aggregator '{key}'; known: {', '.join(self.names())}.",
            errors=[{"loc": ["aggregator"], "msg": "unknown aggregator"}],
        )
