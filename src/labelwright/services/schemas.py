"""Loading a project's labeling schema (parsed once per distinct version body)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import orjson
from sqlalchemy.orm import Session

from labelwright.domain import LabelingSchema, parse_schema
from labelwright.errors import NotFound
from labelwright.store.models import Project
from labelwright.store.repositories import projects as project_repo


@lru_cache(maxsize=256)
def _parse_cached(body: bytes) -> LabelingSchema:
    return parse_schema(orjson.loads(body))


def parse_stored(body: dict[str, Any]) -> LabelingSchema:
    return _parse_cached(orjson.dumps(body, option=orjson.OPT_SORT_KEYS))


@lru_cache(maxsize=64)
def parse_source(source: str) -> LabelingSchema:
    """Parse schema text (YAML or JSON) as typed in the editor; `Invalid` lists the problems."""
    return parse_schema(source)


def schema_body(session: Session, project: Project, version: int | None = None) -> dict[str, Any]:
    row = project_repo.get_schema_version(session, project.id, version or project.schema_version)
    if row is None:
        raise NotFound(f"Project {project.id} has no schema version {version}.")
    return row.body


_CURRENT: dict[tuple[int, int, Any], LabelingSchema] = {}
_CURRENT_MAX = 1024


def current_schema(session: Session, project: Project) -> LabelingSchema:
    """The project's schema in force. Schema versions never change once stored, so the parse
    is kept per (project, version, project creation time) and the hot paths skip the read."""
    key = (project.id, project.schema_version, project.created_at)
    schema = _CURRENT.get(key)
    if schema is None:
        schema = parse_stored(schema_body(session, project))
        if len(_CURRENT) >= _CURRENT_MAX:
            _CURRENT.clear()
        _CURRENT[key] = schema
    return schema
