from __future__ import annotations

import io
import json
import zipfile

from tests.formats.conftest import export_bytes
from tests.formats.samples import document_sample


def test_layout_groups_regions_by_page_with_fields_and_relations() -> None:
    sample = document_sample()
    [line] = [
        json.loads(x)
        for x in export_bytes("document-layout", sample.schema, sample.tasks).splitlines()
    ]
    assert [len(p["regions"]) for p in line["pages"]] == [2, 1]
    assert line["pages"][0]["width"] == 100 and line["pages"][0]["regions"][1]["id"] == "a"
    assert line["fields"][0]["normalized"] == 12 and line["relations"] == [{"from": "q", "to": "a"}]


def test_funsd_pages_link_questions_to_answers() -> None:
    sample = document_sample()
    archive = zipfile.ZipFile(io.BytesIO(export_bytes("funsd", sample.schema, sample.tasks)))
    assert sorted(archive.namelist()) == ["labelwright.jsonl", "p0_p0.json", "p0_p1.json"]
    form = json.loads(archive.read("p0_p0.json"))["form"]
    assert form[0] == {
        "id": 0,
        "box": [1, 1, 21, 11],
        "text": "",
        "label": "question",
        "words": [],
        "linking": [[0, 1]],
    }
    assert form[1]["text"] == "12" and form[1]["linking"] == [[0, 1]]
