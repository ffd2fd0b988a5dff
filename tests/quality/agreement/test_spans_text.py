from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwright.errors import Invalid
from labelwright.quality.agreement import (
    SpanItem,
    span_agreement,
    span_token_alpha,
    text_agreement,
    token_labels,
    transcript_agreement,
    word_tokens,
)

TEXT = "Ada Lovelace met Charles Babbage in London"


def _span(start: int, end: int, label: str) -> dict:
    return {"start": start, "end": end, "label": label, "text": TEXT[start:end]}


def test_exact_and_overlap_span_f1() -> None:
    a = [_span(0, 12, "PER"), _span(17, 32, "PER"), _span(36, 42, "LOC")]
    b = [_span(0, 3, "PER"), _span(17, 32, "PER"), _span(36, 42, "ORG")]
    result = span_agreement(a, b)
    assert result.exact_f1 == pytest.approx(2 * 1 / 6)
    assert result.overlap_f1 == pytest.approx(2 * 2 / 6)
    assert result.per_label_overlap["PER"] == 1.0
    assert result.per_label_exact["LOC"] == 0.0
    assert span_agreement([], []).exact_f1 == 1.0


spans = st.lists(
    st.tuples(st.integers(0, 40), st.integers(1, 10), st.sampled_from(["PER", "LOC"])).map(
        lambda t: {"start": t[0], "end": t[0] + t[1], "label": t[2]}
    ),
    max_size=5,
)


@settings(settings.get_profile("quality"))
@given(spans, spans)
def test_span_f1_is_symmetric_and_exact_never_beats_overlap(a: list, b: list) -> None:
    ab, ba = span_agreement(a, b), span_agreement(b, a)
    assert ab.exact_f1 == pytest.approx(ba.exact_f1)
    assert ab.overlap_f1 == pytest.approx(ba.overlap_f1)
    assert 0 <= ab.exact_f1 <= ab.overlap_f1 <= 1


def test_tokens_and_token_labels() -> None:
    tokens = word_tokens(TEXT)
    assert tokens[:2] == ((0, 3), (4, 12))
    labels = token_labels([_span(0, 12, "PER")], tokens)
    assert labels[:3] == ("PER", "PER", "O")


def test_token_alpha_is_one_for_identical_spans_and_lower_for_different() -> None:
    tokens = word_tokens(TEXT)
    same = SpanItem(tokens, ([_span(0, 12, "PER")], [_span(0, 12, "PER")]))
    assert span_token_alpha([same]) == 1.0
    differ = SpanItem(tokens, ([_span(0, 12, "PER")], [_span(36, 42, "LOC")]))
    assert span_token_alpha([same, differ]) < 0.6
    with pytest.raises(Invalid):
        span_token_alpha([SpanItem(tokens, ([],))])


def test_word_and_character_error_rates() -> None:
    result = text_agreement("the cat sat on the mat", "the cat sat on a mat")
    assert result.wer == pytest.approx(1 / 6)
    assert result.word_agreement == pytest.approx(5 / 6)
    assert text_agreement("Hello, World!", "hello world").wer == 0.0
    assert text_agreement("", "").wer == 0.0
    assert text_agreement("", "word").wer == 1.0 and text_agreement("", "word").word_agreement == 0
    assert text_agreement("abc", "abd", normalize=False).cer == pytest.approx(1 / 3)


@settings(settings.get_profile("quality"))
@given(st.text(max_size=30), st.text(max_size=30))
def test_symmetric_text_agreements_are_bounded_and_symmetric(a: str, b: str) -> None:
    ab, ba = text_agreement(a, b), text_agreement(b, a)
    assert 0 <= ab.word_agreement <= 1 and 0 <= ab.char_agreement <= 1
    assert ab.word_agreement == pytest.approx(ba.word_agreement)
    assert ab.char_agreement == pytest.approx(ba.char_agreement)
    assert text_agreement(a, a).wer == 0.0


def test_transcripts_compare_text_timing_and_speakers() -> None:
    a = [
        {"start": 0.0, "end": 2.0, "text": "good morning", "speaker": "A"},
        {"start": 2.0, "end": 4.0, "text": "hello there", "speaker": "B"},
    ]
    b = [
        {"start": 2.1, "end": 4.0, "text": "hello there", "speaker": "A"},
        {"start": 0.0, "end": 1.9, "text": "good morning", "speaker": "A"},
    ]
    result = transcript_agreement(a, b)
    assert result.text.wer == 0.0  # joined in time order
    assert result.timing_f1 == 1.0
    assert result.speaker_agreement == 0.5
