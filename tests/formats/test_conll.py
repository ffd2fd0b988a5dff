from __future__ import annotations

import pytest
from seqeval.metrics import classification_report, f1_score
from seqeval.metrics.sequence_labeling import get_entities
from seqeval.scheme import IOB2, IOBES, Entities

from labelwright.domain import parse_schema
from tests.formats.conftest import export_bytes, import_errors, import_rows, make_task

SCHEMA = parse_schema(
    {
        "objects": {"text": {"type": "text"}},
        "controls": [
            {"name": "ner", "type": "spans", "of": "text", "labels": ["PER", "ORG", "LOC"]}
        ],
    }
)
TEXT = "Ada Lovelace met Charles Babbage in London\nThey built the Analytical Engine"
SPANS = [
    {"start": 0, "end": 12, "text": "Ada Lovelace", "label": "PER"},
    {"start": 17, "end": 32, "text": "Charles Babbage", "label": "PER"},
    {"start": 36, "end": 42, "text": "London", "label": "LOC"},
    {"start": 58, "end": 75, "text": "Analytical Engine", "label": "ORG"},
]


def _tasks() -> list:
    return [
        make_task(1, {"text": TEXT}, {"ner": SPANS}, schema=SCHEMA),
        make_task(2, {"text": "Nobody here"}, {"ner": []}, schema=SCHEMA),
    ]


def _sentences(body: bytes) -> list[list[tuple[str, str]]]:
    sentences, current = [], []
    for line in body.decode().splitlines():
        if line.startswith("-DOCSTART-"):
            continue
        if not line:
            if current:
                sentences.append(current)
            current = []
            continue
        token, tag = line.split(" ")
        current.append((token, tag))
    return sentences


@pytest.mark.parametrize(("scheme", "seqeval_scheme"), [("iob2", IOB2), ("bioes", IOBES)])
def test_seqeval_reads_the_tags_as_the_spans(scheme: str, seqeval_scheme: type) -> None:
    body = export_bytes(f"conll-{scheme}", SCHEMA, _tasks())
    sentences = _sentences(body)
    tags = [[tag for _, tag in sentence] for sentence in sentences]
    assert [token for token, _ in sentences[0]][:3] == ["Ada", "Lovelace", "met"]
    entities = Entities(tags, seqeval_scheme, suffix=False).entities
    found = sorted((e.tag, e.start, e.end) for sentence in entities for e in sentence)
    assert found == [("LOC", 6, 7), ("ORG", 3, 5), ("PER", 0, 2), ("PER", 3, 5)]
    assert f1_score(tags, tags, mode="strict", scheme=seqeval_scheme) == 1.0
    assert "PER" in classification_report(tags, tags, mode="strict", scheme=seqeval_scheme)
    if scheme == "iob2":
        assert sorted(get_entities(tags[0])) == [("LOC", 6, 6), ("PER", 0, 1), ("PER", 3, 4)]


@pytest.mark.parametrize("scheme", ["iob2", "bioes"])
def test_conll_round_trip_gives_text_and_spans_back(scheme: str) -> None:
    rows = import_rows(f"conll-{scheme}", SCHEMA, export_bytes(f"conll-{scheme}", SCHEMA, _tasks()))
    assert [r["data"]["text"] for r in rows] == [TEXT, "Nobody here"]
    assert [
        {k: s[k] for k in ("start", "end", "text", "label")} for s in rows[0]["results"][0]["ner"]
    ] == SPANS
    assert rows[1]["results"] == []


@pytest.mark.parametrize(
    ("scheme", "body", "expected"),
    [
        ("iob2", b"Ada I-PER\n", "line 1: 'I-PER' does not continue a PER span"),
        ("iob2", b"Ada B-PER\nx I-ORG\n", "line 2: 'I-ORG' does not continue"),
        ("iob2", b"Ada B-XYZ\n", "line 1: label 'XYZ' is not a label"),
        ("iob2", b"Ada E-PER\n", "line 1: tag 'E-PER' is not an IOB2 tag"),
        ("bioes", b"Ada B-PER\nx O\n", "is not closed by E-/S-"),
        ("iob2", b"Ada B-PER extra\nlonely\n", "line 2: expected 'token TAG'"),
    ],
)
def test_bad_tag_sequences_name_the_line(scheme: str, body: bytes, expected: str) -> None:
    problems = import_errors(f"conll-{scheme}", SCHEMA, body)
    assert problems and expected in problems[0]
