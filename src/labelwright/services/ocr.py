"""OCR engines that run offline here, behind one small protocol.

`rapidocr` (package `rapidocr-onnxruntime`, the `ocr` extra) ships its detection and recognition
models inside its wheel, so nothing is downloaded at run time. An engine reads one page image
and returns text lines with boxes in that image's pixels and a confidence in 0..1.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from typing import Any, Protocol

from labelwright.errors import Invalid


@dataclass(frozen=True)
class OcrLine:
    """One recognized line: text, axis-aligned box in image pixels, confidence 0..1."""

    text: str
    x: int
    y: int
    w: int
    h: int
    score: float


class OcrEngine(Protocol):
    name: str

    @property
    def origin(self) -> str:
        """`model:<name>@<version>`, the origin of the suggestions it makes."""
        ...

    def read(self, image: Any) -> list[OcrLine]:
        """The text lines of a Pillow image, in reading order (top to bottom, left to right)."""
        ...


class RapidOcrEngine:
    """PP-OCR models on ONNX Runtime through `rapidocr-onnxruntime` (Apache-2.0)."""

    name = "rapidocr"
    _package = "rapidocr-onnxruntime"

    def __init__(self) -> None:
        self._engine: Any = None

    @property
    def origin(self) -> str:
        return f"model:{self.name}@{version(self._package)}"

    def read(self, image: Any) -> list[OcrLine]:
        import numpy as np

        if self._engine is None:
            from rapidocr_onnxruntime import RapidOCR

            self._engine = RapidOCR()
        found, _ = self._engine(np.asarray(image.convert("RGB")))
        lines = []
        for polygon, text, score in found or ():
            xs = [float(p[0]) for p in polygon]
            ys = [float(p[1]) for p in polygon]
            x0, y0 = max(0, int(min(xs))), max(0, int(min(ys)))
            x1 = min(image.width, round(max(xs)))
            y1 = min(image.height, round(max(ys)))
            if x1 <= x0 or y1 <= y0 or not str(text).strip():
                continue
            lines.append(OcrLine(str(text), x0, y0, x1 - x0, y1 - y0, float(score)))
        lines.sort(key=lambda line: (round(line.y / max(line.h, 1)), line.x))
        return lines


_ENGINES: dict[str, type[RapidOcrEngine]] = {"rapidocr": RapidOcrEngine}
_PACKAGES = {"rapidocr": "rapidocr-onnxruntime"}
_cache: dict[str, OcrEngine] = {}


def is_engine_available(name: str) -> bool:
    """Whether the engine's package is installed."""
    try:
        version(_PACKAGES[name])
    except (KeyError, PackageNotFoundError):
        return False
    return True


def get_ocr_engine(name: str) -> OcrEngine:
    """The named engine (one instance per process: loading the models takes a moment)."""
    if name not in _ENGINES:
        raise Invalid(f"Unknown OCR engine '{name}'; known engines: {', '.join(sorted(_ENGINES))}.")
    if not is_engine_available(name):
        raise Invalid(
            f"The OCR engine '{name}' is not installed; install it with "
            f"`pip install 'labelwright[ocr]'` (package {_PACKAGES[name]})."
        )
    if name not in _cache:
        _cache[name] = _ENGINES[name]()
    return _cache[name]
