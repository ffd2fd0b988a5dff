"""Small sample projects, one per kind of data, that every format can be tried on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from labelwright.domain import LabelingSchema, parse_schema, rle_encode
from labelwright.formats import ExportTask
from tests.formats.conftest import make_task


@dataclass(frozen=True)
class Sample:
    name: str
    schema: LabelingSchema
    tasks: list[ExportTask]


def _schema(objects: dict[str, Any], controls: list[dict[str, Any]]) -> LabelingSchema:
    return parse_schema({"objects": objects, "controls": controls})


def text_sample() -> Sample:
    schema = _schema(
        {"text": {"type": "text"}},
        [
            {"name": "sentiment", "type": "choice", "of": "text", "options": ["pos", "neg"]},
            {"name": "topics", "type": "choices", "of": "text", "options": ["tech", "art"]},
            {"name": "entities", "type": "spans", "of": "text", "labels": ["PER", "ORG"]},
            {"name": "rel", "type": "relations", "of": "text", "labels": ["works_at"]},
            {"name": "note", "type": "textarea", "of": "text"},
            {"name": "stars", "type": "rating", "of": "text", "min": 1, "max": 5},
        ],
    )
    texts = ["Ada works at Acme Corp", "Grace joined Navy\nthen Harvard ü 🙂", "nothing here"]
    results: list[Any] = [
        {
            "sentiment": "pos",
            "topics": ["tech"],
            "entities": [
                {"id": "e1", "start": 0, "end": 3, "text": "Ada", "label": "PER"},
                {"id": "e2", "start": 13, "end": 22, "text": "Acme Corp", "label": "ORG"},
            ],
            "rel": [{"from": "e1", "to": "e2", "label": "works_at"}],
            "note": 'short, "quoted"',
            "stars": 4,
        },
        {
            "sentiment": "neg",
            "entities": [
                {"start": 0, "end": 5, "text": "Grace", "label": "PER"},
                {"start": 23, "end": 30, "text": "Harvard", "label": "ORG"},
            ],
        },
        None,
    ]
    tasks = [
        make_task(i + 1, {"text": t}, r, schema=schema, meta={"i": i})
        for i, (t, r) in enumerate(zip(texts, results, strict=True))
    ]
    return Sample("text", schema, tasks)


def image_sample() -> Sample:
    schema = _schema(
        {"photo": {"type": "image"}},
        [
            {
                "name": "objects",
                "type": "boxes",
                "of": "photo",
                "labels": ["car", "person"],
                "attributes": {"occluded": "bool", "difficult": "bool"},
            },
            {"name": "outlines", "type": "polygons", "of": "photo", "labels": ["road"]},
            {"name": "masks", "type": "masks", "of": "photo", "labels": ["sky"]},
            {"name": "pose", "type": "keypoints", "of": "photo", "labels": ["head", "hand"]},
            {"name": "tags", "type": "choices", "of": "photo", "options": ["day", "night"]},
        ],
    )
    mask = np.zeros((50, 80), dtype=np.uint8)
    mask[5:15, 10:30] = 1
    tasks = [
        make_task(
            1,
            {"photo": {"src": "imgs/a.jpg", "width": 80, "height": 50}},
            {
                "objects": [
                    {
                        "x": 1,
                        "y": 2,
                        "w": 10,
                        "h": 20,
                        "label": "car",
                        "attributes": {"occluded": True},
                    },
                    {"x": 40.5, "y": 10, "w": 5.25, "h": 8, "label": "person"},
                ],
                "outlines": [{"points": [[0, 0], [40, 0], [20, 30]], "label": "road"}],
                "masks": [{"rle": rle_encode(mask), "label": "sky"}],
                "pose": [{"x": 42, "y": 12, "label": "head"}, {"x": 44, "y": 16, "label": "hand"}],
                "tags": ["day"],
            },
            schema=schema,
            meta={"source": "cam"},
        ),
        make_task(
            2, {"photo": {"src": "imgs/b.png", "width": 30, "height": 30}}, None, schema=schema
        ),
    ]
    return Sample("image", schema, tasks)


def audio_sample() -> Sample:
    schema = _schema(
        {"clip": {"type": "audio"}},
        [
            {"name": "speakers", "type": "segments", "of": "clip", "labels": ["alice", "bob"]},
            {"name": "words", "type": "transcript", "of": "clip"},
        ],
    )
    tasks = [
        make_task(
            1,
            {"clip": "talks/one.wav"},
            {
                "speakers": [
                    {"start": 0.5, "end": 2.25, "label": "alice"},
                    {"start": 2.25, "end": 4.0, "label": "bob"},
                ],
                "words": [
                    {"start": 0.5, "end": 2.25, "text": "Hello <world> & all", "speaker": "alice"},
                    {"start": 2.25, "end": 4.0, "text": "Hi\nthere"},
                ],
            },
            schema=schema,
        ),
        make_task(2, {"clip": "talks/two.wav"}, None, schema=schema),
    ]
    return Sample("audio", schema, tasks)


def video_sample() -> Sample:
    schema = _schema(
        {"clip": {"type": "video"}},
        [{"name": "tracks", "type": "tracks", "of": "clip", "labels": ["car", "person"]}],
    )
    keyframes = [
        {"frame": 0, "x": 0, "y": 0, "w": 10, "h": 10},
        {"frame": 4, "x": 8, "y": 4, "w": 10, "h": 10},
        {"frame": 6, "x": 8, "y": 4, "w": 10, "h": 10, "outside": True},
        {"frame": 9, "x": 20, "y": 20, "w": 5, "h": 5},
    ]
    tasks = [
        make_task(
            1,
            {"clip": {"src": "v/one.mp4", "width": 100, "height": 80, "fps": 25, "frames": 20}},
            {
                "tracks": [
                    {"label": "car", "keyframes": keyframes},
                    {
                        "label": "person",
                        "keyframes": [{"frame": 3, "x": 1, "y": 1, "w": 2, "h": 2}],
                    },
                ]
            },
            schema=schema,
        )
    ]
    return Sample("video", schema, tasks)


def responses_sample() -> Sample:
    schema = _schema(
        {"prompt": {"type": "text"}, "answers": {"type": "responses"}},
        [
            {"name": "prefer", "type": "pairwise", "of": "answers"},
        ],
    )
    tasks = [
        make_task(
            1,
            {
                "prompt": "Say hi",
                "answers": [{"id": "r1", "text": "Hello!"}, {"id": "r2", "text": "No."}],
            },
            {"prefer": {"choice": "a", "strength": 2}},
            schema=schema,
        ),
        make_task(
            2,
            {"prompt": "Tie", "answers": [{"id": "x", "text": "1"}, {"id": "y", "text": "2"}]},
            {"prefer": {"choice": "tie"}},
            schema=schema,
        ),
    ]
    return Sample("responses", schema, tasks)


def ranking_sample() -> Sample:
    schema = _schema(
        {"chat": {"type": "conversation"}, "answers": {"type": "responses"}},
        [{"name": "order", "type": "ranking", "of": "answers"}],
    )
    data = {
        "chat": [{"role": "user", "content": "Pick one"}],
        "answers": [{"id": "a", "text": "A"}, {"id": "b", "text": "B"}, {"id": "c", "text": "C"}],
    }
    tasks = [make_task(1, data, {"order": ["b", ["a", "c"]]}, schema=schema)]
    return Sample("ranking", schema, tasks)


def document_sample() -> Sample:
    schema = _schema(
        {"doc": {"type": "document"}},
        [
            {"name": "layout", "type": "regions", "of": "doc", "labels": ["question", "answer"]},
            {
                "name": "kv",
                "type": "fields",
                "of": "doc",
                "fields": [{"name": "total", "type": "amount"}],
            },
            {"name": "links", "type": "relations", "of": "doc"},
        ],
    )
    data = {
        "doc": {
            "pages": [
                {"image": "p0.png", "width": 100, "height": 200, "text": "Total: 12"},
                {"image": "p1.png", "width": 100, "height": 200},
            ]
        }
    }
    results = {
        "layout": [
            {
                "id": "q",
                "page": 0,
                "x": 1,
                "y": 1,
                "w": 20,
                "h": 10,
                "label": "question",
                "order": 0,
            },
            {
                "id": "a",
                "page": 0,
                "x": 30,
                "y": 1,
                "w": 20,
                "h": 10,
                "label": "answer",
                "order": 1,
            },
            {"id": "z", "page": 1, "x": 5, "y": 5, "w": 5, "h": 5, "label": "question"},
        ],
        "kv": [{"name": "total", "value": "12", "region": "a", "normalized": 12}],
        "links": [{"from": "q", "to": "a"}],
    }
    return Sample("document", schema, [make_task(1, data, results, schema=schema)])


SAMPLES = [
    text_sample,
    image_sample,
    audio_sample,
    video_sample,
    responses_sample,
    ranking_sample,
    document_sample,
]
