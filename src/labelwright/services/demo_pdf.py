"""A minimal PDF writer for the demo documents: text with a real text layer, lines, images.

Pages are drawn with coordinates in PDF points from the page's top-left corner (y grows down),
the same orientation as the rendered page images. Text uses the standard Helvetica fonts
(WinAnsi, Latin-1 characters), which every PDF reader has, so nothing is embedded and the text
stays extractable (that is the point: the demo's suggestions come from this text layer). An image
is embedded as JPEG (`DCTDecode`): a page that only holds an image is a "scan" without text.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

FONTS = {"regular": "Helvetica", "bold": "Helvetica-Bold"}
_FONT_KEYS = {"regular": "F1", "bold": "F2"}


def _escape(text: str) -> str:
    raw = text.encode("latin-1", errors="replace").decode("latin-1")
    return raw.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _num(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


@dataclass
class PdfPage:
    """One page being drawn; `width`/`height` in points (612 x 792 is US Letter)."""

    width: float = 612.0
    height: float = 792.0
    _ops: list[str] = field(default_factory=list)
    _images: list[tuple[bytes, int, int]] = field(default_factory=list)

    def text(
        self, x: float, top: float, text: str, *, size: float = 11, bold: bool = False
    ) -> None:
        """Write one line of text whose em box starts `top` points below the page top."""
        baseline = self.height - top - size * 0.8
        font = _FONT_KEYS["bold" if bold else "regular"]
        self._ops.append(
            f"BT /{font} {_num(size)} Tf {_num(x)} {_num(baseline)} Td ({_escape(text)}) Tj ET"
        )

    def rect(
        self,
        x: float,
        top: float,
        w: float,
        h: float,
        *,
        fill: tuple[float, float, float] | None = None,
        stroke: bool = True,
        line_width: float = 0.8,
    ) -> None:
        """A rectangle (colors as 0..1 RGB)."""
        ops = [f"{_num(line_width)} w"]
        if fill is not None:
            ops.append(" ".join(_num(c) for c in fill) + " rg")
        ops.append(f"{_num(x)} {_num(self.height - top - h)} {_num(w)} {_num(h)} re")
        ops.append("B" if fill is not None and stroke else ("f" if fill is not None else "S"))
        self._ops.append("q " + " ".join(ops) + " Q")

    def line(self, x1: float, top1: float, x2: float, top2: float, *, width: float = 0.8) -> None:
        """A straight line."""
        self._ops.append(
            f"q {_num(width)} w {_num(x1)} {_num(self.height - top1)} m "
            f"{_num(x2)} {_num(self.height - top2)} l S Q"
        )

    def polyline(self, points: list[tuple[float, float]], *, width: float = 1.2) -> None:
        """Connected line segments (e.g. a signature stroke)."""
        if len(points) < 2:
            return
        x0, t0 = points[0]
        path = [f"{_num(x0)} {_num(self.height - t0)} m"]
        path += [f"{_num(x)} {_num(self.height - t)} l" for x, t in points[1:]]
        self._ops.append(f"q {_num(width)} w 1 J 1 j " + " ".join(path) + " S Q")

    def image(self, picture: Any, x: float, top: float, w: float, h: float) -> None:
        """Place a Pillow image (stored as JPEG) in the box."""
        buffer = io.BytesIO()
        picture.convert("RGB").save(buffer, format="JPEG", quality=88)
        name = f"Im{len(self._images)}"
        self._images.append((buffer.getvalue(), picture.width, picture.height))
        self._ops.append(
            f"q {_num(w)} 0 0 {_num(h)} {_num(x)} {_num(self.height - top - h)} cm /{name} Do Q"
        )


def write_pdf(pages: list[PdfPage]) -> bytes:
    """The PDF file of these pages (PDF 1.4, uncompressed content streams)."""
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    catalog = add(b"")  # filled in below, once the pages object number is known
    pages_ref = add(b"")
    fonts = {
        key: add(
            f"<< /Type /Font /Subtype /Type1 /BaseFont /{FONTS[name]} "
            "/Encoding /WinAnsiEncoding >>".encode()
        )
        for name, key in _FONT_KEYS.items()
    }
    font_dict = " ".join(f"/{key} {ref} 0 R" for key, ref in fonts.items())
    kids = []
    for page in pages:
        images = []
        for index, (jpeg, width, height) in enumerate(page._images):
            head = (
                f"<< /Type /XObject /Subtype /Image /Width {width} /Height {height} "
                f"/ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode "
                f"/Length {len(jpeg)} >>\nstream\n"
            ).encode()
            ref = add(head + jpeg + b"\nendstream")
            images.append(f"/Im{index} {ref} 0 R")
        content = "\n".join(page._ops).encode("latin-1")
        stream = add(f"<< /Length {len(content)} >>\nstream\n".encode() + content + b"\nendstream")
        xobjects = f" /XObject << {' '.join(images)} >>" if images else ""
        kids.append(
            add(
                f"<< /Type /Page /Parent {pages_ref} 0 R "
                f"/MediaBox [0 0 {_num(page.width)} {_num(page.height)}] "
                f"/Resources << /Font << {font_dict} >>{xobjects} >> "
                f"/Contents {stream} 0 R >>".encode()
            )
        )
    objects[catalog - 1] = f"<< /Type /Catalog /Pages {pages_ref} 0 R >>".encode()
    kid_refs = " ".join(f"{k} 0 R" for k in kids)
    objects[pages_ref - 1] = f"<< /Type /Pages /Kids [{kid_refs}] /Count {len(kids)} >>".encode()
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(
        f"trailer\n<< /Size {len(objects) + 1} /Root {catalog} 0 R >>\n"
        f"startxref\n{xref}\n%%EOF\n".encode()
    )
    return out.getvalue()
