"""Parsing and validating labeling schemas."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml

from labelwright import errors
from labelwright.domain import ControlType, LabelingSchema, ObjectType, parse_schema
from labelwright.domain.controls import (
    BoxesControl,
    ChoiceControl,
    FieldsControl,
    KeypointsControl,
    RelationsControl,
)
from labelwright.domain.objects import TimelineObject

FULL_SCHEMA = """
objects:
  text: {type: text}
  photo: {type: image, width: 640, height: 480}
  doc: {type: document, value: pdf}
  clip: {type: audio, duration: 30}
  movie: {type: video, fps: 25, frames: 250}
  sensor: {type: timeseries}
  chat: {type: conversation}
  answers: {type: responses}
  clock: {type: timeline, members: [clip, {name: movie, offset: 2.5}, sensor]}
controls:
  - {name: sentiment, type: choice, of: text, options: [positive, negative], required: true}
  - {name: topics, type: choices, of: text, options: [{name: sports, hotkey: s}, news]}
  - {name: quality, type: rating, of: chat, min: 1, max: 10}
  - name: grade
    type: rubric
    of: answers
    criteria: [{name: clarity, min: 1, max: 5}, {name: accuracy, min: 0, max: 3}]
  - {name: price, type: number, of: text, min: 0, integer: true}
  - {name: notes, type: textarea, of: text, max_length: 200}
  - name: entities
    type: spans
    of: text
    labels: [PER, {name: ORG, color: "#ff0000", hotkey: o}]
    overlap: true
    hotkeys: {PER: p}
  - {name: links, type: relations, between: [entities], labels: [works_at]}
  - name: objects
    type: boxes
    of: photo
    labels: [car, person]
    rotation: true
    attributes: {occluded: bool, count: int, ratio: float, note: str, color: [red, blue]}
  - {name: outlines, type: polygons, of: photo, labels: [road]}
  - {name: pose, type: keypoints, of: photo, labels: [head, neck], skeleton: [[head, neck]]}
  - {name: masks, type: masks, of: photo, labels: [sky]}
  - {name: events, type: segments, of: clock, labels: [speech, music]}
  - {name: words, type: transcript, of: clip, speakers: [alice, bob]}
  - {name: follow, type: tracks, of: movie, labels: [car]}
  - {name: prefer, type: pairwise, of: answers, description: "Which answer is better?"}
  - {name: order, type: ranking, of: answers, allow_ties: false}
  - {name: layout, type: regions, of: doc, labels: [table, header]}
  - name: invoice
    type: fields
    of: doc
    fields: [{name: total, type: amount, required: true}, {name: date, type: date}, {name: vendor}]
"""


RATING = {"name": "stars", "type": "rating", "of": "text"}


def _problems(source: Any) -> list[dict[str, Any]]:
    with pytest.raises(errors.Invalid) as caught:
        parse_schema(source)
    assert caught.value.message.endswith(".")
    for problem in caught.value.errors:
        assert set(problem) == {"loc", "msg"}
        assert problem["msg"] in caught.value.message
    return caught.value.errors


def _one_problem(source: Any) -> dict[str, Any]:
    problems = _problems(source)
    assert len(problems) == 1, problems
    return problems[0]


def _schema(*controls: dict[str, Any], **objects: Any) -> dict[str, Any]:
    return {
        "objects": objects or {"text": {"type": "text"}, "photo": {"type": "image"}},
        "controls": list(controls),
    }


def test_full_schema_parses_every_object_and_control_type() -> None:
    schema = parse_schema(FULL_SCHEMA)

    assert {spec.type for spec in schema.objects.values()} == set(ObjectType)
    assert {control.type for control in schema.controls} == set(ControlType)
    assert schema.data_key("doc") == "pdf"
    assert schema.data_key("text") == "text"
    clock = schema.objects["clock"]
    assert isinstance(clock, TimelineObject)
    assert [(m.name, m.offset) for m in clock.members] == [
        ("clip", 0.0),
        ("movie", 2.5),
        ("sensor", 0.0),
    ]
    entities = schema.control("entities")
    assert entities is not None and entities.label_names == ("PER", "ORG")
    boxes = schema.control("objects")
    assert isinstance(boxes, BoxesControl) and boxes.rotation
    assert boxes.attributes["color"] == ("red", "blue")
    invoice = schema.control("invoice")
    assert isinstance(invoice, FieldsControl) and invoice.label_names == ("total", "date", "vendor")
    assert schema.control("missing") is None


def test_defaults_are_filled_in() -> None:
    schema = parse_schema(FULL_SCHEMA)

    sentiment = schema.control("sentiment")
    assert isinstance(sentiment, ChoiceControl) and sentiment.required
    topics = schema.control("topics")
    assert topics is not None and not topics.required
    links = schema.control("links")
    assert isinstance(links, RelationsControl) and links.of is None


@pytest.mark.parametrize("dump", [json.dumps, yaml.safe_dump, lambda d: json.dumps(d).encode()])
def test_to_json_round_trips_through_text_formats(dump: Any) -> None:
    schema = parse_schema(FULL_SCHEMA)

    canonical = schema.to_json()

    assert parse_schema(dump(canonical)) == schema
    assert parse_schema(canonical).to_json() == canonical
    assert json.loads(json.dumps(canonical)) == canonical


def test_to_json_is_compact_and_canonical() -> None:
    schema = parse_schema(
        _schema({"name": "c", "type": "choice", "of": "text", "options": ["a", {"name": "b"}]})
    )

    assert schema.to_json() == {
        "objects": {"text": {"type": "text"}, "photo": {"type": "image"}},
        "controls": [{"name": "c", "type": "choice", "of": "text", "options": ["a", "b"]}],
    }


def test_schema_is_frozen() -> None:
    schema = parse_schema(FULL_SCHEMA)

    with pytest.raises(ValueError, match="frozen"):
        schema.controls = []  # type: ignore[misc]


def test_yaml_reads_yes_and_no_as_strings() -> None:
    schema = parse_schema(
        "objects: {text: {type: text}}\n"
        "controls: [{name: ok, type: choice, of: text, options: [yes, no, on, off]}]"
    )

    control = schema.control("ok")
    assert control is not None and control.label_names == ("yes", "no", "on", "off")


def test_json_with_tabs_parses() -> None:
    text = json.dumps(_schema({"name": "c", "type": "rating", "of": "text"}), indent="\t")

    assert parse_schema(text).controls[0].type == "rating"


@pytest.mark.parametrize(
    "source",
    [
        "objects: {text: {type: text}}\nobjects: {}\ncontrols: []",
        '{"objects": {"text": {"type": "text"}}, "objects": {}, "controls": []}',
    ],
)
def test_duplicate_keys_are_refused(source: str) -> None:
    problem = _one_problem(source)

    assert "duplicate key 'objects'" in problem["msg"]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("objects: [unclosed", "cannot be read: YAML"),
        (b"\xff\xfe", "not UTF-8"),
        (42, "expected YAML or JSON text or a mapping"),
        ("- just\n- a list", "must be a mapping"),
    ],
)
def test_unreadable_sources_are_refused(source: Any, expected: str) -> None:
    with pytest.raises(errors.Invalid, match=expected):
        parse_schema(source)


def test_unknown_object_type_lists_the_known_types() -> None:
    problem = _one_problem({"objects": {"pic": {"type": "picture"}}, "controls": [RATING]})

    assert problem["loc"] == ["objects", "pic"]
    assert "Object 'pic' has unknown type 'picture'" in problem["msg"]
    assert "text, image, document, audio, video, timeseries" in problem["msg"]


def test_unknown_control_type_lists_the_known_types() -> None:
    problem = _one_problem(_schema({"name": "b", "type": "bbox", "of": "photo"}))

    assert problem["loc"] == ["controls", 0]
    assert "Control 'b' has unknown type 'bbox'" in problem["msg"]
    assert "choice, choices, rating" in problem["msg"]


def test_control_without_type_is_refused() -> None:
    problem = _one_problem(_schema({"name": "b", "of": "photo"}))

    assert "Control 'b' has no type" in problem["msg"]


def test_unknown_option_names_the_allowed_ones() -> None:
    problem = _one_problem(
        _schema({"name": "b", "type": "boxes", "of": "photo", "labels": ["car"], "overlap": True})
    )

    assert problem["loc"] == ["controls", 0, "overlap"]
    assert "Control 'b' has unknown option 'overlap'" in problem["msg"]
    assert "rotation" in problem["msg"]


def test_unknown_object_option_is_refused() -> None:
    problem = _one_problem({"objects": {"t": {"type": "text", "width": 3}}, "controls": [RATING]})

    assert problem["loc"] == ["objects", "t", "width"]


def test_unknown_top_level_key_is_refused() -> None:
    problem = _one_problem({**_schema({"name": "r", "type": "rating", "of": "text"}), "x": 1})

    assert "unknown option 'x'" in problem["msg"]


def test_missing_option_is_named() -> None:
    problem = _one_problem(_schema({"name": "b", "type": "boxes", "of": "photo"}))

    assert problem["loc"] == ["controls", 0, "labels"]
    assert "Control 'b' is missing required option 'labels'" in problem["msg"]


def test_empty_objects_and_controls_are_refused() -> None:
    problems = _problems({"objects": {}, "controls": []})

    assert [p["loc"] for p in problems] == [["objects"], ["controls"]]


def test_control_of_a_missing_object_is_refused() -> None:
    problem = _one_problem(
        _schema({"name": "s", "type": "choice", "of": "tweet", "options": ["a"]})
    )

    assert problem["loc"] == ["controls", 0, "of"]
    assert "Control 's' labels object 'tweet', which the schema does not define" in problem["msg"]


@pytest.mark.parametrize(
    ("control_type", "target", "extra", "can_label"),
    [
        ("boxes", "text", {"labels": ["a"]}, "image"),
        ("polygons", "text", {"labels": ["a"]}, "image"),
        ("keypoints", "audio", {"labels": ["a"]}, "image"),
        ("masks", "video", {"labels": ["a"]}, "image"),
        ("spans", "photo", {"labels": ["a"]}, "text, document"),
        ("segments", "photo", {"labels": ["a"]}, "audio, video, timeseries, timeline"),
        ("transcript", "text", {}, "audio, video, timeline"),
        ("tracks", "photo", {"labels": ["a"]}, "video"),
        ("pairwise", "text", {}, "responses"),
        ("ranking", "photo", {}, "responses"),
        ("regions", "video", {"labels": ["a"]}, "image, document"),
        ("fields", "text", {"fields": [{"name": "a"}]}, "image, document"),
    ],
)
def test_control_of_an_object_it_cannot_label_is_refused(
    control_type: str, target: str, extra: dict[str, Any], can_label: str
) -> None:
    objects = {
        "text": {"type": "text"},
        "photo": {"type": "image"},
        "audio": {"type": "audio"},
        "video": {"type": "video"},
    }
    control = {"name": "c", "type": control_type, "of": target, **extra}

    problem = _one_problem({"objects": objects, "controls": [control]})

    assert problem["loc"] == ["controls", 0, "of"]
    kind = objects[target]["type"]
    assert (
        f"Control 'c' ({control_type}) cannot label object '{target}' of type {kind}"
        in (problem["msg"])
    )
    assert f"{control_type} can label: {can_label}." in problem["msg"]


def test_control_named_like_an_object_is_refused() -> None:
    problem = _one_problem(_schema({"name": "text", "type": "rating", "of": "text"}))

    assert problem["loc"] == ["controls", 0, "name"]
    assert "same name as an object" in problem["msg"]


def test_duplicate_control_names_are_refused() -> None:
    rating = {"name": "r", "type": "rating", "of": "text"}

    problem = _one_problem(_schema(rating, rating))

    assert problem["loc"] == ["controls", 1, "name"]
    assert "Control name 'r' is used by controls 0 and 1" in problem["msg"]


@pytest.mark.parametrize("name", ["has space", "1st", "", "é"])
def test_invalid_names_are_refused(name: str) -> None:
    problem = _one_problem(_schema({"name": name, "type": "rating", "of": "text"}))

    assert "is not a valid name" in problem["msg"]


def test_invalid_object_name_is_refused() -> None:
    problem = _one_problem({"objects": {"bad name": {"type": "text"}}, "controls": [RATING]})

    assert problem["loc"][:2] == ["objects", "bad name"]
    assert "not a valid name" in problem["msg"]


@pytest.mark.parametrize(
    ("control", "loc", "message"),
    [
        ({"type": "choice", "options": []}, "options", "options list must not be empty"),
        ({"type": "choices", "options": ["a", "a"]}, "options", "duplicate option 'a'"),
        ({"type": "spans", "of": "text", "labels": []}, "labels", "labels list must not be empty"),
        (
            {"type": "boxes", "of": "photo", "labels": ["car", {"name": "car"}]},
            "labels",
            "duplicate label 'car'",
        ),
        ({"type": "relations", "between": ["s"], "labels": []}, "labels", "must not be empty"),
        ({"type": "rubric", "criteria": []}, "criteria", "criteria list must not be empty"),
        (
            {"type": "rubric", "criteria": [{"name": "a"}, {"name": "a"}]},
            "criteria",
            "duplicate criterion 'a'",
        ),
        ({"type": "fields", "of": "photo", "fields": []}, "fields", "must not be empty"),
        (
            {"type": "fields", "of": "photo", "fields": [{"name": "a"}, {"name": "a"}]},
            "fields",
            "duplicate field 'a'",
        ),
        (
            {"type": "transcript", "of": "audio", "speakers": ["x", "x"]},
            "speakers",
            "more than once",
        ),
        ({"type": "choice", "options": [""]}, "options", "at least 1 character"),
    ],
)
def test_bad_label_sets_are_refused(control: dict[str, Any], loc: str, message: str) -> None:
    objects = {"text": {"type": "text"}, "photo": {"type": "image"}, "audio": {"type": "audio"}}
    spans = {"name": "s", "type": "spans", "of": "text", "labels": ["x"]}
    source = {
        "objects": objects,
        "controls": [spans, {"name": "c", "of": "text", **control}],
    }

    problem = _one_problem(source)

    assert problem["loc"][:3] == ["controls", 1, loc]
    assert message in problem["msg"]
    assert problem["msg"].startswith("Control 'c'")


@pytest.mark.parametrize(
    ("control", "message"),
    [
        ({"type": "rating", "min": 5, "max": 5}, "min (5) must be less than max (5)"),
        ({"type": "rating", "min": 6, "max": 2}, "min (6) must be less than max (2)"),
        (
            {"type": "rubric", "criteria": [{"name": "a", "min": 3, "max": 1}]},
            "criterion 'a': min (3) must be less than max (1)",
        ),
        ({"type": "number", "min": 1.5, "max": 1.5}, "min (1.5) must be less than max (1.5)"),
        ({"type": "textarea", "max_length": 0}, "greater than 0"),
    ],
)
def test_bad_ranges_are_refused(control: dict[str, Any], message: str) -> None:
    problem = _one_problem(_schema({"name": "c", "of": "text", **control}))

    assert problem["msg"].startswith("Control 'c'")
    assert message in problem["msg"]


def test_hotkeys_must_name_labels_and_be_unique() -> None:
    unknown = {"name": "c", "type": "choice", "of": "text", "options": ["a"], "hotkeys": {"b": "1"}}
    twice = {
        "name": "d",
        "type": "spans",
        "of": "text",
        "labels": [{"name": "a", "hotkey": "1"}, "b"],
        "hotkeys": {"b": "1"},
    }

    problems = _problems(_schema(unknown, twice))

    assert "hotkeys name 'b', which is not one of the labels" in problems[0]["msg"]
    assert "hotkey '1' is used more than once" in problems[1]["msg"]


@pytest.mark.parametrize(
    ("attributes", "message"),
    [
        ({"occluded": "boolean"}, "must be one of bool, int, float, str"),
        ({"occluded": True}, "must be one of bool, int, float, str"),
        ({"color": []}, "must not be empty"),
        ({"color": ["red", "red"]}, "must be unique"),
    ],
)
def test_bad_attribute_types_are_refused(attributes: dict[str, Any], message: str) -> None:
    control = {"name": "b", "type": "boxes", "of": "photo", "labels": ["a"]}

    problem = _one_problem(_schema({**control, "attributes": attributes}))

    assert message in problem["msg"]


def test_skeleton_must_join_two_known_labels() -> None:
    base = {"type": "keypoints", "of": "photo", "labels": ["head", "neck"]}

    problems = _problems(
        _schema(
            {**base, "name": "a", "skeleton": [["head", "tail"]]},
            {**base, "name": "b", "skeleton": [["head", "head"]]},
        )
    )

    assert "unknown label 'tail'" in problems[0]["msg"]
    assert "joins a label to itself" in problems[1]["msg"]


def test_keypoint_skeleton_is_kept() -> None:
    schema = parse_schema(FULL_SCHEMA)

    pose = schema.control("pose")
    assert isinstance(pose, KeypointsControl) and pose.skeleton == (("head", "neck"),)


def test_relations_between_must_name_region_controls() -> None:
    spans = {"name": "ents", "type": "spans", "of": "text", "labels": ["x"]}
    rating = {"name": "stars", "type": "rating", "of": "text"}
    relations = {"name": "rel", "type": "relations", "between": ["ents", "stars", "ghost"]}

    problems = _problems(_schema(spans, rating, relations))

    assert [p["loc"] for p in problems] == [
        ["controls", 2, "between", 1],
        ["controls", 2, "between", 2],
    ]
    assert "'stars', a rating control" in problems[0]["msg"]
    assert "'ghost', which is not a control of the schema" in problems[1]["msg"]


def test_relations_without_regions_in_scope_are_refused() -> None:
    spans = {"name": "ents", "type": "spans", "of": "text", "labels": ["x"]}

    problems = _problems(_schema(spans, {"name": "rel", "type": "relations", "of": "photo"}))

    assert "Control 'rel' has no regions to relate" in problems[0]["msg"]
    assert "of object 'photo'" in problems[0]["msg"]


def test_relations_of_an_object_or_anything_are_accepted() -> None:
    spans = {"name": "ents", "type": "spans", "of": "text", "labels": ["x"]}

    schema = parse_schema(
        _schema(
            spans,
            {"name": "r1", "type": "relations", "of": "text"},
            {"name": "r2", "type": "relations"},
        )
    )

    assert [c.name for c in schema.controls] == ["ents", "r1", "r2"]


def test_timeline_members_must_be_timed_objects_of_the_schema() -> None:
    source = {
        "objects": {
            "text": {"type": "text"},
            "clip": {"type": "audio"},
            "tl": {"type": "timeline", "members": ["clip", "clip", "text", "ghost"]},
        },
        "controls": [{"name": "s", "type": "segments", "of": "tl", "labels": ["x"]}],
    }

    problems = _problems(source)

    assert [p["loc"] for p in problems] == [
        ["objects", "tl", "members", 1],
        ["objects", "tl", "members", 2],
        ["objects", "tl", "members", 3],
    ]
    assert "lists member 'clip' more than once" in problems[0]["msg"]
    assert "member 'text' of type text" in problems[1]["msg"]
    assert "member 'ghost', which the schema does not define" in problems[2]["msg"]


def test_timeline_needs_members_with_non_negative_offsets() -> None:
    source = {
        "objects": {
            "clip": {"type": "audio"},
            "a": {"type": "timeline", "members": []},
            "b": {"type": "timeline", "members": [{"name": "clip", "offset": -1}]},
        },
        "controls": [{"name": "s", "type": "segments", "of": "clip", "labels": ["x"]}],
    }

    problems = _problems(source)

    assert [p["loc"][:3] for p in problems] == [
        ["objects", "a", "members"],
        ["objects", "b", "members"],
    ]


def test_object_sizes_must_be_positive() -> None:
    problem = _one_problem(
        {
            "objects": {"photo": {"type": "image", "width": 0}},
            "controls": [{"name": "c", "type": "rating", "of": "photo"}],
        }
    )

    assert problem["loc"] == ["objects", "photo", "width"]
    assert "greater than 0" in problem["msg"]


def test_every_problem_is_reported_at_once() -> None:
    problems = _problems(
        {
            "objects": {"pic": {"type": "picture"}, "text": {"type": "text"}},
            "controls": [
                {"name": "a", "type": "choice", "of": "text", "options": []},
                {"name": "b", "type": "bbox"},
            ],
        }
    )

    assert len(problems) == 3


def test_message_names_the_problem_count() -> None:
    with pytest.raises(errors.Invalid) as caught:
        parse_schema({"objects": {}, "controls": []})

    assert caught.value.message.startswith("The labeling schema has 2 problems:")


def test_model_validate_applies_the_same_rules() -> None:
    with pytest.raises(ValueError, match="which the schema does not define"):
        LabelingSchema.model_validate(_schema({"name": "r", "type": "rating", "of": "nope"}))
