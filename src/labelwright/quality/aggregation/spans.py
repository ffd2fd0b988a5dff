"""Consensus spans by token vote."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from labelwright import errors
from labelwright.quality.agreement.spans import OUTSIDE, token_labels, word_tokens


def vote_spans(
    annotations: Sequence[Sequence[Mapping[str, Any]]],
    text: str,
    *,
    weights: npt.ArrayLike | None = None,
    min_share: float = 0.5,
) -> tuple[dict[str, Any], ...]:
    """Consensus spans of one text by a (weighted) vote on every token.

    Each annotator gives each token (`word_tokens`) the label of the span covering it, or
    `"O"`. A token takes a label when that label's weighted votes exceed `min_share` of the
    total weight (strict majority by default); otherwise it stays outside. Consecutive tokens
    with the same label form one span `{start, end, text, label}`; spans always start and
    end on token boundaries.

    Args:
        annotations: Each annotator's spans of the text.
        text: The text (offsets are code points).
        weights: `(n_annotators,)` non-negative weights (default 1 each).
        min_share: Share of the weight a label needs, in `[0, 1)`.

    Raises:
        errors.Invalid: Wrong number of weights, all zero, or `min_share` out of range.

    >>> s = {"start": 0, "end": 3, "label": "PER"}
    >>> vote_spans([[s], [s], []], "Ann met Bob")
    ({'start': 0, 'end': 3, 'text': 'Ann', 'label': 'PER'},)
    """
    w = np.ones(len(annotations)) if weights is None else np.asarray(weights, dtype=np.float64)
    if w.shape != (len(annotations),) or np.any(w < 0) or (w.size and w.sum() <= 0):
        raise errors.Invalid("Give one non-negative weight per annotator, not all zero.")
    if not 0.0 <= min_share < 1.0:
        raise errors.Invalid(f"min_share must lie in [0, 1), got {min_share}.")
    tokens = word_tokens(text)
    labels = [token_labels(spans, tokens) for spans in annotations]
    total = float(w.sum())
    winners: list[str] = []
    for t in range(len(tokens)):
        votes: dict[str, float] = {}
        for a, row in enumerate(labels):
            if row[t] != OUTSIDE:
                votes[row[t]] = votes.get(row[t], 0.0) + float(w[a])
        best = min(votes, key=lambda name: (-votes[name], name)) if votes else OUTSIDE
        winners.append(best if votes and votes[best] > min_share * total else OUTSIDE)
    spans: list[dict[str, Any]] = []
    for t, label in enumerate(winners):
        if label == OUTSIDE:
            continue
        start, end = tokens[t]
        if spans and winners[t - 1] == label and t > 0:
            spans[-1]["end"] = end
        else:
            spans.append({"start": start, "end": end, "label": label})
    return tuple(
        {
            "start": s["start"],
            "end": s["end"],
            "text": text[s["start"] : s["end"]],
            "label": s["label"],
        }
        for s in spans
    )
