"""Annotations and predictions."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from labelwright.api.bodies import spool_body
from labelwright.api.deps import CurrentActor, PlatformDep, SessionDep
from labelwright.api.problems import problem_responses
from labelwright.api.routes import API_PREFIX
from labelwright.api.routes.tasks import import_out
from labelwright.formats.task_rows import format_for_content_type
from labelwright.schemas.tasks import AnnotationIn, AnnotationOut, ImportOut, PredictionOut
from labelwright.services import annotations, predictions
from labelwright.services.imports import ImportResult, OnError

router = APIRouter(prefix=API_PREFIX, tags=["annotations"])


@router.post(
    "/tasks/{task_id}/annotations",
    response_model=AnnotationOut,
    status_code=201,
    responses=problem_responses(401, 403, 404, 409, 422),
)
def create_annotation(
    task_id: int, body: AnnotationIn, actor: CurrentActor, session: SessionDep
) -> AnnotationOut:
    """Submit `{"results": {control: value}}`; `parent_id` makes it a correction of that one."""
    annotation = annotations.create_annotation(
        session,
        actor,
        task_id,
        results=body.results,
        lead_time_ms=body.lead_time_ms,
        parent_id=body.parent_id,
        prediction_id=body.prediction_id,
    )
    return AnnotationOut.model_validate(annotation)


@router.get(
    "/tasks/{task_id}/annotations",
    response_model=list[AnnotationOut],
    responses=problem_responses(401, 404),
)
def list_annotations(task_id: int, actor: CurrentActor, session: SessionDep) -> list[AnnotationOut]:
    """The task's annotations you may see (annotators: their own)."""
    return [
        AnnotationOut.model_validate(a)
        for a in annotations.list_annotations(session, actor, task_id)
    ]


@router.get(
    "/annotations/{annotation_id}",
    response_model=AnnotationOut,
    responses=problem_responses(401, 404),
)
def get_annotation(annotation_id: int, actor: CurrentActor, session: SessionDep) -> AnnotationOut:
    """One annotation with its lineage fields."""
    return AnnotationOut.model_validate(annotations.get_annotation(session, actor, annotation_id))


@router.delete(
    "/annotations/{annotation_id}", status_code=204, responses=problem_responses(401, 403, 404, 409)
)
def delete_annotation(annotation_id: int, actor: CurrentActor, session: SessionDep) -> Response:
    """Tombstone an annotation (the row stays, marked deleted; audited)."""
    annotations.delete_annotation(session, actor, annotation_id)
    return Response(status_code=204)


@router.post(
    "/projects/{project_id}/predictions",
    response_model=ImportOut,
    status_code=201,
    responses=problem_responses(401, 403, 404, 413, 422),
)
async def import_predictions(
    project_id: int,
    request: Request,
    actor: CurrentActor,
    platform: PlatformDep,
    on_error: OnError = OnError.ABORT,
) -> ImportOut:
    """Bulk import suggestions, JSONL: `{"task_id", "results", "score"?, "origin"?}` per line."""
    content_type = request.headers.get("content-type") or "application/x-ndjson"
    fmt = format_for_content_type(content_type)
    body = await spool_body(request, platform.settings.max_upload_mb * 1024 * 1024)

    def run() -> ImportResult:
        with body, platform.db.session() as session:
            return predictions.import_predictions(
                session, actor, project_id, body, fmt=fmt, on_error=on_error
            )

    return import_out(await run_in_threadpool(run))


@router.get(
    "/tasks/{task_id}/predictions",
    response_model=list[PredictionOut],
    responses=problem_responses(401, 404),
)
def list_predictions(task_id: int, actor: CurrentActor, session: SessionDep) -> list[PredictionOut]:
    """The task's suggestions with their scores and origins."""
    return [
        PredictionOut.model_validate(p)
        for p in predictions.list_predictions(session, actor, task_id)
    ]
