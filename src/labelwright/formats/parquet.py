"""Parquet files and Hugging Face `datasets` folders of the label table (`arrow_table`).

`parquet` streams one Parquet file, a row group per `ROWS_PER_GROUP` rows. `hf-dataset` streams
a zip of a folder `datasets.load_dataset` reads: `README.md` (a dataset card whose YAML names
the data files and features) and `data/train-00000-of-00001.parquet`, whose schema metadata
carries the `datasets` features (choice options as `ClassLabel`s).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from typing import Any

import orjson
import yaml

from labelwright.domain import LabelingSchema
from labelwright.formats.arrow_table import (
    annotated_rows,
    columns,
    record_batch,
    require_pyarrow,
)
from labelwright.formats.records import ExportTask, Selection
from labelwright.formats.zip_stream import ByteSink, ZipStream

ROWS_PER_GROUP = 10_000
DATA_FILE = "data/train-00000-of-00001.parquet"


def _write_parquet(
    pa: Any, tasks: Iterable[ExportTask], schema: LabelingSchema, sink: Any, *, hf: bool
) -> Iterator[None]:
    """Write row groups to `sink`, yielding after each so the caller can pass bytes on."""
    import pyarrow.parquet as pq  # type: ignore[import-untyped]

    table = columns(schema, class_labels=hf)
    metadata = None
    if hf:
        features = {c.name: c.feature for c in table}
        metadata = {b"huggingface": orjson.dumps({"info": {"features": features}})}
    arrow_schema = pa.schema([(c.name, c.type) for c in table], metadata=metadata)
    with pq.ParquetWriter(sink, arrow_schema, compression="zstd") as writer:
        iterator = iter(tasks)
        while True:
            chunk = list(itertools.islice(iterator, ROWS_PER_GROUP))
            if not chunk:
                break
            writer.write_batch(record_batch(pa, table, annotated_rows(chunk)))
            yield
    yield


class ParquetExporter:
    """One Parquet file of the label table."""

    name = "parquet"
    version = 1
    description = "Parquet: one row per task and annotation, typed columns per control."
    media_type = "application/vnd.apache.parquet"
    extension = "parquet"
    default_selection = Selection.FINAL

    def check_schema(self, schema: LabelingSchema) -> None:
        """Every schema can be exported; pyarrow must be installed."""
        require_pyarrow(self.name)

    def export(self, tasks: Iterable[ExportTask], *, schema: LabelingSchema) -> Iterator[bytes]:
        """Yield the file row group by row group."""
        pa = require_pyarrow(self.name)
        sink = ByteSink()
        for _ in _write_parquet(pa, tasks, schema, pa.PythonFile(sink, mode="w"), hf=False):
            yield sink.take()


class HfDatasetExporter:
    """A zip of a folder that `datasets.load_dataset` reads."""

    name = "hf-dataset"
    version = 1
    description = "Hugging Face datasets folder (zip): README.md card and a Parquet split."
    media_type = "application/zip"
    extension = "zip"
    default_selection = Selection.FINAL

    def check_schema(self, schema: LabelingSchema) -> None:
        """Every schema can be exported; pyarrow must be installed."""
        require_pyarrow(self.name)

    def export(self, tasks: Iterable[ExportTask], *, schema: LabelingSchema) -> Iterator[bytes]:
        """Yield the zip: the card, then the Parquet file as its row groups are written."""
        pa = require_pyarrow(self.name)
        archive = ZipStream()
        yield archive.add("README.md", _card(schema).encode())
        with archive.open(DATA_FILE) as entry:
            for _ in _write_parquet(pa, tasks, schema, pa.PythonFile(entry, mode="w"), hf=True):
                yield archive.take()
        yield archive.close()


def _card(schema: LabelingSchema) -> str:
    config = {
        "configs": [
            {"config_name": "default", "data_files": [{"split": "train", "path": DATA_FILE}]}
        ],
        "tags": ["labelwright"],
    }
    controls = ", ".join(f"`{c.name}` ({c.type})" for c in schema.controls)
    return (
        f"---\n{yaml.safe_dump(config, sort_keys=False)}---\n\n# Labelwright export\n\n"
        f"One row per task and annotation. Label columns: {controls}.\n"
    )
