from __future__ import annotations

import io
import json
import zipfile

import pytest

from labelwright.formats.tracks import FrameBox, track_frames, track_keyframes
from tests.formats.conftest import export_bytes, import_errors, import_rows, without_ids
from tests.formats.samples import video_sample


def test_interpolated_frames_hold_before_outside_and_end_at_the_last_keyframe() -> None:
    keyframes = video_sample().tasks[0].annotations[0].results["tracks"][0]["keyframes"]
    frames = list(track_frames(keyframes))
    assert [f.frame for f in frames] == [0, 1, 2, 3, 4, 5, 9]
    assert (frames[2].x, frames[2].y) == (4, 2)
    assert (frames[5].x, frames[5].keyframe) == (8, False)
    assert track_keyframes(frames) == [dict(k, outside=k.get("outside", False)) for k in keyframes]


def test_mot_gt_lines_and_round_trip() -> None:
    sample = video_sample()
    body = export_bytes("mot", sample.schema, sample.tasks)
    archive = zipfile.ZipFile(io.BytesIO(body))
    lines = archive.read("one/gt/gt.txt").decode().splitlines()
    assert lines[0] == "1,1,0,0,10,10,1,1,1" and len(lines) == 8
    assert "seqLength=20" in archive.read("one/seqinfo.ini").decode()
    [row] = import_rows("mot", sample.schema, body)
    assert row["data"] == sample.tasks[0].data
    assert without_ids(row["results"][0]["tracks"]) == without_ids(
        sample.tasks[0].annotations[0].results["tracks"]
    )


def _mot(text: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("labels.txt", "car\nperson\n")
        archive.writestr("seq/gt/gt.txt", text)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1,1,0,0,5,5,1,3,1\n", "seq/gt/gt.txt line 1: class 3 is not in labels.txt"),
        ("1,1,0,0,5\n", "line 1: expected 6 to 10 comma-separated values"),
        ("0,1,0,0,5,5,1,1,1\n", "frames are numbered from 1"),
        ("1,1,0,0,5,5,1,1,1\n2,1,0,0,5,5,1,2,1\n", "line 2: track 1 changes class"),
    ],
)
def test_bad_mot_names_file_and_line(text: str, expected: str) -> None:
    problems = import_errors("mot", video_sample().schema, _mot(text))
    assert problems and expected in problems[0]


def test_plain_mot_sequence_imports_as_keyframes() -> None:
    text = "".join(f"{f},7,{f},0,4,4,1,2,1\n" for f in range(1, 6))
    [row] = import_rows("mot", video_sample().schema, _mot(text))
    [track] = row["results"][0]["tracks"]
    assert track["label"] == "person" and [k["frame"] for k in track["keyframes"]] == [0, 4]


def test_cvat_video_lists_every_frame_with_track_ids() -> None:
    sample = video_sample()
    [line] = [
        json.loads(x) for x in export_bytes("cvat-video", sample.schema, sample.tasks).splitlines()
    ]
    assert [f["frame"] for f in line["frames"]] == [0, 1, 2, 3, 4, 5, 9]
    frame3 = line["frames"][3]["shapes"]
    assert {s["label"] for s in frame3} == {"car", "person"}
    assert frame3[0]["points"] == [6.0, 3.0, 16.0, 13.0] and frame3[0]["keyframe"] is False
    assert isinstance(FrameBox(0, 0, 0, 1, 1, True).frame, int)
