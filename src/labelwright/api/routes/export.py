"""Streaming export in every registered format."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse
from pydantic import TypeAdapter, ValidationError

from labelwright.api.deps import CurrentActor, PlatformDep, SessionDep
from labelwright.api.problems import problem_responses
from labelwright.api.routes import API_PREFIX
from labelwright.errors import Invalid
from labelwright.formats import Selection
from labelwright.services import export

router = APIRouter(prefix=API_PREFIX, tags=["export"])
_VERSION = re.compile(r"^v?(\d{1,9})$")
_TIME: TypeAdapter[datetime] = TypeAdapter(datetime)


@router.get(
    "/projects/{project_id}/export",
    response_class=StreamingResponse,
    responses=problem_responses(401, 403, 404, 422),
)
def export_project(
    project_id: int,
    actor: CurrentActor,
    platform: PlatformDep,
    session: SessionDep,
    format: Annotated[
        str, Query(description="A registered export format: `name` or `name@version`.")
    ] = "jsonl",
    annotations: Annotated[
        Selection | None,
        Query(description="final, all or history; the format's default when omitted."),
    ] = None,
    since: Annotated[
        str | None,
        Query(
            description="An ISO 8601 time: only tasks created, annotated or un-annotated at or "
            "after it; or a dataset version (`3` or `v3`): only tasks whose final annotation "
            "differs from the one in that version."
        ),
    ] = None,
    version: Annotated[
        int | None,
        Query(ge=1, description="Export this dataset version (its final annotations)."),
    ] = None,
) -> StreamingResponse:
    """The project's tasks in the chosen format, streamed (JSONL: annotations with lineage)."""
    since_time, since_version = _since(since)
    plan = export.check_export(
        session,
        actor,
        project_id,
        fmt=format,
        selection=annotations,
        since=since_time,
        version=version,
        since_version=since_version,
    )
    session.close()
    return StreamingResponse(
        export.stream_export(platform, actor, project_id, plan),
        media_type=plan.exporter.media_type,
        headers={
            "Content-Disposition": (
                f'attachment; filename="project-{project_id}.{plan.filename_suffix}"'
            )
        },
    )


def _since(value: str | None) -> tuple[datetime | None, int | None]:
    """`since` as a time or as a dataset version number."""
    if value is None or not value.strip():
        return None, None
    matched = _VERSION.match(value.strip())
    if matched:
        return None, int(matched.group(1))
    try:
        return _TIME.validate_python(value.strip()), None
    except ValidationError:
        raise Invalid(
            f"'since' must be an ISO 8601 time or a dataset version (3 or v3), got '{value}'.",
            errors=[{"loc": ["query", "since"], "msg": "a time or a dataset version"}],
        ) from None
