"""Validating timed values: segments, transcripts and video tracks."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwright import errors
from labelwright.domain import describe_objects, parse_schema, validate_results

from .conftest import Mismatch, Validate

SCHEMA = parse_schema(
    """
objects:
  clip: {type: audio}
  movie: {type: video}
  sensor: {type: timeseries}
  clock: {type: timeline, members: [clip, {name: movie, offset: 10}]}
controls:
  - {name: events, type: segments, of: clip, labels: [speech, music], attributes: {loud: bool}}
  - {name: scenes, type: segments, of: clock, labels: [intro]}
  - {name: spikes, type: segments, of: sensor, labels: [spike]}
  - {name: words, type: transcript, of: clip}
  - {name: dialog, type: transcript, of: movie, speakers: [alice, bob]}
  - {name: cars, type: tracks, of: movie, labels: [car, bike]}
"""
)
DATA = {
    "clip": {"src": "media:clip", "duration": 30},
    "movie": {"src": "media:movie", "duration": 20, "frames": 500, "width": 1280, "height": 720},
    "sensor": {"duration": 5},
}


def _segment(start: float, end: float, label: str = "speech", **extra: Any) -> dict[str, Any]:
    return {"start": start, "end": end, "label": label, **extra}


def _keyframe(frame: int, x: float = 0, y: float = 0, **extra: Any) -> dict[str, Any]:
    return {"frame": frame, "x": x, "y": y, "w": 10, "h": 10, **extra}


def test_valid_segments_are_accepted(validate: Validate) -> None:
    segments = [
        _segment(0, 30),
        _segment(1.5, 2.25, "music", attributes={"loud": True}),
        _segment(2, 3),
    ]

    normalized = validate(SCHEMA, {"events": segments, "spikes": [_segment(0, 5, "spike")]}, DATA)

    assert [(s["start"], s["end"]) for s in normalized["events"]] == [(0, 30), (1.5, 2.25), (2, 3)]
    assert all(len(s["id"]) == 10 for s in normalized["events"])


def test_timeline_segments_use_the_shared_clock(validate: Validate, mismatch: Mismatch) -> None:
    # The timeline lasts until the movie ends: offset 10 s + 20 s.
    ok = validate(SCHEMA, {"scenes": [_segment(25, 30, "intro")]}, DATA)
    problems = mismatch(SCHEMA, {"scenes": [_segment(25, 31, "intro")]}, DATA)

    assert ok["scenes"][0]["end"] == 30
    assert problems[0]["reason"] == "interval 25-31 s ends after the media's 30 s"


def test_segments_are_unbounded_when_the_duration_is_unknown(validate: Validate) -> None:
    assert validate(SCHEMA, {"events": [_segment(100, 200)]}, {"clip": "media:clip"})


@pytest.mark.parametrize(
    ("segment", "reason"),
    [
        (_segment(3, 3), "interval 3-3 s must have 0 <= start < end"),
        (_segment(4, 3), "interval 4-3 s must have 0 <= start < end"),
        (_segment(-1, 3), "interval -1-3 s must have 0 <= start < end"),
        (_segment(29, 30.5), "interval 29-30.5 s ends after the media's 30 s"),
        (_segment("0", 3), "start and end must be numbers, got '0' and 3"),
        (
            _segment(0, 1, "noise"),
            "label 'noise' is not one of the schema's labels (speech, music)",
        ),
        (_segment(0, 1, attributes={"loud": 1}), "attribute 'loud' must be true or false"),
        ({"start": 0, "label": "speech"}, "missing 'end'"),
    ],
)
def test_invalid_segments_are_refused(mismatch: Mismatch, segment: Any, reason: str) -> None:
    problems = mismatch(SCHEMA, {"events": [_segment(0, 1), segment]}, DATA)

    assert [(p["control"], p["index"]) for p in problems] == [("events", 1)]
    assert reason in problems[0]["reason"]


def test_valid_transcripts_are_accepted(validate: Validate) -> None:
    words = [
        {"start": 0, "end": 1.5, "text": "hello"},
        {"start": 1, "end": 2, "text": "", "speaker": "x"},
    ]
    dialog = [{"start": 0, "end": 20, "text": "hi", "speaker": "alice"}]

    normalized = validate(SCHEMA, {"words": words, "dialog": dialog}, DATA)

    assert normalized == {"words": words, "dialog": dialog}  # transcripts get no ids


@pytest.mark.parametrize(
    ("control", "segment", "reason"),
    [
        (
            "words",
            {"start": 0, "end": 31, "text": "a"},
            "interval 0-31 s ends after the media's 30 s",
        ),
        ("words", {"start": 2, "end": 1, "text": "a"}, "must have 0 <= start < end"),
        ("words", {"start": 0, "end": 1, "text": 5}, "text must be a string, got 5"),
        ("words", {"start": 0, "end": 1}, "missing 'text'"),
        (
            "words",
            {"start": 0, "end": 1, "text": "a", "speaker": 3},
            "speaker must be a non-empty string",
        ),
        ("words", {"start": 0, "end": 1, "text": "a", "label": "x"}, "unknown key 'label'"),
        (
            "dialog",
            {"start": 0, "end": 1, "text": "a", "speaker": "carol"},
            "speaker 'carol' is not one of alice, bob",
        ),
    ],
)
def test_invalid_transcripts_are_refused(
    mismatch: Mismatch, control: str, segment: Any, reason: str
) -> None:
    problems = mismatch(SCHEMA, {control: [segment]}, DATA)

    assert [(p["control"], p["index"]) for p in problems] == [(control, 0)]
    assert reason in problems[0]["reason"]


def test_valid_tracks_are_accepted(validate: Validate) -> None:
    track = {
        "id": "t1",
        "label": "car",
        "keyframes": [_keyframe(0), _keyframe(10, 1270, 710), _keyframe(499, outside=True)],
    }

    normalized = validate(SCHEMA, {"cars": [track]}, DATA)["cars"][0]

    assert normalized["id"] == "t1"
    assert [k["outside"] for k in normalized["keyframes"]] == [False, False, True]
    assert normalized["keyframes"][1] == {
        "frame": 10,
        "x": 1270,
        "y": 710,
        "w": 10,
        "h": 10,
        "outside": False,
    }


@pytest.mark.parametrize(
    ("keyframes", "reason"),
    [
        ([], "keyframes must be a non-empty list"),
        ([_keyframe(5), _keyframe(5)], "keyframe 1: frame 5 does not come after frame 5"),
        ([_keyframe(5), _keyframe(2)], "keyframes must be sorted by unique frame"),
        ([_keyframe(500)], "keyframe 0: frame 500 is beyond the video's 500 frames"),
        ([_keyframe(-1)], "keyframe 0: frame must be an integer >= 0, got -1"),
        ([_keyframe(1.5)], "keyframe 0: frame must be an integer >= 0, got 1.5"),
        (
            [_keyframe(0, 1275)],
            "keyframe 0 box x=1275 y=0 w=10 h=10 lies outside the image (1280x720)",
        ),
        ([{**_keyframe(0), "w": 0}], "keyframe 0 box width and height must be greater than 0"),
        ([_keyframe(0, outside="no")], "keyframe 0: outside must be true or false"),
        ([{"frame": 0, "x": 0}], "keyframe 0: missing 'y', 'w', 'h'"),
    ],
)
def test_invalid_tracks_are_refused(mismatch: Mismatch, keyframes: Any, reason: str) -> None:
    problems = mismatch(SCHEMA, {"cars": [{"label": "car", "keyframes": keyframes}]}, DATA)

    assert [(p["control"], p["index"]) for p in problems] == [("cars", 0)]
    assert reason in problems[0]["reason"]


def test_track_label_must_be_known(mismatch: Mismatch) -> None:
    problems = mismatch(SCHEMA, {"cars": [{"label": "bus", "keyframes": [_keyframe(0)]}]}, DATA)

    assert "label 'bus' is not one of the schema's labels (car, bike)" in problems[0]["reason"]


def test_tracks_are_unbounded_when_the_video_is_unknown(validate: Validate) -> None:
    track = {"label": "car", "keyframes": [_keyframe(10_000, 5000, 5000)]}

    assert validate(SCHEMA, {"cars": [track]}, {"movie": "media:movie"})


@settings(max_examples=100, deadline=None)
@given(
    st.sets(st.integers(0, 499), min_size=1, max_size=20),
    st.floats(0, 1270, allow_nan=False),
)
def test_generated_sorted_keyframes_are_accepted(frames: set[int], x: float) -> None:
    keyframes = [_keyframe(frame, x) for frame in sorted(frames)]
    context = describe_objects(SCHEMA, DATA)

    normalized = validate_results(
        SCHEMA, {"cars": [{"label": "bike", "keyframes": keyframes}]}, context=context
    )

    assert [k["frame"] for k in normalized["cars"][0]["keyframes"]] == sorted(frames)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 499), min_size=2, max_size=20))
def test_generated_unsorted_keyframes_are_refused(frames: list[int]) -> None:
    if frames == sorted(set(frames)):
        frames = list(reversed(frames))
    keyframes = [_keyframe(frame) for frame in frames]
    context = describe_objects(SCHEMA, DATA)

    with pytest.raises(errors.SchemaMismatch, match="keyframes must be sorted by unique frame"):
        validate_results(
            SCHEMA, {"cars": [{"label": "car", "keyframes": keyframes}]}, context=context
        )
