"""Quality figures from a project's additive sums (see `quality.increments`): agreement per
control, annotator and reviewer numbers, and the annotator agreement matrix.

Each function reads the sums of one scope (`key -> total`, keys as written by
`increments.encode_key`) and gives the same figures as the whole-project computations
(`control_agreement`, `annotator_stats`, `reviewer_stats`, `agreement_matrix`), with two
documented differences: the drift test splits past and recent by whole UTC days, and the
median lead time is exact below one second and exact to 0.25 % above (`LEAD_RATIO`).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np

from labelwright.domain import ControlSpec, ControlType
from labelwright.domain.controls import RubricControl
from labelwright.quality.agreement.controls import CATEGORICAL, ControlAgreement, headline_metric
from labelwright.quality.annotator_report import AnnotatorStats, ReviewerStats
from labelwright.quality.annotators import AgreementMatrix, drift_test
from labelwright.quality.increments import lead_value


def decode(sums: Mapping[str, float]) -> list[tuple[list[Any], float]]:
    """`(key parts, total)` of each sum."""
    return [(json.loads(key), total) for key, total in sums.items()]


def _count(value: float) -> int:
    return round(value)


def _get(sums: Mapping[str, float], *parts: Any) -> float:
    return sums.get(json.dumps(list(parts), separators=(",", ":"), ensure_ascii=False), 0.0)


def nominal_alpha(observed: float, counts: Sequence[float]) -> float | None:
    """Nominal Krippendorff's alpha from the observed coincidence disagreement
    `sum_u (m_u^2 - sum_c n_uc^2) / (m_u - 1)` and the pooled counts `n_c`; None when nothing
    is pairable; 1.0 when every pairable value is the same."""
    n = float(sum(counts))
    if n <= 0:
        return None
    expected = n * n - float(sum(c * c for c in counts))
    if expected <= 0:
        return 1.0
    return 1.0 - (n - 1.0) * observed / expected


def ordinal_alpha(coincidences: Mapping[tuple[float, float], float]) -> float | None:
    """Ordinal Krippendorff's alpha from coincidences `o_xy` stored for x <= y."""
    if not coincidences:
        return None
    domain = sorted({v for pair in coincidences for v in pair})
    index = {v: i for i, v in enumerate(domain)}
    matrix = np.zeros((len(domain), len(domain)))
    for (x, y), weight in coincidences.items():
        matrix[index[x], index[y]] += weight
        if x != y:
            matrix[index[y], index[x]] += weight
    totals = matrix.sum(axis=1)
    n = float(totals.sum())
    if n <= 1:
        return None
    cumulative = np.concatenate(([0.0], np.cumsum(totals)))
    positions = np.arange(totals.size)
    low, high = np.minimum.outer(positions, positions), np.maximum.outer(positions, positions)
    between = cumulative[high + 1] - cumulative[low]
    d2 = (between - (totals[:, None] + totals[None, :]) / 2.0) ** 2
    observed = float((matrix * d2).sum()) / n
    expected = float(totals @ d2 @ totals) / (n * (n - 1))
    return 1.0 if expected <= 0 else 1.0 - observed / expected


def control_totals(control: ControlSpec, sums: Mapping[str, float]) -> ControlAgreement:
    """Agreement on one control from its sums (`item_scores` stays empty)."""
    kind = ControlType(control.type)
    metric = headline_metric(control)
    items = _count(_get(sums, "items"))
    if items == 0:
        return ControlAgreement(control.name, kind.value, metric, None, None, 0, 0, {})
    mean_pairwise = _get(sums, "score_sum") / items
    details: dict[str, float] = {}
    parts = decode(sums)
    headline: float | None = None
    if kind in CATEGORICAL:
        counts = {json.dumps(k[1]): v for k, v in parts if k[0] == "n" and _count(v) > 0}
        details["percent_agreement"] = mean_pairwise
        sizes = [k[1] for k, v in parts if k[0] == "m" and _count(v) > 0]
        if len(sizes) == 1:
            shares = np.array(list(counts.values())) / sum(counts.values())
            chance = float((shares**2).sum())
            details["fleiss_kappa"] = (
                1.0 if chance >= 1.0 else (mean_pairwise - chance) / (1.0 - chance)
            )
        headline = nominal_alpha(_get(sums, "obs"), list(counts.values()))
    elif kind == ControlType.CHOICES:
        details["jaccard"] = mean_pairwise
        alphas = {}
        for label in control.label_names:
            chosen = [_get(sums, "ln", label, 0), _get(sums, "ln", label, 1)]
            alpha = nominal_alpha(_get(sums, "lo", label), chosen)
            if alpha is not None:
                alphas[str(label)] = alpha
        details.update({f"alpha:{k}": v for k, v in alphas.items()})
        headline = sum(alphas.values()) / len(alphas) if alphas else 1.0
    elif kind == ControlType.RATING:
        headline = ordinal_alpha(_coincidences(parts, None))
    elif isinstance(control, RubricControl):
        by_criterion = []
        for criterion in control.criteria:
            alpha = ordinal_alpha(_coincidences(parts, criterion.name))
            if alpha is not None:
                details[f"alpha:{criterion.name}"] = alpha
                by_criterion.append(alpha)
        headline = float(np.mean(by_criterion)) if by_criterion else None
    elif kind == ControlType.NUMBER:
        headline = _interval_alpha(sums)
    else:
        pairs = _get(sums, "pairs")
        for key, total in parts:
            if key[0] == "d" and pairs > 0:
                details[key[1]] = total / pairs
        if kind == ControlType.SPANS:
            token_counts = [v for k, v in parts if k[0] == "tn" and _count(v) > 0]
            token_alpha = nominal_alpha(_get(sums, "to"), token_counts)
            if token_alpha is not None:
                details["token_alpha"] = token_alpha
    return ControlAgreement(
        control=control.name,
        type=kind.value,
        metric=metric,
        value=mean_pairwise if headline is None else headline,
        mean_pairwise=mean_pairwise,
        n_items=items,
        n_annotations=_count(_get(sums, "annotations")),
        details=details,
    )


def _coincidences(
    parts: list[tuple[list[Any], float]], criterion: str | None
) -> dict[tuple[float, float], float]:
    return {
        (float(k[2]), float(k[3])): v
        for k, v in parts
        if k[0] == "o" and k[1] == criterion and abs(v) > 1e-12
    }


def _interval_alpha(sums: Mapping[str, float]) -> float | None:
    n = _get(sums, "iv_n")
    if n < 2:
        return None
    observed = _get(sums, "iv_obs") / n
    spread = max(0.0, _get(sums, "iv_sq") - _get(sums, "iv_sum") ** 2 / n)
    expected = 2.0 * n * spread / (n * (n - 1))
    return 1.0 if expected <= 0 else 1.0 - observed / expected


def annotator_totals(
    author_id: int | None,
    sums: Mapping[str, float],
    *,
    now: datetime,
    recent_days: int = 28,
    alpha: float = 0.05,
) -> AnnotatorStats:
    """One annotator's numbers from their sums. Consensus agreement is with each task's
    majority label; the drift test's recent window is the UTC days from `now - recent_days`."""
    s = AnnotatorStats(author_id, annotations=_count(_get(sums, "annotations")))
    s.tasks = _count(_get(sums, "tasks"))
    weeks: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    leads: list[tuple[int, int]] = []
    past, recent = [0, 0], [0, 0]
    cutoff: date = (now - timedelta(days=recent_days)).date()
    by_control: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for key, total in decode(sums):
        head = key[0]
        if head == "wk":
            weeks[key[1]]["ngp".index(key[2])] += total
        elif head == "lead" and _count(total) > 0:
            leads.append((int(key[1]), _count(total)))
        elif head == "day":
            window = recent if date.fromisoformat(key[1]) >= cutoff else past
            window[0 if key[2] == "p" else 1] += _count(total)
        elif head in ("gc_sum", "gc_n"):
            by_control[key[1]][0 if head == "gc_sum" else 1] += total
        elif head == "verdict" and _count(total) > 0:
            s.verdicts[key[1]] = _count(total)
        elif head == "sev" and _count(total) > 0:
            s.by_severity[key[1]] = _count(total)
    s.gold_answers = _count(_get(sums, "gold_n"))
    s.gold_accuracy = _get(sums, "gold_sum") / s.gold_answers if s.gold_answers else None
    s.gold_accuracy_by_control = {k: v[0] / v[1] for k, v in by_control.items() if _count(v[1])}
    active = [(w, v) for w, v in sorted(weeks.items()) if _count(v[0]) > 0]
    s.weekly = [
        (w, _count(v[0]), _count(v[1]), v[2] / v[1] if _count(v[1]) else None) for w, v in active
    ]
    s.annotations_per_active_week = s.annotations / len(active) if active else None
    s.lead_time_ms_median = _median(leads)
    s.drift = drift_test(past[0], past[1], recent[0], recent[1], alpha=alpha)
    consensus_n = _count(_get(sums, "cons_n"))
    s.consensus_agreement = _get(sums, "cons_hit") / consensus_n if consensus_n else None
    peer_n = _count(_get(sums, "peer_n"))
    s.peer_agreement = _get(sums, "peer_sum") / peer_n if peer_n else None
    s.reviewed = _count(_get(sums, "reviewed"))
    return s


def _median(buckets: list[tuple[int, int]]) -> float | None:
    """The median of bucketed values (the mean of the two middle ones for an even count)."""
    total = sum(n for _, n in buckets)
    if total == 0:
        return None
    ordered = sorted(buckets)

    def nth(rank: int) -> float:
        seen = 0
        for bucket, n in ordered:
            seen += n
            if seen > rank:
                return lead_value(bucket)
        return lead_value(ordered[-1][0])

    if total % 2:
        return nth(total // 2)
    return (nth(total // 2 - 1) + nth(total // 2)) / 2


def reviewer_totals(reviewer_id: int | None, sums: Mapping[str, float]) -> ReviewerStats:
    """How often one reviewer was re-judged and overturned."""
    return ReviewerStats(
        reviewer_id,
        reviews=_count(_get(sums, "reviews")),
        adjudicated=_count(_get(sums, "adjudicated")),
        overturned=_count(_get(sums, "overturned")),
    )


def matrix_totals(raters: Sequence[int], sums: Mapping[str, float]) -> AgreementMatrix:
    """The annotator agreement matrix of one control from its pair sums; a rater's diagonal
    cell counts their comparisons with anyone, at agreement 1."""
    index = {r: i for i, r in enumerate(raters)}
    size = len(raters)
    totals = np.zeros((size, size))
    counts = np.zeros((size, size), dtype=np.int64)
    for key, total in decode(sums):
        a, b = index.get(key[1]), index.get(key[2])
        if a is None or b is None:
            continue
        if key[0] == "s":
            totals[a, b] += total
            totals[b, a] += total
        else:
            counts[a, b] += _count(total)
            counts[b, a] += _count(total)
    own = counts.sum(axis=1)
    diagonal = np.arange(size)
    counts[diagonal, diagonal] = own
    totals[diagonal, diagonal] = own
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.where(counts > 0, totals / np.maximum(counts, 1), np.nan)
    return AgreementMatrix(mean, counts)
