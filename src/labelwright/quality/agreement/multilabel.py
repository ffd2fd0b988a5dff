"""Agreement of multi-label (`choices`) annotations: Jaccard and per-label alpha."""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations

from labelwright import errors
from labelwright.quality.agreement.krippendorff import krippendorff_alpha
from labelwright.quality.ratings import Ratings

LabelSet = Collection[Hashable]


@dataclass(frozen=True)
class MultiLabelAgreement:
    """Agreement of label sets.

    Attributes:
        jaccard: Mean over items (with two or more annotations) of the mean pairwise Jaccard
            index `|A & B| / |A | B|` (two empty sets agree: 1.0).
        per_label_alpha: For each label, nominal Krippendorff's alpha of the binary
            "label chosen" decisions.
        mean_alpha: Mean of `per_label_alpha`.
        n_items: Items with two or more annotations.
    """

    jaccard: float
    per_label_alpha: Mapping[str, float]
    mean_alpha: float
    n_items: int


def jaccard(a: LabelSet, b: LabelSet) -> float:
    """Jaccard index of two label sets; two empty sets give 1.0.

    >>> jaccard({"a", "b"}, {"b", "c"})
    0.3333333333333333
    """
    first, second = set(a), set(b)
    union = first | second
    return len(first & second) / len(union) if union else 1.0


def multilabel_agreement(
    items: Sequence[Sequence[LabelSet]], *, labels: Sequence[Hashable] | None = None
) -> MultiLabelAgreement:
    """Jaccard and per-label alpha of multi-label annotations.

    Each label is also treated as its own binary question ("did the annotator choose it?"),
    whose agreement is nominal Krippendorff's alpha; a label nobody chose has alpha 1.0.

    Args:
        items: For each item, the label sets of its annotators.
        labels: Labels to report (default: every label used).

    Raises:
        errors.Invalid: No item has two annotations.

    >>> result = multilabel_agreement([[{"a"}, {"a"}], [{"b"}, {"a", "b"}]])
    >>> round(result.jaccard, 2)
    0.75
    """
    rated = [list(map(set, sets)) for sets in items if len(sets) >= 2]
    if not rated:
        raise errors.Invalid("Multi-label agreement needs at least one item annotated twice.")
    per_item = []
    for sets in rated:
        pairs = [jaccard(x, y) for x, y in combinations(sets, 2)]
        per_item.append(sum(pairs) / len(pairs))
    known = (
        list(labels)
        if labels is not None
        else sorted({str(v) for sets in rated for chosen in sets for v in chosen})
    )
    alphas: dict[str, float] = {}
    for label in known:
        item, rater, value = [], [], []
        for u, sets in enumerate(rated):
            for r, chosen in enumerate(sets):
                item.append(u)
                rater.append(r)
                value.append(1.0 if label in chosen or str(label) in map(str, chosen) else 0.0)
        alphas[str(label)] = krippendorff_alpha(Ratings.from_arrays(item, rater, value))
    mean_alpha = sum(alphas.values()) / len(alphas) if alphas else 1.0
    return MultiLabelAgreement(sum(per_item) / len(per_item), alphas, mean_alpha, len(rated))
