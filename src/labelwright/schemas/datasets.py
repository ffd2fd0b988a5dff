"""Dataset versions on the wire: create, read, diff."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class DatasetVersionCreate(BaseModel):
    """A new version of the project's final labels; `note` says what it is for."""

    note: str = Field(default="", max_length=2000)


class DatasetVersionOut(BaseModel):
    """An immutable snapshot: the final annotation of `task_count` tasks, and its content hash
    (see docs/formats.md, "Dataset versions")."""

    model_config = ConfigDict(from_attributes=True)

    version: int
    project_id: int
    task_count: int
    content_sha256: str
    note: str
    created_by: int | None = None
    created_at: datetime


class DatasetVersionCheckOut(BaseModel):
    """A version's stored content hash against the one recomputed now."""

    version: int
    task_count: int
    content_sha256: str
    recomputed_sha256: str
    intact: bool


class DatasetDiffOut(BaseModel):
    """Task counts from version `base` to version `target`."""

    model_config = ConfigDict(from_attributes=True)

    base: int
    target: int
    added: int
    removed: int
    changed: int
    unchanged: int


class DatasetDiffItemOut(BaseModel):
    """One line of the streamed diff: a task added, removed or with another final annotation."""

    task_id: int
    change: Literal["added", "removed", "changed"]
    base_annotation_id: int | None = None
    target_annotation_id: int | None = None
