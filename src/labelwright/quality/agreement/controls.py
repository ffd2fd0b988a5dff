"""Agreement for any control of a labeling schema: one similarity per pair of values, and one
summary per control over many items, each with the measure that suits the control type.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import numpy as np

from labelwright import errors
from labelwright.domain import ControlSpec, ControlType, LabelingSchema
from labelwright.domain.controls import RatingControl, RubricControl
from labelwright.domain.kinds import REGION_CONTROLS
from labelwright.domain.values.classification import rubric_ratings
from labelwright.quality.agreement import kappa
from labelwright.quality.agreement.comparison import kendall_tau, pairwise_choice
from labelwright.quality.agreement.fields import field_agreement
from labelwright.quality.agreement.krippendorff import Level, krippendorff_alpha
from labelwright.quality.agreement.multilabel import jaccard, multilabel_agreement
from labelwright.quality.agreement.regions import match_regions
from labelwright.quality.agreement.relations import relation_f1
from labelwright.quality.agreement.spans import (
    SpanItem,
    span_agreement,
    span_token_alpha,
    word_tokens,
)
from labelwright.quality.agreement.text import text_agreement, transcript_agreement
from labelwright.quality.agreement.tracks import track_agreement
from labelwright.quality.ratings import Ratings, encode_ratings

CATEGORICAL = frozenset({ControlType.CHOICE, ControlType.PAIRWISE})
LIST_VALUED = REGION_CONTROLS | {ControlType.CHOICES, ControlType.TRANSCRIPT, ControlType.FIELDS}
"""Controls whose missing value means "nothing marked" (an empty list), not "not answered"."""

_HEADLINE: dict[ControlType, str] = {
    ControlType.CHOICE: "alpha_nominal",
    ControlType.PAIRWISE: "alpha_nominal",
    ControlType.CHOICES: "mean_label_alpha",
    ControlType.RATING: "alpha_ordinal",
    ControlType.RUBRIC: "mean_criterion_alpha",
    ControlType.NUMBER: "alpha_interval",
    ControlType.TEXTAREA: "char_agreement",
    ControlType.SPANS: "overlap_f1",
    ControlType.TRANSCRIPT: "word_agreement",
    ControlType.TRACKS: "track_f1",
    ControlType.RANKING: "kendall_tau",
    ControlType.RELATIONS: "relation_f1",
    ControlType.FIELDS: "field_agreement",
}
_MATCHED_F1 = "matched_f1"


@dataclass(frozen=True)
class ControlAgreement:
    """Agreement of one control over many items.

    Attributes:
        control: The control's name.
        type: The control type.
        metric: Name of the headline measure (`alpha_nominal`, `matched_f1`, ...).
        value: The headline measure, or None when no item has two annotations.
        mean_pairwise: Mean over items of the mean pairwise similarity, in `[0, 1]`.
        n_items: Items with at least two annotations.
        n_annotations: Annotations on those items.
        details: Further measures (percent agreement, kappa, mean IoU, exact F1 ...).
        item_scores: For each input item, its mean pairwise similarity (None under two
            annotations); low values flag items to adjudicate.
    """

    control: str
    type: str
    metric: str
    value: float | None
    mean_pairwise: float | None
    n_items: int
    n_annotations: int
    details: Mapping[str, float] = field(default_factory=dict)
    item_scores: tuple[float | None, ...] = ()


def headline_metric(control: ControlSpec) -> str:
    """The name of the measure `control_agreement` reports first for this control."""
    return _HEADLINE.get(ControlType(control.type), _MATCHED_F1)


def comparable_value(
    schema: LabelingSchema, control: ControlSpec, results: Mapping[str, Any]
) -> Any:
    """The value of `control` in one annotation's results, ready for `value_similarity`.

    List-valued controls (regions, choices, transcripts, fields) that were left out count as
    empty lists. Relations come with the regions they link: `{"relations", "regions"}`, where
    `regions` maps each region id of the results to `(control type, region)`. Returns None
    when a single-valued control was not answered.
    """
    kind = control.type  # a plain str compares equal to its ControlType (cheaper per call)
    value = results.get(control.name)
    if kind == ControlType.RELATIONS:
        regions: dict[str, tuple[str, Any]] = {}
        for other in schema.controls:
            if other.type in REGION_CONTROLS:
                for region in results.get(other.name) or ():
                    if region.get("id") is not None:
                        regions[str(region["id"])] = (other.type, region)
        return {"relations": list(value or ()), "regions": regions}
    if value is None and kind in LIST_VALUED:
        return []
    return value


def value_similarity(control: ControlSpec, a: Any, b: Any, *, sigma: float = 10.0) -> float:
    """Similarity in `[0, 1]` of two values of `control` (1 = full agreement); symmetric.

    choice, pairwise: equal or not; choices: Jaccard; rating: `1 - |a - b| / (max - min)`;
    rubric: the mean of that over criteria (and responses, for a rubric of a responses object;
    a cell rated in one value only scores 0); number: the same with the control's bounds, else
    `1 - |a - b| / max(|a|, |b|)`; textarea: symmetric character agreement; spans: overlap
    span F1; boxes, polygons, masks, keypoints, regions, segments: matched-F1; transcript:
    symmetric word agreement; tracks: per-frame matched-F1; ranking: `(tau_b + 1) / 2`;
    relations: relation F1 (values from `comparable_value`); fields: share of agreeing fields.
    """
    kind = ControlType(control.type)
    if kind == ControlType.CHOICE:
        return float(a == b)
    if kind == ControlType.PAIRWISE:
        return float(pairwise_choice(a) == pairwise_choice(b))
    if kind == ControlType.CHOICES:
        return jaccard(a, b)
    if isinstance(control, RatingControl):
        return 1.0 - abs(float(a) - float(b)) / (control.max - control.min)
    if isinstance(control, RubricControl):
        return _rubric_similarity(control, a, b)
    if kind == ControlType.NUMBER:
        return _number_similarity(control, float(a), float(b))
    if kind == ControlType.TEXTAREA:
        return text_agreement(str(a), str(b)).char_agreement
    if kind == ControlType.SPANS:
        return span_agreement(a, b).overlap_f1
    if kind == ControlType.TRANSCRIPT:
        return transcript_agreement(a, b).text.word_agreement
    if kind == ControlType.TRACKS:
        return track_agreement(a, b).f1
    if kind == ControlType.RANKING:
        return (kendall_tau(a, b) + 1.0) / 2.0
    if kind == ControlType.RELATIONS:
        return float(
            relation_f1(
                a["relations"], b["relations"], regions_a=a["regions"], regions_b=b["regions"]
            )
        )
    if kind == ControlType.FIELDS:
        return field_agreement(a, b)
    if kind in REGION_CONTROLS:
        return match_regions(a, b, kind=kind.value, sigma=sigma).f1  # type: ignore[arg-type]
    raise errors.Invalid(f"No similarity for control type '{kind}'.")


def _rubric_similarity(control: RubricControl, a: Any, b: Any) -> float:
    """Mean over every (response, criterion) cell rated in either value: `1 - |a - b| / range`
    where both rated it, 0 where one did (1 where neither did, in the flat shape)."""
    cells_a, cells_b = rubric_ratings(a), rubric_ratings(b)
    responses = dict.fromkeys(r for r, _ in [*cells_a, *cells_b]) or {None: None}
    scores = []
    for response in responses:
        for c in control.criteria:
            x, y = cells_a.get((response, c.name)), cells_b.get((response, c.name))
            if x is not None and y is not None:
                scores.append(1.0 - abs(float(x) - float(y)) / (c.max - c.min))
            else:
                scores.append(float(x is None and y is None))
    return sum(scores) / len(scores)


def rubric_units(values: Sequence[Any], criterion: str) -> list[list[int]]:
    """The ratings of one item's rubric values on one criterion, as units of agreement.

    A flat rubric gives one unit (the item); a rubric of a `responses` object gives one unit
    per response, so each response is rated and compared on its own. Responses come in the
    order they first appear; a unit may hold fewer than two ratings.

    >>> rubric_units([{"c": 4}, {"c": 5}], "c")
    [[4, 5]]
    >>> rubric_units([{"r1": {"c": 4}, "r2": {"c": 1}}, {"r1": {"c": 5}, "r2": {"c": 1}}], "c")
    [[4, 5], [1, 1]]
    """
    cells = [rubric_ratings(value) for value in values]
    responses = dict.fromkeys(r for cell in cells for r, _ in cell)
    return [
        [cell[(response, criterion)] for cell in cells if (response, criterion) in cell]
        for response in responses or {None: None}
    ]


def _number_similarity(control: ControlSpec, a: float, b: float) -> float:
    low, high = getattr(control, "min", None), getattr(control, "max", None)
    if low is not None and high is not None:
        return max(0.0, 1.0 - abs(a - b) / (float(high) - float(low)))
    scale = max(abs(a), abs(b))
    return 1.0 if scale == 0 else max(0.0, 1.0 - abs(a - b) / scale)


def control_agreement(
    control: ControlSpec,
    items: Sequence[Sequence[Any]],
    *,
    texts: Sequence[str] | None = None,
    sigma: float = 10.0,
) -> ControlAgreement:
    """Summarize the agreement on one control over many items.

    The headline measure depends on the type: Krippendorff's alpha (nominal for choice and
    pairwise, ordinal for rating and rubric criteria, interval for number; a rubric of a
    responses object counts each response of an item as its own unit), mean per-label
    alpha for choices, and for every other type the mean pairwise similarity of
    `value_similarity` under the type's name (matched-F1, overlap span F1, ...). `details`
    adds percent agreement and Fleiss' kappa (categorical, equal rater counts), mean IoU and
    label agreement (regions), exact F1 and token alpha (spans, with `texts`), mean WER
    (transcripts) and mean tau (ranking).

    Args:
        control: The control specification.
        items: For each item, the values of its annotators (from `comparable_value`; None
            values are skipped).
        texts: For spans, the text of each item (enables token-level alpha).
        sigma: Keypoint tolerance in pixels.

    >>> from labelwright.domain.controls import ChoiceControl
    >>> c = ChoiceControl(name="s", type="choice", of="t", options=["a", "b"])
    >>> result = control_agreement(c, [["a", "a"], ["b", "b"], ["a", "b"]])
    >>> result.metric, round(result.value, 3), round(result.mean_pairwise, 3)
    ('alpha_nominal', 0.444, 0.667)
    """
    kind = ControlType(control.type)
    values = [[v for v in item if v is not None] for item in items]
    rated = [i for i, item in enumerate(values) if len(item) >= 2]
    scores: list[float | None] = [None] * len(values)
    categorical = (
        _categorical_ratings(kind, [values[i] for i in rated])
        if kind in CATEGORICAL and rated
        else None
    )
    if categorical is not None:
        # Vectorized share of agreeing pairs per item (the same value as the pairwise loop).
        for i, share in zip(rated, _categorical_item_scores(categorical), strict=True):
            scores[i] = share
    for i in rated if kind not in CATEGORICAL else ():
        pairs = [
            value_similarity(control, x, y, sigma=sigma) for x, y in combinations(values[i], 2)
        ]
        scores[i] = sum(pairs) / len(pairs)
    metric = headline_metric(control)
    details: dict[str, float] = {}
    if not rated:
        return ControlAgreement(
            control.name, kind.value, metric, None, None, 0, 0, {}, tuple(scores)
        )
    mean_pairwise = float(np.mean([scores[i] for i in rated]))
    headline = _headline(control, kind, [values[i] for i in rated], details, sigma, categorical)
    if kind == ControlType.SPANS and texts is not None:
        span_items = [SpanItem(word_tokens(texts[i]), tuple(values[i])) for i in rated]
        token_alpha = _guarded(lambda: span_token_alpha(span_items))
        if token_alpha is not None:
            details["token_alpha"] = token_alpha
    return ControlAgreement(
        control=control.name,
        type=kind.value,
        metric=metric,
        value=mean_pairwise if headline is None else headline,
        mean_pairwise=mean_pairwise,
        n_items=len(rated),
        n_annotations=sum(len(values[i]) for i in rated),
        details=details,
        item_scores=tuple(scores),
    )


def _headline(
    control: ControlSpec,
    kind: ControlType,
    items: list[list[Any]],
    details: dict[str, float],
    sigma: float,
    ratings: Ratings | None,
) -> float | None:
    """The type's own headline measure when it is not the mean pairwise similarity."""
    if ratings is not None:
        details["percent_agreement"] = kappa.percent_agreement(ratings)
        if len({len(item) for item in items}) == 1:
            details["fleiss_kappa"] = kappa.fleiss_kappa(ratings)
        return krippendorff_alpha(ratings, level="nominal")
    if kind == ControlType.CHOICES:
        result = multilabel_agreement(items, labels=control.label_names)
        details["jaccard"] = result.jaccard
        details.update({f"alpha:{k}": v for k, v in result.per_label_alpha.items()})
        return result.mean_alpha
    if kind == ControlType.RATING:
        return _alpha(items, "ordinal")
    if kind == ControlType.NUMBER:
        return _alpha(items, "interval")
    if kind == ControlType.RUBRIC:
        alphas = []
        for criterion in control.criteria:  # type: ignore[union-attr]
            column = [unit for item in items for unit in rubric_units(item, criterion.name)]
            alpha = _guarded(lambda column=column: _alpha(column, "ordinal"))
            if alpha is not None:
                details[f"alpha:{criterion.name}"] = alpha
                alphas.append(alpha)
        return float(np.mean(alphas)) if alphas else None
    _pairwise_details(control, kind, items, details, sigma)
    return None


def _pairwise_details(
    control: ControlSpec,
    kind: ControlType,
    items: list[list[Any]],
    details: dict[str, float],
    sigma: float,
) -> None:
    pairs = [pair for item in items for pair in combinations(item, 2)]
    if kind == ControlType.SPANS:
        details["exact_f1"] = float(np.mean([span_agreement(a, b).exact_f1 for a, b in pairs]))
    elif kind == ControlType.TRANSCRIPT:
        results = [transcript_agreement(a, b) for a, b in pairs]
        reverse = [transcript_agreement(b, a) for a, b in pairs]
        # WER is not symmetric: report the mean over both choices of reference.
        details["wer"] = float(
            np.mean([(r.text.wer + s.text.wer) / 2 for r, s in zip(results, reverse, strict=True)])
        )
        details["timing_f1"] = float(np.mean([r.timing_f1 for r in results]))
    elif kind == ControlType.RANKING:
        details["mean_tau"] = float(np.mean([kendall_tau(a, b) for a, b in pairs]))
    elif kind == ControlType.TRACKS:
        tracks = [track_agreement(a, b) for a, b in pairs]
        details["mean_iou"] = float(np.mean([t.mean_iou for t in tracks]))
        details["id_switches"] = float(np.mean([t.id_switches for t in tracks]))
    elif kind in REGION_CONTROLS:
        regions = [match_regions(a, b, kind=kind.value, sigma=sigma) for a, b in pairs]  # type: ignore[arg-type]
        details["mean_iou"] = float(np.mean([r.mean_overlap for r in regions]))
        details["geometric_f1"] = float(np.mean([r.geometric_f1 for r in regions]))
        details["label_agreement"] = float(np.mean([r.label_agreement for r in regions]))


def _categorical_ratings(kind: ControlType, items: list[list[Any]]) -> Ratings:
    labels = [
        [pairwise_choice(v) if kind == ControlType.PAIRWISE else v for v in item] for item in items
    ]
    return _ratings(labels)


def _categorical_item_scores(ratings: Ratings) -> list[float]:
    k = int(ratings.value.max()) + 1
    counts = np.bincount(ratings.item * k + ratings.codes(), minlength=ratings.n_items * k)
    counts = counts.reshape(ratings.n_items, k).astype(np.float64)
    m = counts.sum(axis=1)
    shares: list[float] = ((counts * (counts - 1)).sum(axis=1) / (m * (m - 1))).tolist()
    return shares


def _ratings(items: Sequence[Sequence[Any]]) -> Ratings:
    records = [(i, r, v) for i, item in enumerate(items) for r, v in enumerate(item)]
    return encode_ratings(records).ratings


def _alpha(items: Sequence[Sequence[Any]], level: Level) -> float:
    records = [(i, r, float(v)) for i, item in enumerate(items) for r, v in enumerate(item)]
    return krippendorff_alpha(encode_ratings(records, numeric=True).ratings, level=level)


def _guarded(compute: Any) -> float | None:
    """The measure, or None where it is undefined (e.g. nothing pairable)."""
    try:
        return float(compute())
    except errors.Invalid:
        return None
