"""Streaming export in every registered format."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from labelwright.api.deps import CurrentActor, PlatformDep, SessionDep
from labelwright.api.problems import problem_responses
from labelwright.formats import Selection
from labelwright.services import export

router = APIRouter(tags=["export"])


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
        datetime | None,
        Query(description="Only tasks created, annotated or un-annotated at or after this time."),
    ] = None,
) -> StreamingResponse:
    """The project's tasks in the chosen format, streamed (JSONL: annotations with lineage)."""
    plan = export.check_export(
        session, actor, project_id, fmt=format, selection=annotations, since=since
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
