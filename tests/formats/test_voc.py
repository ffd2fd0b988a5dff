from __future__ import annotations

import io
import zipfile
from xml.etree import ElementTree as ET

import pytest

from tests.formats.conftest import export_bytes, import_errors, import_rows, without_ids
from tests.formats.samples import image_sample


def test_voc_files_parse_as_pascal_voc_and_round_trip() -> None:
    sample = image_sample()
    body = export_bytes("voc", sample.schema, sample.tasks)
    archive = zipfile.ZipFile(io.BytesIO(body))
    root = ET.fromstring(archive.read("Annotations/a.xml"))
    assert root.findtext("filename") == "imgs/a.jpg" and root.findtext("size/width") == "80"
    first = root.findall("object")[0]
    assert first.findtext("name") == "car" and first.findtext("occluded") == "1"
    assert [first.findtext(f"bndbox/{k}") for k in ("xmin", "ymin", "xmax", "ymax")] == [
        "1",
        "2",
        "11",
        "22",
    ]
    rows = import_rows("voc", sample.schema, body)
    assert [r["data"] for r in rows] == [t.data for t in sample.tasks]
    assert without_ids(rows[0]["results"][0]["objects"]) == without_ids(
        sample.tasks[0].annotations[0].results["objects"]
    )


def _voc(objects: str, width: int = 50, end: str = "</annotation>") -> bytes:
    xml = (
        f"<annotation><filename>x.jpg</filename><size><width>{width}</width><height>40</height>"
        f"</size>{objects}{end}"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("Annotations/x.xml", xml)
    return buffer.getvalue()


def _object(name: str, box: tuple[float, float, float, float]) -> str:
    x0, y0, x1, y1 = box
    return (
        f"<object><name>{name}</name><bndbox><xmin>{x0}</xmin><ymin>{y0}</ymin>"
        f"<xmax>{x1}</xmax><ymax>{y1}</ymax></bndbox></object>"
    )


def test_plain_voc_imports_with_file_name_and_size() -> None:
    [row] = import_rows("voc", image_sample().schema, _voc(_object("person", (1, 2, 11, 22))))
    assert row["data"] == {"photo": {"src": "x.jpg", "width": 50, "height": 40}}
    assert without_ids(row["results"][0]["objects"]) == [
        {"x": 1, "y": 2, "w": 10, "h": 20, "label": "person"}
    ]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (_voc(_object("tree", (1, 1, 2, 2))), "Annotations/x.xml: object 1: label 'tree'"),
        (
            _voc(_object("car", (1, 1, 60, 2))),
            "Annotations/x.xml: object 1: bndbox [1, 1, 60, 2] lies outside",
        ),
        (_voc(_object("car", (5, 1, 2, 2))), "xmin < xmax"),
        (_voc("<object><name>car</name></object>"), "missing <xmin>"),
        (_voc("<object>", end=""), "not well-formed XML"),
    ],
    ids=["unknown-label", "outside-image", "inverted-box", "missing-xmin", "malformed-xml"],
)
def test_bad_voc_names_file_and_object(body: bytes, expected: str) -> None:
    problems = import_errors("voc", image_sample().schema, body)
    assert problems and expected in problems[0]


def test_voc_with_entities_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.xml", '<!DOCTYPE x [<!ENTITY a "b">]><annotation/>')
    assert "DTD" in import_errors("voc", image_sample().schema, buffer.getvalue())[0]
