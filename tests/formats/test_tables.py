from __future__ import annotations

import csv
import io
import json
import os
import zipfile
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tests.formats.conftest import export_bytes, import_rows
from tests.formats.samples import image_sample, text_sample


def test_parquet_has_typed_columns_per_control() -> None:
    sample = text_sample()
    table = pq.read_table(io.BytesIO(export_bytes("parquet", sample.schema, sample.tasks)))
    rows = table.to_pylist()
    assert table.num_rows == 3 and str(table.schema.field("stars").type) == "int64"
    assert rows[0]["sentiment"] == "pos" and rows[0]["topics"] == ["tech"]
    assert rows[0]["entities"][1] | {"id": None} == {
        "id": None,
        "start": 13,
        "end": 22,
        "text": "Acme Corp",
        "label": "ORG",
        "attributes": None,
    }
    assert rows[2]["annotation_id"] is None and json.loads(rows[2]["meta"]) == {"i": 2}


def test_parquet_of_images_keeps_boxes_as_structs() -> None:
    sample = image_sample()
    rows = pq.read_table(
        io.BytesIO(export_bytes("parquet", sample.schema, sample.tasks))
    ).to_pylist()
    box = rows[0]["objects"][0]
    assert (box["x"], box["w"], box["label"]) == (1.0, 10.0, "car")
    assert json.loads(box["attributes"]) == {"occluded": True}
    assert json.loads(rows[0]["masks"])[0]["rle"]["size"] == [50, 80]


def test_datasets_loads_the_folder_offline_with_class_labels(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    import datasets

    sample = text_sample()
    folder = tmp_path / "ds"
    zipfile.ZipFile(io.BytesIO(export_bytes("hf-dataset", sample.schema, sample.tasks))).extractall(
        folder
    )
    assert (folder / "README.md").read_text().startswith("---\n")
    dataset = datasets.load_dataset(str(folder), split="train", cache_dir=str(tmp_path / "cache"))
    assert dataset.num_rows == 3
    assert dataset.features["sentiment"].names == ["pos", "neg"]
    assert dataset[0]["sentiment"] == 0 and dataset[1]["sentiment"] == 1
    assert dataset.features["topics"].feature.names == ["tech", "art"]
    assert dataset[0]["entities"][0]["text"] == "Ada"
    parquet = datasets.load_dataset(
        "parquet",
        data_files=str(folder / "data" / "*.parquet"),
        split="train",
        cache_dir=str(tmp_path / "cache2"),
    )
    assert parquet.features["sentiment"].names == ["pos", "neg"]
    assert os.environ["HF_DATASETS_OFFLINE"] == "1"


def test_csv_round_trip_keeps_data_meta_and_labels() -> None:
    sample = text_sample()
    body = export_bytes("csv", sample.schema, sample.tasks)
    header = next(csv.reader(io.StringIO(body.decode())))
    assert header[:3] == ["id", "text", "meta"] and "label.entities" in header
    rows = import_rows("csv", sample.schema, body)
    assert [r["data"] for r in rows] == [t.data for t in sample.tasks]
    assert [r["meta"] for r in rows] == [t.meta for t in sample.tasks]
    assert rows[0]["results"] == [dict(sample.tasks[0].annotations[0].results)]
    assert rows[2]["results"] == []


def test_classification_csv_is_text_and_label() -> None:
    sample = text_sample()
    rows = list(
        csv.reader(
            io.StringIO(export_bytes("classification-csv", sample.schema, sample.tasks).decode())
        )
    )
    assert rows == [
        ["text", "label"],
        ["Ada works at Acme Corp", "pos"],
        ["Grace joined Navy\nthen Harvard ü 🙂", "neg"],
    ]
