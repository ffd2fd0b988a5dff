"""Describing a task's objects from its data and the known media."""

from __future__ import annotations

from typing import Any

import pytest

from labelwright import errors
from labelwright.domain import (
    MediaInfo,
    Message,
    ObjectType,
    PageInfo,
    describe_objects,
    parse_schema,
)

SCHEMA = parse_schema(
    """
objects:
  text: {type: text}
  photo: {type: image}
  fixed: {type: image, width: 10, height: 20}
  doc: {type: document}
  clip: {type: audio}
  movie: {type: video}
  sensor: {type: timeseries}
  chat: {type: conversation}
  answers: {type: responses, value: outputs}
  clock: {type: timeline, members: [clip, {name: movie, offset: 5}]}
controls:
  - {name: entities, type: spans, of: text, labels: [PER]}
  - {name: order, type: ranking, of: answers}
  - {name: stars, type: rating, of: photo}
"""
)

DATA: dict[str, Any] = {
    "text": "hello",
    "photo": "media:aaa",
    "fixed": {"url": "https://x/y.png"},
    "doc": {
        "pages": ["media:p0", {"image": "media:p1", "width": 600, "height": 800, "text": "Hi"}]
    },
    "clip": {"src": "media:clip", "duration": 12.5},
    "movie": "media:movie",
    "sensor": {"duration": 3},
    "chat": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}],
    "outputs": [{"id": "r1", "text": "A"}, {"id": "r2", "text": "B"}],
}

MEDIA = {
    "media:aaa": MediaInfo(width=640, height=480),
    "media:p0": MediaInfo(width=300, height=400),
    "media:movie": MediaInfo(width=1920, height=1080, duration=10.0, frames=250, fps=25.0),
}


def test_every_object_type_is_described() -> None:
    context = describe_objects(SCHEMA, DATA, media=MEDIA)

    assert list(context) == list(SCHEMA.objects)
    assert context["text"].text == "hello"
    assert (context["photo"].src, context["photo"].width, context["photo"].height) == (
        "media:aaa",
        640,
        480,
    )
    assert context["photo"].pages == (PageInfo(image="media:aaa", width=640, height=480),)
    assert (context["fixed"].src, context["fixed"].width, context["fixed"].height) == (
        "https://x/y.png",
        10,
        20,
    )
    assert context["doc"].pages == (
        PageInfo(image="media:p0", width=300, height=400),
        PageInfo(image="media:p1", width=600, height=800, text="Hi"),
    )
    assert context["clip"].duration == 12.5
    movie = context["movie"]
    assert (movie.width, movie.height, movie.frames, movie.fps, movie.duration) == (
        1920,
        1080,
        250,
        25.0,
        10.0,
    )
    assert context["sensor"].duration == 3
    assert context["chat"].messages == (Message("user", "hi"), Message("assistant", "hello"))
    assert context["answers"].response_ids == ("r1", "r2")
    assert context["clock"].type == ObjectType.TIMELINE
    assert context["clock"].duration == 15.0  # movie: offset 5 + 10 s


def test_task_data_wins_over_media_info_which_wins_over_the_schema() -> None:
    data = {**DATA, "photo": {"src": "media:aaa", "width": 100}, "fixed": "media:aaa"}

    context = describe_objects(SCHEMA, data, media=MEDIA)

    assert (context["photo"].width, context["photo"].height) == (100, 480)
    assert (context["fixed"].width, context["fixed"].height) == (640, 480)


def test_unknown_sizes_stay_none() -> None:
    context = describe_objects(SCHEMA, DATA)

    assert context["photo"].width is None and context["photo"].height is None
    assert context["movie"].frames is None
    assert context["clock"].duration is None  # the movie's duration is unknown


def test_timeline_duration_from_its_data() -> None:
    context = describe_objects(SCHEMA, {**DATA, "clock": {"duration": 60}})

    assert context["clock"].duration == 60


def test_document_as_a_file_reference_takes_its_page_count_from_media() -> None:
    data = {**DATA, "doc": "media:pdf"}

    context = describe_objects(SCHEMA, data, media={"media:pdf": MediaInfo(pages=3)})

    assert context["doc"].src == "media:pdf"
    assert context["doc"].pages == (PageInfo(), PageInfo(), PageInfo())
    assert describe_objects(SCHEMA, data)["doc"].pages is None


def test_document_as_a_list_of_pages() -> None:
    context = describe_objects(SCHEMA, {**DATA, "doc": ["media:p0", "media:p1"]}, media=MEDIA)

    assert [page.image for page in context["doc"].pages or ()] == ["media:p0", "media:p1"]


def test_objects_nobody_needs_may_be_missing() -> None:
    data = {"text": "hello", "outputs": [{"id": "r1", "text": "A"}]}

    context = describe_objects(SCHEMA, data)

    assert not context["photo"].present
    assert context["fixed"].width == 10  # the schema's size still applies
    assert context["fixed"].pages == (PageInfo(width=10, height=20),)
    assert not context["chat"].present
    assert context["text"].present


@pytest.mark.parametrize(("missing", "control"), [("text", "entities"), ("outputs", "order")])
def test_missing_data_that_validation_needs_is_refused(missing: str, control: str) -> None:
    data = {key: value for key, value in DATA.items() if key != missing}

    with pytest.raises(errors.Invalid) as caught:
        describe_objects(SCHEMA, data)

    problem = caught.value.errors[0]
    assert problem["key"] == missing
    assert f"control '{control}' needs it" in problem["reason"]
    assert f"(task data key '{missing}')" in caught.value.message


@pytest.mark.parametrize(
    ("key", "value", "reason"),
    [
        ("text", 42, "text data must be a string, got int"),
        ("photo", 42, "image data must be a reference string or a mapping"),
        ("photo", {"src": 42}, "image reference must be a string"),
        ("photo", {"src": "x", "width": -1}, "'width' must be a positive number"),
        ("photo", {"src": "x", "width": True}, "'width' must be a positive number"),
        ("movie", {"src": "x", "frames": 2.5}, "'frames' must be a positive integer"),
        ("clip", {"src": "x", "duration": float("nan")}, "'duration' must be a positive number"),
        ("doc", {"pages": "p0"}, "document pages must be a list"),
        ("doc", [{"image": "p", "text": 3}], "page 0: the text must be a string"),
        ("doc", [7], "page 0: page image data must be a reference string or a mapping"),
        ("chat", "hi", "conversation data must be a list of messages"),
        (
            "chat",
            [{"role": "user"}],
            "message 0 must be a mapping with string 'role' and 'content'",
        ),
        ("outputs", {"id": "r1"}, "responses data must be a list"),
        ("outputs", [{"text": "A"}], "response 0 must be a mapping with a non-empty string 'id'"),
        ("outputs", [{"id": 1}], "response 0 must be a mapping with a non-empty string 'id'"),
        ("outputs", [{"id": "a", "text": 1}], "response 0: 'text' must be a string"),
        ("outputs", [{"id": "a"}, {"id": "a"}], "response id 'a' is used more than once"),
        ("clock", [1], "timeline data must be a mapping"),
    ],
)
def test_malformed_object_data_is_refused(key: str, value: Any, reason: str) -> None:
    with pytest.raises(errors.Invalid) as caught:
        describe_objects(SCHEMA, {**DATA, key: value})

    assert len(caught.value.errors) == 1
    assert reason in caught.value.errors[0]["reason"]
    assert caught.value.errors[0]["key"] == key


def test_every_malformed_object_is_reported() -> None:
    with pytest.raises(errors.Invalid) as caught:
        describe_objects(SCHEMA, {**DATA, "text": 1, "photo": 2})

    assert [p["object"] for p in caught.value.errors] == ["text", "photo"]


def test_task_data_must_be_a_mapping() -> None:
    with pytest.raises(errors.Invalid, match="task data must be a mapping"):
        describe_objects(SCHEMA, ["text"])  # type: ignore[arg-type]
