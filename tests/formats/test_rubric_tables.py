"""Rubric columns of the label table (Parquet, Hugging Face datasets): a flat rubric is a
struct of its criteria; a rubric of a responses object is a list of `{response, ratings}`."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from labelwright.domain import parse_schema
from tests.formats.conftest import export_bytes, make_task

SCHEMA = parse_schema(
    {
        "objects": {"prompt": {"type": "text"}, "answers": {"type": "responses"}},
        "controls": [
            {
                "name": "quality",
                "type": "rubric",
                "of": "answers",
                "criteria": [{"name": "helpful"}, {"name": "safe", "min": 0, "max": 2}],
            },
            {"name": "overall", "type": "rubric", "of": "prompt", "criteria": [{"name": "clear"}]},
        ],
    }
)
DATA = {
    "prompt": "Say hi",
    "answers": [{"id": "r1", "text": "Hello!"}, {"id": "r2", "text": "No."}],
}
RESULTS = {
    "quality": {"r2": {"safe": 0, "helpful": 1}, "r1": {"helpful": 5, "safe": 2}},
    "overall": {"clear": 4},
}
TASKS = [make_task(1, DATA, RESULTS, schema=SCHEMA), make_task(2, DATA, schema=SCHEMA)]


def test_parquet_has_a_rubric_per_response_in_task_order() -> None:
    table = pq.read_table(io.BytesIO(export_bytes("parquet", SCHEMA, TASKS)))
    rows = table.to_pylist()

    assert str(table.schema.field("quality").type) == (
        "list<element: struct<response: string, ratings: struct<helpful: int64, safe: int64>>>"
    )
    assert rows[0]["quality"] == [
        {"response": "r1", "ratings": {"helpful": 5, "safe": 2}},
        {"response": "r2", "ratings": {"helpful": 1, "safe": 0}},
    ]
    assert str(table.schema.field("overall").type) == "struct<clear: int64>"
    assert rows[0]["overall"] == {"clear": 4}
    assert rows[1]["quality"] is None and rows[1]["overall"] is None


def test_datasets_reads_the_rubric_features_offline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    datasets = pytest.importorskip("datasets")
    folder = tmp_path / "ds"
    body = export_bytes("hf-dataset", SCHEMA, TASKS)
    zipfile.ZipFile(io.BytesIO(body)).extractall(folder)

    dataset = datasets.load_dataset(str(folder), split="train", cache_dir=str(tmp_path / "c"))

    assert dataset[0]["quality"] == [
        {"response": "r1", "ratings": {"helpful": 5, "safe": 2}},
        {"response": "r2", "ratings": {"helpful": 1, "safe": 0}},
    ]
    assert dataset[0]["overall"] == {"clear": 4}
