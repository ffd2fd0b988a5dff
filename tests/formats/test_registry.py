"""The shared contract of every registered exporter and importer (STYLE.md section 11)."""

from __future__ import annotations

import io
from typing import Any

import pytest

from labelwright.errors import Invalid, LabelwrightError
from labelwright.formats import EXPORTERS, IMPORTERS, Exporter, Importer, get_exporter, get_importer
from labelwright.formats.records import Selection
from labelwright.formats.registry import Registry
from tests.formats.conftest import import_rows, without_ids
from tests.formats.samples import SAMPLES, Sample

EXPORTER_IDS = [f"{e.name}@{e.version}" for e in EXPORTERS]
IMPORTER_IDS = [f"{i.name}@{i.version}" for i in IMPORTERS]


def _sample_for(item: Exporter | Importer) -> Sample:
    for make in SAMPLES:
        sample = make()
        try:
            item.check_schema(sample.schema)
        except Invalid:
            continue
        return sample
    raise AssertionError(f"no sample project fits {item.name}")


@pytest.mark.parametrize("exporter", list(EXPORTERS), ids=EXPORTER_IDS)
def test_exporter_contract(exporter: Exporter) -> None:
    assert isinstance(exporter, Exporter)
    assert exporter.name and exporter.version >= 1 and exporter.description
    assert "/" in exporter.media_type and exporter.extension
    assert isinstance(exporter.default_selection, Selection)
    sample = _sample_for(exporter)
    first = b"".join(exporter.export(iter(sample.tasks), schema=sample.schema))
    again = b"".join(exporter.export(iter(sample.tasks), schema=sample.schema))
    assert first and first == again, "the same tasks give the same bytes"
    empty = b"".join(exporter.export(iter([]), schema=sample.schema))
    assert isinstance(empty, bytes)


@pytest.mark.parametrize("exporter", list(EXPORTERS), ids=EXPORTER_IDS)
def test_exporter_refuses_a_schema_it_cannot_export_with_a_clear_error(exporter: Exporter) -> None:
    unfit = [m() for m in SAMPLES]
    refused = []
    for sample in unfit:
        try:
            exporter.check_schema(sample.schema)
        except Invalid as exc:
            refused.append(exc.message)
    assert all(exporter.name in message or "Control" in message for message in refused)


@pytest.mark.parametrize("importer", list(IMPORTERS), ids=IMPORTER_IDS)
def test_importer_contract_round_trips_its_exporter(importer: Importer) -> None:
    assert isinstance(importer, Importer)
    assert importer.name and importer.version >= 1 and importer.description
    sample = _sample_for(importer)
    exporter = get_exporter(f"{importer.name}@{importer.version}")
    body = b"".join(exporter.export(iter(sample.tasks), schema=sample.schema))
    rows = import_rows(importer.name, sample.schema, body)
    assert rows, "an export of tasks imports as tasks"
    exported = [without_ids(dict(a.results)) for t in sample.tasks for a in t.annotations]
    imported = [without_ids(r) for row in rows for r in row["results"]]
    assert _significant(imported) == _significant(exported) or importer.name in _LOSSY


# Formats that keep only the controls they are about (the rest of a sample's results is lost).
_LOSSY = {
    "coco",
    "yolo-detect",
    "yolo-segment",
    "yolo-pose",
    "voc",
    "conll-iob2",
    "conll-bioes",
    "webvtt",
    "srt",
    "rttm",
    "mot",
}


def _significant(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in results if r]


@pytest.mark.parametrize("importer", list(IMPORTERS), ids=IMPORTER_IDS)
def test_importer_refuses_garbage_with_an_invalid_error(importer: Importer) -> None:
    sample = _sample_for(importer)
    try:
        reads = list(importer.read(io.BytesIO(b"\x00\x01 not a file \xff"), schema=sample.schema))
    except LabelwrightError as exc:
        assert exc.message
        return
    assert reads == [] or any(r.error for r in reads)


def test_registry_refuses_duplicates_and_names_known_formats_on_unknown() -> None:
    registry: Registry[Exporter] = Registry("export")
    registry.register(get_exporter("jsonl"))
    with pytest.raises(ValueError, match="registered twice"):
        registry.register(get_exporter("jsonl@1"))
    with pytest.raises(Invalid, match="known: jsonl"):
        registry.get("xml")
    with pytest.raises(Invalid, match="coco"):
        get_importer("nope")
    assert get_exporter("coco@1") is get_exporter("coco")
