"""Document layout: per-page regions and key-value fields as JSONL, and FUNSD-style JSON.

`document-layout` writes one line per annotation:
`{"id", "pages": [{"page", "image", "width", "height", "regions": [...]}], "fields": [...],
"relations": [...]}` with the regions (boxes in page pixels, reading `order`) grouped by page.
`funsd` writes a zip with one FUNSD-style `<stem>_p<page>.json` per page:
`{"form": [{"id", "box": [x0, y0, x1, y1], "text", "label", "words": [], "linking": [...]}]}`,
where `text` is the value of the field linked to the region and `linking` the relations that
touch it (as FUNSD lists them, on both ends).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import orjson

from labelwright.domain import ControlType, LabelingSchema, ObjectType
from labelwright.formats.manifest import MANIFEST, manifest_line
from labelwright.formats.records import ExportTask, Selection
from labelwright.formats.targets import FileNames, controls_of, require_controls, require_object
from labelwright.formats.zip_stream import ZipStream

_DOCUMENTS = (ObjectType.DOCUMENT, ObjectType.IMAGE)


def _pages(task: ExportTask, schema: LabelingSchema, name: str) -> list[dict[str, Any]]:
    value = task.data.get(schema.data_key(name))
    if schema.objects[name].type == ObjectType.IMAGE.value:
        raw: list[Any] = [value]
    elif isinstance(value, Mapping):
        raw = list(value.get("pages") or [])
    else:
        raw = list(value) if isinstance(value, list) else []
    pages = []
    for index, page in enumerate(raw):
        info = page if isinstance(page, Mapping) else {"image": page}
        image = info.get("image") or info.get("src") or info.get("url")
        media = task.media.get(image) if isinstance(image, str) else None
        pages.append(
            {
                "page": index,
                "image": image,
                "width": info.get("width") or (media.width if media else None),
                "height": info.get("height") or (media.height if media else None),
            }
        )
    return pages


class _Layout:
    name: str
    version = 1
    default_selection = Selection.FINAL

    def check_schema(self, schema: LabelingSchema) -> None:
        """Needs a document (or image) object with a regions control."""
        document = require_object(schema, self.name, *_DOCUMENTS)
        require_controls(schema, self.name, ControlType.REGIONS, of=document)

    def _parts(
        self, task: ExportTask, schema: LabelingSchema, results: Mapping[str, Any]
    ) -> tuple[
        list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]
    ]:
        document = require_object(schema, self.name, *_DOCUMENTS)
        pages = _pages(task, schema, document)
        regions = [
            r
            for c in controls_of(schema, ControlType.REGIONS, of=document)
            for r in results.get(c.name) or []
        ]
        fields = [
            f
            for c in controls_of(schema, ControlType.FIELDS, of=document)
            for f in results.get(c.name) or []
        ]
        relations = [
            r for c in controls_of(schema, ControlType.RELATIONS) for r in results.get(c.name) or []
        ]
        return pages, regions, fields, relations


class LayoutExporter(_Layout):
    """Per-page layout and fields, one JSON line per annotation."""

    name = "document-layout"
    description = "Document layout JSONL: regions per page, key-value fields and relations."
    media_type = "application/x-ndjson"
    extension = "jsonl"

    def export(self, tasks: Iterable[ExportTask], *, schema: LabelingSchema) -> Iterator[bytes]:
        """Yield one line per annotation."""
        self.check_schema(schema)
        for task in tasks:
            for annotation in task.annotations:
                pages, regions, fields, relations = self._parts(task, schema, annotation.results)
                for page in pages:
                    page["regions"] = [
                        {k: v for k, v in r.items() if k != "page"}
                        for r in sorted(regions, key=lambda r: r.get("order", 0))
                        if r["page"] == page["page"]
                    ]
                line = {
                    "id": task.id,
                    "annotation": annotation.id,
                    "pages": pages,
                    "fields": fields,
                    "relations": relations,
                }
                yield orjson.dumps(line) + b"\n"


class FunsdExporter(_Layout):
    """FUNSD-style JSON per page (zip)."""

    name = "funsd"
    description = "FUNSD-style form JSON per page: boxes, text, label and linking (zip)."
    media_type = "application/zip"
    extension = "zip"

    def export(self, tasks: Iterable[ExportTask], *, schema: LabelingSchema) -> Iterator[bytes]:
        """Yield the zip of page files and the manifest."""
        self.check_schema(schema)
        archive = ZipStream()
        stems = FileNames()
        manifest = io.BytesIO()
        for task in tasks:
            annotation = task.annotations[-1] if task.annotations else None
            results = annotation.results if annotation else {}
            pages, regions, fields, relations = self._parts(task, schema, results)
            stem = stems.stem(task, pages[0]["image"] if pages else None)
            numbers = {r["id"]: n for n, r in enumerate(regions)}
            texts = {f["region"]: f["value"] for f in fields if f.get("region")}
            for page in pages:
                form = [
                    _form_item(numbers, r, texts, relations)
                    for r in regions
                    if r["page"] == page["page"]
                ]
                body = orjson.dumps({"form": form}, option=orjson.OPT_INDENT_2)
                yield archive.add(f"{stem}_p{page['page']}.json", body)
            manifest.write(manifest_line(task, stem))
        yield archive.add(MANIFEST, manifest.getvalue())
        yield archive.close()


def _form_item(
    numbers: Mapping[str, int],
    region: Mapping[str, Any],
    texts: Mapping[str, str],
    relations: list[dict[str, Any]],
) -> dict[str, Any]:
    linking = [
        [numbers[r["from"]], numbers[r["to"]]]
        for r in relations
        if region["id"] in (r["from"], r["to"]) and r["from"] in numbers and r["to"] in numbers
    ]
    x, y = region["x"], region["y"]
    return {
        "id": numbers[region["id"]],
        "box": [x, y, x + region["w"], y + region["h"]],
        "text": texts.get(region["id"], ""),
        "label": region["label"],
        "words": [],
        "linking": linking,
    }
