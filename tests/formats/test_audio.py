from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
import webvtt

from tests.formats.conftest import export_bytes, import_errors, import_rows
from tests.formats.samples import audio_sample


def test_webvtt_py_reads_the_cues_with_voices(tmp_path: Path) -> None:
    sample = audio_sample()
    archive = zipfile.ZipFile(io.BytesIO(export_bytes("webvtt", sample.schema, sample.tasks)))
    path = tmp_path / "one.vtt"
    path.write_bytes(archive.read("one.vtt"))
    captions = webvtt.read(str(path))
    assert [(c.start, c.end) for c in captions] == [
        ("00:00:00.500", "00:00:02.250"),
        ("00:00:02.250", "00:00:04.000"),
    ]
    assert captions[0].voice == "alice"
    assert captions[0].text == "Hello &lt;world&gt; &amp; all"  # escaped, as WebVTT requires
    assert captions[1].text == "Hi\nthere"


@pytest.mark.parametrize("fmt", ["webvtt", "srt"])
def test_subtitles_round_trip(fmt: str) -> None:
    sample = audio_sample()
    rows = import_rows(fmt, sample.schema, export_bytes(fmt, sample.schema, sample.tasks))
    assert [r["data"] for r in rows] == [t.data for t in sample.tasks]
    assert rows[0]["results"][0]["words"] == sample.tasks[0].annotations[0].results["words"]
    assert rows[1]["results"] == []


def test_srt_layout() -> None:
    sample = audio_sample()
    archive = zipfile.ZipFile(io.BytesIO(export_bytes("srt", sample.schema, sample.tasks)))
    assert (
        archive.read("one.srt")
        .decode()
        .startswith("1\n00:00:00,500 --> 00:00:02,250\n<v alice>Hello <world> & all\n\n2\n")
    )


def test_a_bare_subtitle_file_is_one_task() -> None:
    body = b"WEBVTT\n\nNOTE hello\n\n00:01.000 --> 00:02.500\n<v Bob>Hi &amp; bye</v>\n"
    [row] = import_rows("webvtt", audio_sample().schema, body)
    assert row["data"] == {"clip": "upload"}
    assert row["results"][0]["words"] == [
        {"start": 1.0, "end": 2.5, "text": "Hi & bye", "speaker": "Bob"}
    ]


@pytest.mark.parametrize(
    ("fmt", "body", "expected"),
    [
        ("webvtt", b"00:01.000 --> 00:02.000\nx\n", "line 1: a WebVTT file starts with 'WEBVTT'"),
        ("webvtt", b"WEBVTT\n\n00:01 -> 00:02\nx\n", "line 3: expected a cue timing"),
        (
            "srt",
            b"1\n00:00:05,000 --> 00:00:01,000\nx\n",
            "line 2: the cue ends at or before its start",
        ),
        ("srt", b"1\n00:00:01,000 --> 00:00:09,000\nx\n", "ends after the media"),
    ],
)
def test_bad_subtitles_name_the_line(fmt: str, body: bytes, expected: str) -> None:
    from labelwright.domain import parse_schema

    schema = parse_schema(
        {
            "objects": {"clip": {"type": "audio", "duration": 5}},
            "controls": [{"name": "words", "type": "transcript", "of": "clip"}],
        }
    )
    problems = import_errors(fmt, schema, body)
    assert problems and expected in problems[0]


def test_rttm_round_trip_and_layout() -> None:
    sample = audio_sample()
    body = export_bytes("rttm", sample.schema, sample.tasks)
    assert (
        body.decode().splitlines()[0]
        == "SPEAKER talks/one.wav 1 0.500 1.750 <NA> <NA> alice <NA> <NA>"
    )
    [row] = import_rows("rttm", sample.schema, body)
    assert row["data"] == {"clip": "talks/one.wav"}
    assert [
        {k: s[k] for k in ("start", "end", "label")} for s in row["results"][0]["speakers"]
    ] == [
        {"start": 0.5, "end": 2.25, "label": "alice"},
        {"start": 2.25, "end": 4.0, "label": "bob"},
    ]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            b"SPEAKER f 1 0.0 1.0 <NA> <NA> carol <NA> <NA>\n",
            "line 1: speaker 'carol' is not a label",
        ),
        (b"SPEAKER f 1 0.0 1.0 <NA> <NA> alice <NA>\n", "line 1: expected 10 fields, found 9"),
        (
            b"\nSPEAKER f 1 x 1.0 <NA> <NA> alice <NA> <NA>\n",
            "line 2: onset and duration must be numbers",
        ),
    ],
)
def test_bad_rttm_names_the_line(body: bytes, expected: str) -> None:
    problems = import_errors("rttm", audio_sample().schema, body)
    assert problems and expected in problems[0]
