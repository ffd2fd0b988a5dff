"""Projects, schema and guideline versions, members on the wire."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ProjectCreate(BaseModel):
    name: str
    schema_: dict[str, Any] | str = Field(alias="schema")
    guidelines: str = ""
    workflow: dict[str, Any] | None = None
    description: str = ""

    model_config = ConfigDict(populate_by_name=True)


class ProjectUpdate(BaseModel):
    name: str | None = None
    description: str | None = None
    workflow: dict[str, Any] | None = None


class ProjectOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    id: int
    name: str
    description: str
    schema_: dict[str, Any] = Field(alias="schema", serialization_alias="schema")
    schema_version: int
    guidelines: str
    guideline_version: int
    workflow: dict[str, Any]
    role: str | None
    created_at: datetime
    task_count: int | None = None
    annotation_count: int | None = None


class SchemaUpdate(BaseModel):
    """A new schema version; `migrations` rewrite annotations that the change would orphan."""

    schema_: dict[str, Any] | str = Field(alias="schema")
    migrations: list[dict[str, Any]] = []

    model_config = ConfigDict(populate_by_name=True)


class SchemaUpdateOut(BaseModel):
    version: int
    migrated_annotations: int
    migrated_predictions: int


class GuidelinesUpdate(BaseModel):
    text: str
    changelog: str = Field(default="", max_length=2000)


class VersionOut(BaseModel):
    version: int


class MemberIn(BaseModel):
    user_id: int
    role: str


class MemberOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    project_id: int
    user_id: int
    role: str
