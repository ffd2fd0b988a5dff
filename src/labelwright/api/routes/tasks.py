"""Tasks: streamed bulk import, listing with filters, read, delete."""

from __future__ import annotations

from typing import Annotated, BinaryIO

from fastapi import APIRouter, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from labelwright.api.bodies import run_piped, spool_body
from labelwright.api.deps import CurrentActor, PlatformDep, SessionDep, cursor_after, next_cursor
from labelwright.api.problems import problem_responses
from labelwright.api.routes import API_PREFIX
from labelwright.formats.task_rows import RowFormat, format_for_content_type
from labelwright.schemas.common import Page
from labelwright.schemas.tasks import ImportOut, RejectedRow, TaskOut
from labelwright.services import imports, jobs, tasks
from labelwright.services.imports import ImportResult, OnError
from labelwright.services.tasks import TaskFilter

router = APIRouter(prefix=API_PREFIX, tags=["tasks"])


def import_out(result: ImportResult) -> ImportOut:
    return ImportOut(
        created=result.created,
        rejected=[RejectedRow(line=r.line, error=r.error) for r in result.rejected],
        rejected_count=result.rejected_count,
        first_id=result.first_id,
        last_id=result.last_id,
        job_id=result.job_id,
    )


@router.post(
    "/projects/{project_id}/tasks",
    response_model=ImportOut,
    status_code=201,
    responses=problem_responses(401, 403, 404, 413, 422),
    openapi_extra={
        "requestBody": {
            "content": {
                "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
                "application/x-ndjson": {"schema": {"type": "string"}},
                "text/csv": {"schema": {"type": "string"}},
                "application/zip": {"schema": {"type": "string", "format": "binary"}},
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
            }
        }
    },
)
async def import_tasks(
    project_id: int,
    request: Request,
    actor: CurrentActor,
    platform: PlatformDep,
    on_error: OnError = OnError.ABORT,
    format: Annotated[
        str | None,
        Query(description="A registered import format (coco, yolo-detect, label-studio, ...)."),
    ] = None,
) -> ImportOut:
    """Import tasks from a JSON array, JSONL or CSV body, or a file in `?format=`, streamed.

    Each row is `{"data", "meta"?, "predictions"?, "annotations"?, "priority"?}` or a bare
    data object. With `format`, the body is that format's file (a zip for multi-file formats
    such as YOLO, VOC or subtitles) and the content type is not consulted. `on_error=abort`
    (default) stores nothing if any row is bad; `skip` stores the good rows. The answer lists
    `created` and `rejected: [{line, error}]`.
    """
    fmt: RowFormat | str = (
        format if format else format_for_content_type(request.headers.get("content-type"))
    )
    max_bytes = platform.settings.max_upload_mb * 1024 * 1024
    tracker = await run_in_threadpool(
        jobs.JobTracker.start, platform, actor, kind="import", project_id=project_id
    )

    def run(body: BinaryIO) -> ImportResult:
        with body:
            return imports.import_tasks_as_job(
                platform, actor, project_id, body, fmt=fmt, on_error=on_error, tracker=tracker
            )

    if isinstance(fmt, RowFormat):  # rows are read in order: store them while they arrive
        return import_out(await run_piped(request, max_bytes, run))
    spooled = await spool_body(request, max_bytes)  # importers of files may seek (zip)
    return import_out(await run_in_threadpool(run, spooled))


@router.get(
    "/projects/{project_id}/tasks",
    response_model=Page[TaskOut],
    responses=problem_responses(401, 404, 422),
)
def list_tasks(
    project_id: int,
    request: Request,
    actor: CurrentActor,
    session: SessionDep,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    state: str | None = None,
    annotated: bool | None = None,
    q: Annotated[str | None, Query(description="Text search in the task data")] = None,
    annotator: Annotated[
        int | None, Query(description="User id: tasks with a live annotation by this user")
    ] = None,
    label: Annotated[
        str | None, Query(description="Tasks with a live annotation carrying this label")
    ] = None,
    control: Annotated[str | None, Query(description="Look for `label` in this control")] = None,
) -> Page[TaskOut]:
    """Tasks in import order; filters: `state`, `annotated`, `meta.<key>=value`, `q`,
    `annotator`, `label` (and `control`). With both `annotator` and `label`, one annotation by
    that user must carry the label."""
    meta = tuple(
        (key[5:], value)
        for key, value in request.query_params.multi_items()
        if key.startswith("meta.")
    )
    where = TaskFilter(
        state=state,
        annotated=annotated,
        meta=meta,
        search=q,
        annotator_id=annotator,
        label=label,
        control=control,
    )
    rows = tasks.list_tasks(
        session, actor, project_id, where, after=cursor_after(cursor), limit=limit
    )
    return Page(
        items=[TaskOut.model_validate(t) for t in rows],
        next_cursor=next_cursor([t.id for t in rows], limit),
    )


@router.get("/tasks/{task_id}", response_model=TaskOut, responses=problem_responses(401, 404))
def get_task(task_id: int, actor: CurrentActor, session: SessionDep) -> TaskOut:
    """One task."""
    return TaskOut.model_validate(tasks.get_task(session, actor, task_id))


@router.delete("/tasks/{task_id}", status_code=204, responses=problem_responses(401, 403, 404, 409))
def delete_task(task_id: int, actor: CurrentActor, session: SessionDep) -> Response:
    """Delete a task with its annotations and predictions (managers)."""
    tasks.delete_task(session, actor, task_id)
    return Response(status_code=204)
