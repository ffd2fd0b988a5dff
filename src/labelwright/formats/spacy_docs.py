"""spaCy v3 training data: `DocBin` files (`.spacy`) and spaCy/Prodigy-style JSONL.

`spacy` writes a zip of `train-NNNNN.spacy` files of at most `DOCS_PER_FILE` docs each (memory
stays flat; `spacy train` reads a folder of them). Each doc is the text object tokenized by a
blank multi-language pipeline; spans become `doc.ents` (and `doc.spans["sc"]` when the control
allows overlaps), choice and choices values become `doc.cats`. This exporter needs the optional
`spacy` package on the server. `spacy-jsonl` needs nothing: one
`{"text", "spans": [{"start", "end", "label"}], "cats": {...}, "meta": {"id"}}` per line.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import orjson

from labelwright.domain import ControlSpec, ControlType, LabelingSchema, ObjectType
from labelwright.errors import Invalid
from labelwright.formats.records import ExportTask, Selection
from labelwright.formats.targets import controls_of, require_object
from labelwright.formats.zip_stream import ZipStream

DOCS_PER_FILE = 1000
LANGUAGE = "xx"


def _targets(schema: LabelingSchema, fmt: str) -> tuple[str, list[ControlSpec], list[ControlSpec]]:
    text = require_object(schema, fmt, ObjectType.TEXT)
    spans = controls_of(schema, ControlType.SPANS, of=text)
    cats = controls_of(schema, ControlType.CHOICE, ControlType.CHOICES, of=text)
    if not spans and not cats:
        raise Invalid(
            f"Format '{fmt}' needs a spans, choice or choices control of object '{text}'."
        )
    return text, spans, cats


def _cats(results: Mapping[str, Any], cats: list[ControlSpec]) -> dict[str, float]:
    out: dict[str, float] = {}
    for control in cats:
        value = results.get(control.name)
        chosen = {value} if isinstance(value, str) else set(value or ())
        for option in control.label_names:
            out[option] = 1.0 if option in chosen else 0.0
    return out


class SpacyDocBinExporter:
    """A zip of spaCy `DocBin` files."""

    name = "spacy"
    version = 1
    description = "spaCy v3 DocBin (.spacy) files with entities, span groups and cats (zip)."
    media_type = "application/zip"
    extension = "zip"
    default_selection = Selection.FINAL

    def check_schema(self, schema: LabelingSchema) -> None:
        """Needs a text object with spans or choices, and spaCy installed on the server."""
        _targets(schema, self.name)
        try:
            import spacy  # noqa: F401
        except ImportError:
            raise Invalid(
                "Format 'spacy' needs the spacy package on the server (pip install spacy)."
            ) from None

    def export(self, tasks: Iterable[ExportTask], *, schema: LabelingSchema) -> Iterator[bytes]:
        """Yield the zip of DocBin parts."""
        self.check_schema(schema)
        import spacy
        from spacy.tokens import DocBin

        text_object, spans, cats = _targets(schema, self.name)
        key = schema.data_key(text_object)
        nlp = spacy.blank(LANGUAGE)
        archive = ZipStream()
        batch = DocBin(store_user_data=False)
        part = 0
        for task in tasks:
            text = task.data.get(key)
            if not isinstance(text, str):
                continue
            for annotation in task.annotations:
                batch.add(_doc(nlp, text, annotation.results, spans, cats))
            if len(batch) >= DOCS_PER_FILE:
                yield archive.add(f"train-{part:05d}.spacy", batch.to_bytes())
                batch, part = DocBin(store_user_data=False), part + 1
        if len(batch) or part == 0:
            yield archive.add(f"train-{part:05d}.spacy", batch.to_bytes())
        yield archive.close()


def _doc(
    nlp: Any,
    text: str,
    results: Mapping[str, Any],
    spans: list[ControlSpec],
    cats: list[ControlSpec],
) -> Any:
    doc = nlp.make_doc(text)
    entities = []
    group = []
    for control in spans:
        for item in results.get(control.name) or []:
            span = doc.char_span(item["start"], item["end"], item["label"], alignment_mode="expand")
            if span is None:
                continue
            group.append(span)
            if not getattr(control, "overlap", False):
                entities.append(span)
    doc.ents = _non_overlapping(entities)
    if group:
        doc.spans["sc"] = group
    doc.cats = _cats(results, cats)
    return doc


def _non_overlapping(spans: list[Any]) -> list[Any]:
    kept: list[Any] = []
    end = -1
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if span.start >= end:
            kept.append(span)
            end = span.end
    return kept


class SpacyJsonlExporter:
    """spaCy / Prodigy-style JSONL: text, character spans and cats."""

    name = "spacy-jsonl"
    version = 1
    description = "spaCy/Prodigy JSONL: text, character-offset spans and cats per annotation."
    media_type = "application/x-ndjson"
    extension = "jsonl"
    default_selection = Selection.FINAL

    def check_schema(self, schema: LabelingSchema) -> None:
        """Needs a text object with spans, choice or choices."""
        _targets(schema, self.name)

    def export(self, tasks: Iterable[ExportTask], *, schema: LabelingSchema) -> Iterator[bytes]:
        """Yield one line per annotation."""
        text_object, spans, cats = _targets(schema, self.name)
        key = schema.data_key(text_object)
        for task in tasks:
            for annotation in task.annotations:
                line = {
                    "text": task.data.get(key),
                    "spans": [
                        {"start": s["start"], "end": s["end"], "label": s["label"]}
                        for control in spans
                        for s in annotation.results.get(control.name) or []
                    ],
                    "cats": _cats(annotation.results, cats),
                    "meta": {"id": task.id, "annotation": annotation.id},
                }
                yield orjson.dumps(line) + b"\n"
