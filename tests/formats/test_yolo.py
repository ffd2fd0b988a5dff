from __future__ import annotations

import io
import zipfile

import pytest
import yaml
from PIL import Image

from tests.formats.conftest import (
    export_bytes,
    import_errors,
    import_rows,
    same_items,
    without_ids,
)
from tests.formats.samples import image_sample


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, body in files.items():
            archive.writestr(name, body)
    return buffer.getvalue()


def _png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height)).save(out, format="PNG")
    return out.getvalue()


@pytest.mark.parametrize(
    ("task", "control"), [("detect", "objects"), ("segment", "outlines"), ("pose", "pose")]
)
def test_yolo_round_trip_keeps_data_and_shapes(task: str, control: str) -> None:
    sample = image_sample()
    body = export_bytes(f"yolo-{task}", sample.schema, sample.tasks)
    rows = import_rows(f"yolo-{task}", sample.schema, body)
    assert [r["data"] for r in rows] == [t.data for t in sample.tasks]
    original = without_ids(sample.tasks[0].annotations[0].results[control])
    imported = without_ids(rows[0]["results"][0][control])
    for item in original:
        item.pop("attributes", None)
    assert same_items(imported, original)
    assert rows[1]["results"] == []


def test_yolo_detect_layout_is_what_ultralytics_reads() -> None:
    sample = image_sample()
    archive = zipfile.ZipFile(io.BytesIO(export_bytes("yolo-detect", sample.schema, sample.tasks)))
    config = yaml.safe_load(archive.read("data.yaml"))
    assert config["names"] == {0: "car", 1: "person"} and config["train"] == "images"
    first = archive.read("labels/a.txt").decode().splitlines()[0].split()
    assert first[0] == "0" and [float(v) for v in first[1:]] == pytest.approx(
        [6 / 80, 12 / 50, 10 / 80, 20 / 50]
    )
    assert archive.read("labels/b.txt") == b""


def test_plain_yolo_zip_with_images_imports_with_their_sizes() -> None:
    sample = image_sample()
    body = _zip(
        {
            "data.yaml": b"names: [car, person]\n",
            "images/train/x.png": _png(100, 50),
            "labels/train/x.txt": b"1 0.5 0.5 0.2 0.4\n",
        }
    )
    [row] = import_rows("yolo-detect", sample.schema, body)
    assert row["data"] == {"photo": {"src": "images/train/x.png", "width": 100, "height": 50}}
    box = row["results"][0]["objects"][0]
    assert (box["x"], box["y"], box["w"], box["h"], box["label"]) == pytest.approx(
        (40, 15, 20, 20, "person")
    )


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            b"0 0.5 0.5 0.2 0.2 0.9\n",
            "labels/x.txt line 1: expected 5 values (class cx cy w h), found 6",
        ),
        (b"7 0.5 0.5 0.2 0.2\n", "labels/x.txt line 1: class 7 is not in data.yaml names (0..1)"),
        (b"0 1.5 0.5 0.2 0.2\n", "labels/x.txt line 1: normalized coordinates must lie in [0, 1]"),
        (b"0 a b c d\n", "labels/x.txt line 1: expected numbers"),
    ],
)
def test_bad_yolo_lines_name_file_and_line(line: bytes, expected: str) -> None:
    sample = image_sample()
    body = _zip(
        {
            "data.yaml": b"names: [car, person]\n",
            "images/x.png": _png(10, 10),
            "labels/x.txt": b"0 0.5 0.5 0.1 0.1\n" + line,
        }
    )
    problems = import_errors("yolo-detect", sample.schema, body)
    assert problems and expected.replace("line 1", "line 2") in problems[0]


def test_yolo_import_needs_data_yaml_image_sizes_and_known_classes() -> None:
    sample = image_sample()
    assert (
        "no data.yaml"
        in import_errors("yolo-detect", sample.schema, _zip({"labels/x.txt": b""}))[0]
    )
    no_size = _zip({"data.yaml": b"names: [car]\n", "labels/x.txt": b"0 0.5 0.5 0.1 0.1\n"})
    assert "size of image 'x' is unknown" in import_errors("yolo-detect", sample.schema, no_size)[0]
    unknown = _zip(
        {
            "data.yaml": b"names: [tree]\n",
            "images/x.png": _png(9, 9),
            "labels/x.txt": b"0 0.5 0.5 0.1 0.1\n",
        }
    )
    assert "class 'tree' is not a label" in import_errors("yolo-detect", sample.schema, unknown)[0]
    assert "expects a zip" in import_errors("yolo-detect", sample.schema, b"plain text")[0]
