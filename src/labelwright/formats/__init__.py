"""Pure converters between streams and plain records, registered by `name@version`.

`EXPORTERS` and `IMPORTERS` (see `registry`) hold every built-in format; look one up with
`get_exporter(name)` / `get_importer(name)`.
"""

from labelwright.formats.coco import CocoExporter, CocoImporter
from labelwright.formats.conll import CONLL_EXPORTERS, CONLL_IMPORTERS
from labelwright.formats.csv_tasks import ClassificationCsvExporter, CsvExporter, CsvImporter
from labelwright.formats.json_tasks import JsonExporter, JsonlExporter, RowsImporter
from labelwright.formats.label_studio import LabelStudioExporter, LabelStudioImporter
from labelwright.formats.layout import FunsdExporter, LayoutExporter
from labelwright.formats.mot import CvatVideoExporter, MotExporter, MotImporter
from labelwright.formats.parquet import HfDatasetExporter, ParquetExporter
from labelwright.formats.records import ExportAnnotation, ExportPrediction, ExportTask, Selection
from labelwright.formats.registry import (
    EXPORTERS,
    IMPORTERS,
    Exporter,
    Importer,
    get_exporter,
    get_importer,
    register_exporter,
    register_importer,
)
from labelwright.formats.rlhf import PreferencePairsExporter, RankingJsonlExporter
from labelwright.formats.rttm import RttmExporter, RttmImporter
from labelwright.formats.spacy_docs import SpacyDocBinExporter, SpacyJsonlExporter
from labelwright.formats.subtitles import SUBTITLE_EXPORTERS, SUBTITLE_IMPORTERS
from labelwright.formats.task_rows import RowFormat, RowRead
from labelwright.formats.voc import VocExporter, VocImporter
from labelwright.formats.yolo import YOLO_EXPORTERS, YOLO_IMPORTERS

_EXPORTERS: tuple[Exporter, ...] = (
    JsonExporter(),
    JsonlExporter(),
    CsvExporter(),
    ClassificationCsvExporter(),
    ParquetExporter(),
    HfDatasetExporter(),
    CocoExporter(),
    *YOLO_EXPORTERS,
    VocExporter(),
    *CONLL_EXPORTERS,
    SpacyDocBinExporter(),
    SpacyJsonlExporter(),
    PreferencePairsExporter(),
    RankingJsonlExporter(),
    *SUBTITLE_EXPORTERS,
    RttmExporter(),
    MotExporter(),
    CvatVideoExporter(),
    LayoutExporter(),
    FunsdExporter(),
    LabelStudioExporter(),
)
_IMPORTERS: tuple[Importer, ...] = (
    RowsImporter(RowFormat.JSON, "A JSON array of task rows."),
    RowsImporter(RowFormat.JSONL, "JSON Lines: one task row per line."),
    CsvImporter(),
    CocoImporter(),
    *YOLO_IMPORTERS,
    VocImporter(),
    *CONLL_IMPORTERS,
    *SUBTITLE_IMPORTERS,
    RttmImporter(),
    MotImporter(),
    LabelStudioImporter(),
)
for _exporter in _EXPORTERS:
    register_exporter(_exporter)
for _importer in _IMPORTERS:
    register_importer(_importer)

__all__ = [
    "EXPORTERS",
    "IMPORTERS",
    "ExportAnnotation",
    "ExportPrediction",
    "ExportTask",
    "Exporter",
    "Importer",
    "RowRead",
    "Selection",
    "get_exporter",
    "get_importer",
    "register_exporter",
    "register_importer",
]
