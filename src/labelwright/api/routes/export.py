"""Streaming export."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from labelwright.api.deps import CurrentActor, PlatformDep, SessionDep
from labelwright.api.problems import problem_responses
from labelwright.services import export
from labelwright.services.export import ExportFormat

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
    format: ExportFormat = ExportFormat.JSONL,
) -> StreamingResponse:
    """Every task with its annotations (lineage fields included) and predictions, streamed."""
    export.check_export(session, actor, project_id)
    session.close()
    return StreamingResponse(
        export.stream_export(platform, actor, project_id, format),
        media_type=export.MEDIA_TYPES[format],
        headers={
            "Content-Disposition": f'attachment; filename="project-{project_id}.{format.value}"'
        },
    )
