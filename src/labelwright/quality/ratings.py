"""Ratings in long format: one row per (item, rater, value), the input of every categorical,
ordinal and interval agreement measure and of the label aggregators.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from labelwright import errors

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class Ratings:
    """Labels in long format.

    Attributes:
        item: `(n,)` item index of each rating, in `[0, n_items)`.
        rater: `(n,)` rater index of each rating, in `[0, n_raters)`.
        value: `(n,)` the rating: a class code in `[0, n_classes)` for categorical data, or the
            number itself for ordinal and interval data. Never NaN (missing ratings are absent).
        n_items: Number of items (items without any rating are allowed).
        n_raters: Number of raters.
    """

    item: IntArray
    rater: IntArray
    value: FloatArray
    n_items: int
    n_raters: int

    @property
    def size(self) -> int:
        """Number of ratings."""
        return int(self.value.size)

    @classmethod
    def from_arrays(
        cls,
        item: npt.ArrayLike,
        rater: npt.ArrayLike,
        value: npt.ArrayLike,
        *,
        n_items: int | None = None,
        n_raters: int | None = None,
    ) -> Ratings:
        """Build ratings from three equally long arrays, checking them.

        Raises:
            errors.Invalid: Lengths differ, an index is negative or out of range, or a value is
                not finite.
        """
        items = np.asarray(item, dtype=np.int64).ravel()
        raters = np.asarray(rater, dtype=np.int64).ravel()
        values = np.asarray(value, dtype=np.float64).ravel()
        if not items.size == raters.size == values.size:
            raise _invalid("item, rater and value must have the same length")
        if not np.all(np.isfinite(values)):
            raise _invalid("values must be finite numbers; leave missing ratings out")
        n_items = int(items.max(initial=-1)) + 1 if n_items is None else n_items
        n_raters = int(raters.max(initial=-1)) + 1 if n_raters is None else n_raters
        for name, array, bound in (("item", items, n_items), ("rater", raters, n_raters)):
            if array.size and (array.min() < 0 or array.max() >= bound):
                raise _invalid(f"{name} indices must lie in [0, {bound})")
        return cls(items, raters, values, n_items, n_raters)

    @classmethod
    def from_matrix(cls, matrix: npt.ArrayLike) -> Ratings:
        """Build ratings from a reliability matrix `(n_items, n_raters)` with NaN for missing.

        >>> Ratings.from_matrix([[1, 1], [2, float("nan")]]).size
        3
        """
        array = np.asarray(matrix, dtype=np.float64)
        if array.ndim != 2:
            raise _invalid("a reliability matrix must be 2-D (n_items, n_raters)")
        items, raters = np.nonzero(~np.isnan(array))
        return cls.from_arrays(
            items, raters, array[items, raters], n_items=array.shape[0], n_raters=array.shape[1]
        )

    def codes(self) -> IntArray:
        """The values as integer class codes (for categorical data)."""
        return self.value.astype(np.int64)

    def per_item_counts(self) -> IntArray:
        """`(n_items,)` number of ratings of each item."""
        return np.bincount(self.item, minlength=self.n_items).astype(np.int64)


@dataclass(frozen=True, eq=False)
class EncodedRatings:
    """Ratings whose item, rater and class keys were encoded to indices.

    Attributes:
        ratings: The encoded ratings (values are class codes when `classes` is not empty).
        items: The item key of each item index.
        raters: The rater key of each rater index.
        classes: The class of each class code, or `()` for numeric values.
    """

    ratings: Ratings
    items: tuple[Hashable, ...]
    raters: tuple[Hashable, ...]
    classes: tuple[Hashable, ...]


def encode_ratings(
    records: Iterable[tuple[Hashable, Hashable, Any]],
    *,
    classes: Sequence[Hashable] | None = None,
    numeric: bool = False,
) -> EncodedRatings:
    """Encode `(item, rater, value)` records into `Ratings`.

    Args:
        records: One `(item key, rater key, value)` per rating; a rater rates an item once (a
            repeated pair keeps the last value).
        classes: The classes in their order (required order for ordinal data); by default the
            distinct values in sorted order (by `repr` when they do not sort).
        numeric: Keep values as numbers instead of class codes (interval data).

    Raises:
        errors.Invalid: A value is not one of `classes`, or not a number with `numeric`.

    >>> encoded = encode_ratings([("t1", "ann", "cat"), ("t1", "bob", "dog")])
    >>> encoded.classes, encoded.ratings.value.tolist()
    (('cat', 'dog'), [0.0, 1.0])
    """
    latest: dict[tuple[Hashable, Hashable], Any] = {}
    for item, rater, value in records:
        latest[(item, rater)] = value
    item_index: dict[Hashable, int] = {}
    rater_index: dict[Hashable, int] = {}
    rows_item = [item_index.setdefault(i, len(item_index)) for i, _ in latest]
    rows_rater = [rater_index.setdefault(r, len(rater_index)) for _, r in latest]
    values = list(latest.values())
    if numeric:
        if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
            raise _invalid("numeric ratings must be numbers")
        codes: list[float] = [float(v) for v in values]
        known: tuple[Hashable, ...] = ()
    else:
        known = tuple(classes) if classes is not None else _sorted_distinct(values)
        lookup = {c: k for k, c in enumerate(known)}
        unknown = [v for v in values if v not in lookup]
        if unknown:
            raise _invalid(f"value {unknown[0]!r} is not one of the classes")
        codes = [float(lookup[v]) for v in values]
    ratings = Ratings.from_arrays(
        rows_item, rows_rater, codes, n_items=len(item_index), n_raters=len(rater_index)
    )
    return EncodedRatings(ratings, tuple(item_index), tuple(rater_index), known)


def _sorted_distinct(values: Sequence[Any]) -> tuple[Hashable, ...]:
    distinct = list(dict.fromkeys(values))
    try:
        return tuple(sorted(distinct))
    except TypeError:
        return tuple(sorted(distinct, key=repr))


def _invalid(reason: str) -> errors.Invalid:
    return errors.Invalid(f"Ratings: {reason}.", errors=[{"loc": ["ratings"], "msg": reason}])
