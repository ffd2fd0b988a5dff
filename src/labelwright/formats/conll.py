"""CoNLL-2003 style NER: one `token TAG` per line, tags in the IOB2 or BIOES scheme.

The text object is split into sentences at line breaks and into tokens at whitespace; each
document (task) starts with `-DOCSTART- O` and a blank line, sentences are separated by blank
lines. A token is tagged with the label of the span that covers it (spans that cut a token are
widened to whole tokens). Import joins tokens with one space and sentences with a line break,
so a text in that form comes back unchanged with its spans.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, BinaryIO

from labelwright.domain import ControlType, LabelingSchema, ObjectType
from labelwright.errors import Invalid
from labelwright.formats.records import ExportTask, Selection
from labelwright.formats.targets import require_controls, require_object
from labelwright.formats.task_rows import RowRead

DOCSTART = "-DOCSTART-"
_TOKEN = re.compile(r"\S+")


def tokenize(text: str) -> list[list[tuple[int, int]]]:
    """Sentences (lines) of `(start, end)` token offsets in code points."""
    sentences = []
    offset = 0
    for line in text.split("\n"):
        tokens = [(offset + m.start(), offset + m.end()) for m in _TOKEN.finditer(line)]
        if tokens:
            sentences.append(tokens)
        offset += len(line) + 1
    return sentences


def tags_for(
    tokens: list[tuple[int, int]], spans: Iterable[Mapping[str, Any]], *, scheme: str
) -> list[str]:
    """The tag of each token for the (non-overlapping) spans."""
    tags = ["O"] * len(tokens)
    for span in sorted(spans, key=lambda s: s["start"]):
        covered = [
            i
            for i, (start, end) in enumerate(tokens)
            if start < span["end"] and end > span["start"]
        ]
        covered = [i for i in covered if tags[i] == "O"]
        if not covered:
            continue
        label = span["label"]
        for position, index in enumerate(covered):
            if scheme == "bioes" and len(covered) == 1:
                tags[index] = f"S-{label}"
            elif position == 0:
                tags[index] = f"B-{label}"
            elif scheme == "bioes" and position == len(covered) - 1:
                tags[index] = f"E-{label}"
            else:
                tags[index] = f"I-{label}"
    return tags


class _Conll:
    version = 1

    def __init__(self, scheme: str) -> None:
        self.scheme = scheme
        self.name = f"conll-{scheme}"
        self.description = f"CoNLL-2003 style token-per-line NER tags ({scheme.upper()})."

    def check_schema(self, schema: LabelingSchema) -> None:
        """Needs a text object with a spans control."""
        text = require_object(schema, self.name, ObjectType.TEXT)
        require_controls(schema, self.name, ControlType.SPANS, of=text)

    def _target(self, schema: LabelingSchema) -> tuple[str, str]:
        self.check_schema(schema)
        text = require_object(schema, self.name, ObjectType.TEXT)
        return text, require_controls(schema, self.name, ControlType.SPANS, of=text)[0].name


class ConllExporter(_Conll):
    """Token-per-line NER tags of the first text object's spans."""

    media_type = "text/plain"
    extension = "conll"
    default_selection = Selection.FINAL

    def export(self, tasks: Iterable[ExportTask], *, schema: LabelingSchema) -> Iterator[bytes]:
        """Yield one document per task (and per selected annotation)."""
        text_object, control = self._target(schema)
        key = schema.data_key(text_object)
        for task in tasks:
            text = task.data.get(key)
            if not isinstance(text, str):
                continue
            sentences = tokenize(text)
            for results in [a.results for a in task.annotations] or [{}]:
                spans = results.get(control) or []
                out = io.StringIO()
                out.write(f"{DOCSTART} O\n\n")
                for tokens in sentences:
                    for (start, end), tag in zip(
                        tokens, tags_for(tokens, spans, scheme=self.scheme), strict=True
                    ):
                        out.write(f"{text[start:end]} {tag}\n")
                    out.write("\n")
                yield out.getvalue().encode()


class ConllImporter(_Conll):
    """One task per `-DOCSTART-` document (or one for a file without any)."""

    def read(self, stream: BinaryIO, *, schema: LabelingSchema) -> Iterator[RowRead]:
        """Yield one task row per document; a bad tag sequence names its line."""
        text_object, control = self._target(schema)
        key = schema.data_key(text_object)
        labels = set(schema.control(control).label_names)  # type: ignore[union-attr]
        document: list[list[tuple[int, str, str]]] = [[]]
        started = 0
        number = 0
        for number, binary in enumerate(stream, start=1):
            try:
                raw = binary.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError:
                yield RowRead(number, error=f"line {number}: not UTF-8 text")
                return
            fields = raw.split()
            if fields and fields[0] == DOCSTART:
                if any(document):
                    yield self._row(document, started, key, control, labels)
                document, started = [[]], number
                continue
            if not fields:
                if document[-1]:
                    document.append([])
                continue
            if len(fields) < 2:
                yield RowRead(
                    number, error=f"line {number}: expected 'token TAG', got '{raw.strip()}'"
                )
                return
            document[-1].append((number, fields[0], fields[-1]))
        if any(document):
            yield self._row(document, started or 1, key, control, labels)

    def _row(
        self,
        document: list[list[tuple[int, str, str]]],
        started: int,
        key: str,
        control: str,
        labels: set[str],
    ) -> RowRead:
        sentences = [s for s in document if s]
        pieces: list[str] = []
        spans: list[dict[str, Any]] = []
        offset = 0
        try:
            for sentence_number, sentence in enumerate(sentences):
                if sentence_number:
                    pieces.append("\n")
                    offset += 1
                open_span: dict[str, Any] | None = None
                for index, (line, token, tag) in enumerate(sentence):
                    if index:
                        pieces.append(" ")
                        offset += 1
                    start, end = offset, offset + len(token)
                    pieces.append(token)
                    offset = end
                    open_span = self._step(open_span, spans, tag, start, end, line, labels)
                if open_span is not None:
                    self._close(open_span, spans, sentence[-1][0])
        except Invalid as exc:
            return RowRead(started, error=exc.message)
        text = "".join(pieces)
        for span in spans:
            span["text"] = text[span["start"] : span["end"]]
        row: dict[str, Any] = {"data": {key: text}}
        if spans:
            row["annotations"] = [{"results": {control: spans}}]
        return RowRead(started, row)

    def _step(
        self,
        open_span: dict[str, Any] | None,
        spans: list[dict[str, Any]],
        tag: str,
        start: int,
        end: int,
        line: int,
        labels: set[str],
    ) -> dict[str, Any] | None:
        if tag == "O":
            if open_span is not None:
                self._close(open_span, spans, line)
            return None
        prefix, _, label = tag.partition("-")
        allowed = "BIES" if self.scheme == "bioes" else "BI"
        if prefix not in allowed or not label:
            raise Invalid(f"line {line}: tag '{tag}' is not an {self.scheme.upper()} tag")
        if label not in labels:
            raise Invalid(f"line {line}: label '{label}' is not a label of the schema")
        if prefix in ("B", "S"):
            if open_span is not None:
                self._close(open_span, spans, line)
            open_span = {"start": start, "end": end, "label": label}
            if prefix == "S":
                spans.append(open_span)
                return None
            return open_span
        if open_span is None or open_span["label"] != label:
            raise Invalid(
                f"line {line}: '{tag}' does not continue a {label} span begun by B-{label}"
            )
        open_span["end"] = end
        if prefix == "E":
            spans.append(open_span)
            return None
        return open_span

    def _close(self, span: dict[str, Any], spans: list[dict[str, Any]], line: int) -> None:
        if self.scheme == "bioes":
            raise Invalid(f"line {line}: a BIOES {span['label']} span is not closed by E-/S-")
        spans.append(span)


CONLL_EXPORTERS = [ConllExporter("iob2"), ConllExporter("bioes")]
CONLL_IMPORTERS = [ConllImporter("iob2"), ConllImporter("bioes")]
