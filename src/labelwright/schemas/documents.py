"""Wire models of documents: rendered pages for the workbench, region suggestion jobs."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from labelwright.schemas.jobs import JobOut as JobOut  # the suggestion job's wire model


class DocumentPageOut(BaseModel):
    """One page: its image (signed URL), size in pixels and text layer (signed URL) if any."""

    model_config = ConfigDict(from_attributes=True)

    index: int
    image: str | None = Field(None, description="The page image reference from the task data.")
    url: str | None = Field(None, description="A short-lived URL of the page image, for you.")
    width: int | None = None
    height: int | None = None
    text_layer_url: str | None = Field(
        None,
        description="A short-lived URL of the page's text layer JSON: "
        '`{"width", "height", "words": [{"text", "x", "y", "w", "h"}], "lines": [...]}` '
        "in page-image pixels.",
    )
    has_text: bool = False


class DocumentOut(BaseModel):
    """A document object of a task with its pages (a PDF is rendered on first request)."""

    model_config = ConfigDict(from_attributes=True)

    name: str
    src: str | None = None
    renderer: str | None = None
    pages: list[DocumentPageOut]


class DocumentSuggestRequest(BaseModel):
    """Which regions control to fill, from which engine, with which label for plain lines."""

    model_config = ConfigDict(extra="forbid")

    control: str | None = Field(None, description="A regions control; default: the first one.")
    engine: Literal["auto", "text-layer", "rapidocr"] = Field(
        "auto",
        description="`text-layer`: the PDF's own text; `rapidocr`: offline OCR of every page; "
        "`auto`: the text layer where a page has one, OCR (when installed) elsewhere.",
    )
    label: str | None = Field(
        None, description="Label of plain text lines; default: text, line or paragraph."
    )
