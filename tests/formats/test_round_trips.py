"""import(export(x)) == x, property-tested on generated projects for every format that imports."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labelwright.domain import parse_schema
from labelwright.formats import ExportTask
from labelwright.formats.tracks import track_frames
from tests.formats.conftest import export_bytes, import_rows, make_task, same_items, without_ids

SETTINGS = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])

IMAGE = parse_schema(
    {
        "objects": {"photo": {"type": "image"}},
        "controls": [
            {"name": "objects", "type": "boxes", "of": "photo", "labels": ["car", "person", "bus"]},
            {"name": "outlines", "type": "polygons", "of": "photo", "labels": ["road", "lake"]},
        ],
    }
)
TEXT = parse_schema(
    {
        "objects": {"text": {"type": "text"}},
        "controls": [
            {"name": "ner", "type": "spans", "of": "text", "labels": ["PER", "ORG", "LOC"]}
        ],
    }
)
AUDIO = parse_schema(
    {
        "objects": {"clip": {"type": "audio"}},
        "controls": [
            {"name": "turns", "type": "segments", "of": "clip", "labels": ["ann", "bo"]},
            {"name": "words", "type": "transcript", "of": "clip"},
        ],
    }
)
VIDEO = parse_schema(
    {
        "objects": {"clip": {"type": "video"}},
        "controls": [{"name": "tracks", "type": "tracks", "of": "clip", "labels": ["car", "dog"]}],
    }
)


@st.composite
def image_tasks(draw: st.DrawFn) -> list[ExportTask]:
    tasks = []
    for index in range(draw(st.integers(1, 4))):
        width, height = draw(st.integers(8, 2000)), draw(st.integers(8, 2000))
        boxes = []
        for _ in range(draw(st.integers(0, 5))):
            x = draw(st.floats(0, width - 2, allow_nan=False))
            y = draw(st.floats(0, height - 2, allow_nan=False))
            w = draw(st.floats(0.5, width - x, allow_nan=False).filter(lambda v: v > 0))
            h = draw(st.floats(0.5, height - y, allow_nan=False).filter(lambda v: v > 0))
            boxes.append(
                {
                    "x": x,
                    "y": y,
                    "w": w,
                    "h": h,
                    "label": draw(st.sampled_from(["car", "person", "bus"])),
                }
            )
        polygons = []
        for _ in range(draw(st.integers(0, 2))):
            points = [
                [draw(st.integers(0, width)), draw(st.integers(0, height))]
                for _ in range(draw(st.integers(3, 6)))
            ]
            polygons.append({"points": points, "label": draw(st.sampled_from(["road", "lake"]))})
        results = {"objects": boxes, "outlines": polygons} if boxes or polygons else None
        data = {"photo": {"src": f"dir/img_{index}.jpg", "width": width, "height": height}}
        tasks.append(make_task(index + 1, data, results, schema=IMAGE))
    return tasks


def _results(tasks: list[ExportTask], controls: tuple[str, ...]) -> list[Any]:
    found = [
        without_ids({c: list(a.results[c]) for c in controls if a.results.get(c)})
        for t in tasks
        for a in t.annotations
    ]
    return [r for r in found if r]


def _imported(rows: list[dict[str, Any]], controls: tuple[str, ...]) -> list[Any]:
    found = [
        without_ids({c: r[c] for c in controls if r.get(c)}) for row in rows for r in row["results"]
    ]
    return [r for r in found if r]


@SETTINGS
@given(image_tasks())
def test_coco_round_trip(tasks: list[ExportTask]) -> None:
    rows = import_rows("coco", IMAGE, export_bytes("coco", IMAGE, tasks))
    assert [r["data"] for r in rows] == [t.data for t in tasks]
    assert _imported(rows, ("objects", "outlines")) == _results(tasks, ("objects", "outlines"))


@SETTINGS
@given(image_tasks())
def test_voc_round_trip(tasks: list[ExportTask]) -> None:
    rows = import_rows("voc", IMAGE, export_bytes("voc", IMAGE, tasks))
    assert [r["data"] for r in rows] == [t.data for t in tasks]
    assert same_items(_imported(rows, ("objects",)), _results(tasks, ("objects",)), tolerance=1e-9)


@SETTINGS
@given(image_tasks())
def test_yolo_round_trip(tasks: list[ExportTask]) -> None:
    for task, control in (("detect", "objects"), ("segment", "outlines")):
        rows = import_rows(f"yolo-{task}", IMAGE, export_bytes(f"yolo-{task}", IMAGE, tasks))
        assert [r["data"] for r in rows] == [t.data for t in tasks]
        assert same_items(_imported(rows, (control,)), _results(tasks, (control,)), tolerance=1e-6)


@SETTINGS
@given(image_tasks())
def test_label_studio_round_trip(tasks: list[ExportTask]) -> None:
    rows = import_rows("label-studio", IMAGE, export_bytes("label-studio", IMAGE, tasks))
    got = [without_ids(r) for row in rows for r in row["results"]]
    assert same_items(got, _results(tasks, ("objects", "outlines")), tolerance=1e-9)


WORDS = st.text(alphabet="abcXYZéü日本🙂.,'&<>-", min_size=1, max_size=6)


@st.composite
def text_tasks(draw: st.DrawFn) -> list[ExportTask]:
    tasks = []
    for index in range(draw(st.integers(1, 3))):
        lines = draw(st.lists(st.lists(WORDS, min_size=1, max_size=6), min_size=1, max_size=3))
        text = "\n".join(" ".join(line) for line in lines)
        tokens, offset = [], 0
        for line in lines:
            for word in line:
                tokens.append((offset, offset + len(word)))
                offset += len(word) + 1
        spans, position = [], 0
        while position < len(tokens):
            if draw(st.booleans()):
                end = min(len(tokens), position + draw(st.integers(1, 3)))
                line_of = [text.count("\n", 0, tokens[i][0]) for i in range(position, end)]
                end = position + line_of.count(line_of[0])
                start, stop = tokens[position][0], tokens[end - 1][1]
                label = draw(st.sampled_from(["PER", "ORG", "LOC"]))
                spans.append(
                    {"start": start, "end": stop, "text": text[start:stop], "label": label}
                )
                position = end
            else:
                position += 1
        tasks.append(make_task(index + 1, {"text": text}, {"ner": spans}, schema=TEXT))
    return tasks


@SETTINGS
@given(text_tasks())
def test_conll_round_trips(tasks: list[ExportTask]) -> None:
    for scheme in ("iob2", "bioes"):
        rows = import_rows(f"conll-{scheme}", TEXT, export_bytes(f"conll-{scheme}", TEXT, tasks))
        assert [r["data"] for r in rows] == [t.data for t in tasks]
        assert _imported(rows, ("ner",)) == _results(tasks, ("ner",))


@SETTINGS
@given(text_tasks())
def test_label_studio_and_csv_and_jsonl_round_trip_unicode_spans(tasks: list[ExportTask]) -> None:
    for fmt in ("label-studio", "csv", "jsonl"):
        rows = import_rows(fmt, TEXT, export_bytes(fmt, TEXT, tasks))
        assert [r["data"] for r in rows] == [t.data for t in tasks]
        assert _imported(rows, ("ner",)) == _results(tasks, ("ner",))


MILLIS = st.integers(0, 36_000_000).map(lambda ms: ms / 1000)
CUE_WORDS = st.text(alphabet="abcüé🙂&<>.!? ", min_size=1, max_size=8).map(str.strip).filter(bool)


@st.composite
def audio_tasks(draw: st.DrawFn) -> list[ExportTask]:
    tasks = []
    for index in range(draw(st.integers(1, 3))):
        words, turns = [], []
        for _ in range(draw(st.integers(0, 4))):
            start = draw(MILLIS)
            end = round(start + draw(st.integers(1, 60_000)) / 1000, 3)
            lines = draw(st.lists(CUE_WORDS, min_size=1, max_size=2))
            cue = {"start": start, "end": end, "text": "\n".join(lines)}
            if draw(st.booleans()):
                cue["speaker"] = draw(st.sampled_from(["Ann", "Bo B"]))
            words.append(cue)
            turns.append(
                {"start": start, "end": end, "label": draw(st.sampled_from(["ann", "bo"]))}
            )
        results = {"words": words, "turns": turns} if words else None
        tasks.append(
            make_task(index + 1, {"clip": f"audio/clip_{index}.wav"}, results, schema=AUDIO)
        )
    return tasks


@SETTINGS
@given(audio_tasks())
def test_subtitle_and_rttm_round_trips(tasks: list[ExportTask]) -> None:
    for fmt in ("webvtt", "srt"):
        rows = import_rows(fmt, AUDIO, export_bytes(fmt, AUDIO, tasks))
        assert [r["data"] for r in rows] == [t.data for t in tasks]
        assert _imported(rows, ("words",)) == _results(tasks, ("words",))
    rows = import_rows("rttm", AUDIO, export_bytes("rttm", AUDIO, tasks))
    expected = [t for t in tasks if t.annotations]
    assert [r["data"] for r in rows] == [t.data for t in expected]
    key = lambda s: (s["start"], s["end"])  # noqa: E731
    assert [sorted(without_ids(r["results"][0]["turns"]), key=key) for r in rows] == [
        sorted(without_ids(t.annotations[0].results["turns"]), key=key) for t in expected
    ]


@st.composite
def video_tasks(draw: st.DrawFn) -> list[ExportTask]:
    tracks = []
    for _ in range(draw(st.integers(1, 3))):
        frame, keyframes = draw(st.integers(0, 5)), []
        for _ in range(draw(st.integers(1, 5))):
            box = {
                "frame": frame,
                "x": draw(st.integers(0, 50)),
                "y": draw(st.integers(0, 50)),
                "w": draw(st.integers(1, 40)),
                "h": draw(st.integers(1, 40)),
            }
            if keyframes and not keyframes[-1].get("outside") and draw(st.booleans()):
                box = {
                    **{k: keyframes[-1][k] for k in ("x", "y", "w", "h")},
                    "frame": frame,
                    "outside": True,
                }
            keyframes.append(box)
            frame += draw(st.integers(1, 6))
        if keyframes[-1].get("outside"):
            keyframes.pop()
        tracks.append({"label": draw(st.sampled_from(["car", "dog"])), "keyframes": keyframes})
    data = {"clip": {"src": "v.mp4", "width": 100, "height": 100}}
    return [make_task(1, data, {"tracks": tracks}, schema=VIDEO)]


@SETTINGS
@given(video_tasks())
def test_mot_round_trip_gives_the_same_box_on_every_frame(tasks: list[ExportTask]) -> None:
    [row] = import_rows("mot", VIDEO, export_bytes("mot", VIDEO, tasks))
    original = tasks[0].annotations[0].results["tracks"]
    imported = row["results"][0]["tracks"]
    assert [t["label"] for t in imported] == [t["label"] for t in original]
    for got, expected in zip(imported, original, strict=True):
        assert [(f.frame, f.x, f.y, f.w, f.h) for f in track_frames(got["keyframes"])] == [
            (f.frame, f.x, f.y, f.w, f.h) for f in track_frames(expected["keyframes"])
        ]
