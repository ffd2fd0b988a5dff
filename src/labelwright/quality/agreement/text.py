"""Agreement of free text and transcripts: word and character error rates (via `jiwer`)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import jiwer

from labelwright.quality.agreement.regions import match_regions

_PUNCTUATION = re.compile(r"[^\w\s']", re.UNICODE)


@dataclass(frozen=True)
class TextAgreement:
    """Edit-distance agreement of two texts.

    Attributes:
        wer: Word error rate of `b` against the reference `a`:
            `(substitutions + deletions + insertions) / words in a`. Not symmetric; may exceed 1.
        cer: Character error rate of `b` against `a`, the same at character level.
        word_agreement: Symmetric `1 - word edits / max(words in a, words in b)`, in `[0, 1]`.
        char_agreement: Symmetric `1 - character edits / max(len(a), len(b))`, in `[0, 1]`.
    """

    wer: float
    cer: float
    word_agreement: float
    char_agreement: float


def normalize_text(text: str) -> str:
    """Lower case, punctuation removed (apostrophes kept), whitespace collapsed.

    >>> normalize_text("  Hello,   World! ")
    'hello world'
    """
    return " ".join(_PUNCTUATION.sub(" ", text.lower()).split())


def text_agreement(a: str, b: str, *, normalize: bool = True) -> TextAgreement:
    """WER, CER and symmetric agreements of two texts (`a` is the reference).

    Word error rate (WER) and character error rate (CER) are the Levenshtein distance over
    words / characters divided by the reference length, as in speech recognition evaluation
    (computed by `jiwer`). An empty reference gives a rate of 0 when `b` is empty too and 1
    otherwise.

    >>> result = text_agreement("the cat sat", "the cat sat down")
    >>> round(result.wer, 3), result.word_agreement
    (0.333, 0.75)
    """
    if normalize:
        a, b = normalize_text(a), normalize_text(b)
    words_a, words_b = a.split(), b.split()
    word_edits = _edits(" ".join(words_a), " ".join(words_b), words=True)
    char_edits = _edits(a, b, words=False)
    return TextAgreement(
        wer=_rate(word_edits, len(words_a)),
        cer=_rate(char_edits, len(a)),
        word_agreement=1.0 - word_edits / max(len(words_a), len(words_b), 1),
        char_agreement=1.0 - char_edits / max(len(a), len(b), 1),
    )


def _edits(a: str, b: str, *, words: bool) -> int:
    if not a or not b:
        return len(b.split() if words else b) if not a else len(a.split() if words else a)
    out = jiwer.process_words(a, b) if words else jiwer.process_characters(a, b)
    return int(out.substitutions + out.deletions + out.insertions)


def _rate(edits: int, length: int) -> float:
    if length == 0:
        return 0.0 if edits == 0 else 1.0
    return edits / length


@dataclass(frozen=True)
class TranscriptAgreement:
    """Agreement of two timed transcripts.

    Attributes:
        text: Edit-distance agreement of the full texts (segments joined in time order).
        timing_f1: Matched-F1 of the segments by temporal IoU >= 0.5, ignoring text.
        mean_timing_iou: Mean temporal IoU of the matched segments.
        speaker_agreement: Share of matched segments with the same speaker (1.0 if none).
    """

    text: TextAgreement
    timing_f1: float
    mean_timing_iou: float
    speaker_agreement: float


def transcript_agreement(
    a: Sequence[Mapping[str, Any]], b: Sequence[Mapping[str, Any]]
) -> TranscriptAgreement:
    """Compare two transcripts `[{start, end, text, speaker?}]` on text, timing and speakers.

    >>> seg = {"start": 0.0, "end": 1.0, "text": "hello there"}
    >>> transcript_agreement([seg], [seg | {"end": 1.1}]).text.wer
    0.0
    """
    text_a = " ".join(str(s["text"]) for s in sorted(a, key=_time_key))
    text_b = " ".join(str(s["text"]) for s in sorted(b, key=_time_key))
    as_regions_a = [{"start": s["start"], "end": s["end"], "label": s.get("speaker")} for s in a]
    as_regions_b = [{"start": s["start"], "end": s["end"], "label": s.get("speaker")} for s in b]
    timing = match_regions(as_regions_a, as_regions_b, kind="segments", threshold=0.5)
    return TranscriptAgreement(
        text=text_agreement(text_a, text_b),
        timing_f1=timing.geometric_f1,
        mean_timing_iou=timing.mean_overlap,
        speaker_agreement=timing.label_agreement,
    )


def _time_key(segment: Mapping[str, Any]) -> tuple[float, float]:
    return float(segment["start"]), float(segment["end"])
