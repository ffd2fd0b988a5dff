"""PDF pages to page images and text layers with `pypdfium2`, one page at a time.

Only one page (its bitmap, its PNG bytes and its text layer) is in memory at any moment; each
page image goes to the blob store as soon as it is encoded. The text layer is in page-image
pixels: words (split at white space) and lines (what PDFium puts on one line, split again where a
horizontal gap wider than about two character heights separates two columns).

A PDF that PDFium cannot open, that is encrypted, that has no pages or more than `MAX_PAGES`
raises `Invalid` naming the reason. Nothing here touches the database: the caller records the
blobs as media only once the whole document has been rendered.
"""

from __future__ import annotations

import ctypes
import io
import statistics
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

import orjson

from labelwright.errors import Invalid
from labelwright.store.blobs import BlobStore

DPI = 144
MAX_SIDE = 2400  # pixels: a poster-sized page is rendered smaller than DPI would make it
MAX_PAGES = 500
PDF_MAGIC = b"%PDF-"
PAGE_MIME = "image/png"
TEXT_LAYER_MIME = "application/vnd.labelwright.text-layer+json"
_COLUMN_GAP = 2.0  # in character heights: a wider gap between words starts a new line segment


def renderer_version() -> str:
    """`pdfium@<pypdfium2 version>`, recorded with each rendered document."""
    return f"pdfium@{version('pypdfium2')}"


@dataclass(frozen=True)
class Word:
    """A piece of text with its box in page-image pixels."""

    text: str
    x: int
    y: int
    w: int
    h: int
    size: float = 0.0  # font size in points (0 when unknown)

    def as_json(self) -> dict[str, Any]:
        return {"text": self.text, "x": self.x, "y": self.y, "w": self.w, "h": self.h}


@dataclass(frozen=True)
class TextLayer:
    """A page's text: `words` and `lines` (each line's words joined by spaces)."""

    width: int
    height: int
    words: tuple[Word, ...] = ()
    lines: tuple[Word, ...] = ()

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)

    def to_json(self) -> bytes:
        return orjson.dumps(
            {
                "width": self.width,
                "height": self.height,
                "words": [w.as_json() for w in self.words],
                "lines": [line.as_json() | {"size": line.size} for line in self.lines],
            }
        )

    @classmethod
    def from_json(cls, raw: bytes) -> TextLayer:
        data = orjson.loads(raw)

        def word(item: dict[str, Any]) -> Word:
            return Word(
                str(item["text"]),
                int(item["x"]),
                int(item["y"]),
                int(item["w"]),
                int(item["h"]),
                float(item.get("size") or 0.0),
            )

        return cls(
            width=int(data["width"]),
            height=int(data["height"]),
            words=tuple(word(w) for w in data.get("words", ())),
            lines=tuple(word(w) for w in data.get("lines", ())),
        )


@dataclass(frozen=True)
class RenderedPage:
    """One rendered page: its image blob, its size and its text layer blob (None: no text)."""

    image_sha256: str
    image_size: int
    width: int
    height: int
    text_layer_sha256: str | None = None
    text_layer_size: int = 0
    text: str | None = None


@dataclass
class RenderedDocument:
    pages: list[RenderedPage] = field(default_factory=list)
    renderer: str = ""


def is_pdf(blobs: BlobStore, sha256: str) -> bool:
    """Whether the stored blob starts like a PDF file."""
    with blobs.open(sha256) as handle:
        return handle.read(len(PDF_MAGIC)) == PDF_MAGIC


def render_pdf(blobs: BlobStore, sha256: str, *, what: str = "document") -> RenderedDocument:
    """Render every page of the stored PDF to PNG blobs and text-layer blobs (see module doc)."""
    import pypdfium2 as pdfium

    path = blobs.path(sha256)
    source: Any = path if path is not None else blobs.open(sha256)
    try:
        pdf = pdfium.PdfDocument(source)
    except pdfium.PdfiumError as exc:
        raise Invalid(
            f"The {what} media:{sha256} is not a readable PDF ({_reason(exc)}).",
            errors=[{"media": sha256, "reason": f"not a readable PDF: {_reason(exc)}"}],
        ) from None
    try:
        count = len(pdf)
        if count == 0:
            raise Invalid(f"The {what} media:{sha256} is a PDF without pages.")
        if count > MAX_PAGES:
            raise Invalid(
                f"The {what} media:{sha256} has {count} pages; at most {MAX_PAGES} are rendered. "
                "Split the PDF into smaller documents."
            )
        document = RenderedDocument(renderer=renderer_version())
        for index in range(count):
            try:
                document.pages.append(_render_page(pdfium, blobs, pdf, index))
            except pdfium.PdfiumError as exc:
                raise Invalid(
                    f"Page {index} of the {what} media:{sha256} cannot be rendered "
                    f"({_reason(exc)})."
                ) from None
        return document
    finally:
        pdf.close()
        if not isinstance(source, Path):
            source.close()


def _reason(exc: Exception) -> str:
    return str(exc).strip().rstrip(".")


def _render_page(pdfium: Any, blobs: BlobStore, pdf: Any, index: int) -> RenderedPage:
    page = pdf[index]
    try:
        width_pt, height_pt = page.get_size()
        scale = min(DPI / 72, MAX_SIDE / max(width_pt, height_pt, 1.0))
        bitmap = page.render(scale=scale)
        image = bitmap.to_pil()
        width, height = image.width, image.height
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", optimize=False)
        del image
        bitmap.close()
        stored = blobs.put_stream(iter([buffer.getvalue()]))
        del buffer
        layer = _text_layer(pdfium, page, width, height)
    finally:
        page.close()
    if not layer.words:
        return RenderedPage(stored.sha256, stored.size, width, height)
    text_blob = blobs.put_stream(iter([layer.to_json()]))
    return RenderedPage(
        stored.sha256, stored.size, width, height, text_blob.sha256, text_blob.size, layer.text
    )


def _text_layer(pdfium: Any, page: Any, width: int, height: int) -> TextLayer:
    raw = pdfium.raw
    textpage = page.get_textpage()
    try:
        count = textpage.count_chars()
        chars: list[tuple[str, tuple[int, int, int, int] | None, float]] = []
        for i in range(count):
            code = raw.FPDFText_GetUnicode(textpage.raw, i)
            char = chr(code) if 0 < code < 0x110000 else " "
            box = None
            if not char.isspace():
                left, bottom, right, top = textpage.get_charbox(i)
                box = _to_device(raw, page, width, height, left, bottom, right, top)
            chars.append((char, box, float(raw.FPDFText_GetFontSize(textpage.raw, i))))
    finally:
        textpage.close()
    lines = _group_lines(chars)
    words = tuple(w for line in lines for w in line)
    segments = tuple(seg for line in lines for seg in _segments(line))
    return TextLayer(width=width, height=height, words=words, lines=segments)


def _to_device(
    raw: Any, page: Any, width: int, height: int, *box: float
) -> tuple[int, int, int, int]:
    left, bottom, right, top = box
    xs, ys = [], []
    for px, py in ((left, top), (right, bottom)):
        dx, dy = ctypes.c_int(), ctypes.c_int()
        raw.FPDF_PageToDevice(page.raw, 0, 0, width, height, 0, px, py, dx, dy)
        xs.append(dx.value)
        ys.append(dy.value)
    x0, x1 = max(0, min(xs)), min(width, max(xs))
    y0, y1 = max(0, min(ys)), min(height, max(ys))
    return x0, y0, x1, y1


def _group_lines(
    chars: list[tuple[str, tuple[int, int, int, int] | None, float]],
) -> list[list[Word]]:
    """Words per line, in PDFium's reading order."""
    lines: list[list[Word]] = [[]]
    current: list[tuple[str, tuple[int, int, int, int], float]] = []

    def end_word() -> None:
        if current:
            lines[-1].append(_merge(current))
            current.clear()

    for char, box, size in chars:
        if char in "\r\n":
            end_word()
            if lines[-1]:
                lines.append([])
        elif box is None:
            end_word()
        else:
            current.append((char, box, size))
    end_word()
    return [line for line in lines if line]


def _merge(chars: list[tuple[str, tuple[int, int, int, int], float]]) -> Word:
    x0 = min(b[0] for _, b, _ in chars)
    y0 = min(b[1] for _, b, _ in chars)
    x1 = max(b[2] for _, b, _ in chars)
    y1 = max(b[3] for _, b, _ in chars)
    size = max(s for _, _, s in chars)
    return Word("".join(c for c, _, _ in chars), x0, y0, max(1, x1 - x0), max(1, y1 - y0), size)


def _segments(words: list[Word]) -> Iterator[Word]:
    """The line's words joined, split where a wide gap separates columns."""
    height = statistics.median(w.h for w in words)
    group = [words[0]]
    for word in words[1:]:
        previous = group[-1]
        if word.x - (previous.x + previous.w) > _COLUMN_GAP * height or word.x < previous.x:
            yield _join(group)
            group = [word]
        else:
            group.append(word)
    yield _join(group)


def _join(words: list[Word]) -> Word:
    x0 = min(w.x for w in words)
    y0 = min(w.y for w in words)
    x1 = max(w.x + w.w for w in words)
    y1 = max(w.y + w.h for w in words)
    size = max(w.size for w in words)
    return Word(" ".join(w.text for w in words), x0, y0, x1 - x0, y1 - y0, size)
