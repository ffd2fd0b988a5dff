"""Agreement of text spans: exact and overlap span F1 per label, and token-level alpha."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from labelwright.quality.agreement.krippendorff import krippendorff_alpha
from labelwright.quality.agreement.regions import match_regions
from labelwright.quality.ratings import encode_ratings

Token = tuple[int, int]
Span = Mapping[str, Any]
OUTSIDE = "O"
"""The token label of text outside every span."""

_TOKEN = re.compile(r"\w+|[^\w\s]", re.UNICODE)
# Any overlap at all: the smallest positive threshold the matcher accepts, far below one
# character of overlap on any realistic text.
_ANY_OVERLAP = 1e-12


@dataclass(frozen=True)
class SpanAgreement:
    """Span F1 of two annotators on one text.

    Attributes:
        exact_f1: Spans count as matched when start, end (and page) are equal and the label
            agrees.
        overlap_f1: Spans count as matched when they overlap at all and the label agrees.
        per_label_exact: Exact F1 per label.
        per_label_overlap: Overlap F1 per label.
    """

    exact_f1: float
    overlap_f1: float
    per_label_exact: Mapping[str, float]
    per_label_overlap: Mapping[str, float]


def span_agreement(a: Sequence[Span], b: Sequence[Span]) -> SpanAgreement:
    """Exact and overlap span F1 of two annotators, overall and per label.

    `F1 = 2 * matched / (n_a + n_b)` with a one-to-one matching of spans (Hungarian on
    character IoU); symmetric in `a` and `b`, 1.0 when neither marked anything. This is the
    pairwise F1 common in NER annotation studies (Hripcsak & Rothschild 2005, "Agreement, the
    F-measure, and reliability in information retrieval", JAMIA 12(3)).

    >>> a = [{"start": 0, "end": 4, "label": "PER"}]
    >>> span_agreement(a, [{"start": 0, "end": 3, "label": "PER"}]).overlap_f1
    1.0
    """
    exact = match_regions(a, b, kind="spans", threshold=1.0)
    overlap = match_regions(a, b, kind="spans", threshold=_ANY_OVERLAP)
    return SpanAgreement(exact.f1, overlap.f1, exact.per_label_f1, overlap.per_label_f1)


def word_tokens(text: str) -> tuple[Token, ...]:
    """Token offsets `(start, end)` of a text: runs of word characters, and each punctuation
    mark on its own (code-point offsets, end exclusive).

    >>> word_tokens("Hi, Ann!")
    ((0, 2), (2, 3), (4, 7), (7, 8))
    """
    return tuple((m.start(), m.end()) for m in _TOKEN.finditer(text))


def token_labels(
    spans: Sequence[Span], tokens: Sequence[Token], *, page: int | None = None
) -> tuple[str, ...]:
    """The label of each token: that of the first span overlapping it, or `"O"`.

    Args:
        spans: One annotator's spans of the text.
        tokens: Token offsets of the text, e.g. from `word_tokens`.
        page: For documents, only spans of this page count.
    """
    labels = [OUTSIDE] * len(tokens)
    ordered = sorted(
        (s for s in spans if s.get("page") == page),
        key=lambda s: (int(s["start"]), int(s["end"]), str(s.get("label"))),
    )
    for index, (start, end) in enumerate(tokens):
        for span in ordered:
            if int(span["start"]) < end and start < int(span["end"]):
                labels[index] = str(span.get("label"))
                break
    return tuple(labels)


@dataclass(frozen=True)
class SpanItem:
    """One text with every annotator's spans of it."""

    tokens: tuple[Token, ...]
    annotations: tuple[Sequence[Span], ...]


def span_token_alpha(items: Sequence[SpanItem]) -> float:
    """Krippendorff's alpha (nominal) over tokens: each token is a unit, each annotator's
    value is the label of the span covering it or `"O"`.

    Token-level alpha is what span annotation studies report when spans may differ in
    extent; tokens no one marked count as agreeing on `"O"`.

    Raises:
        errors.Invalid: No token has two annotations.
    """
    records = []
    for item_index, item in enumerate(items):
        for rater, spans in enumerate(item.annotations):
            for token_index, label in enumerate(token_labels(spans, item.tokens)):
                records.append(((item_index, token_index), rater, label))
    return krippendorff_alpha(encode_ratings(records).ratings, level="nominal")
