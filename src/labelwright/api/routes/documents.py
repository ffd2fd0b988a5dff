"""Documents: rendered pages of a task's document, region suggestions (text layer / OCR)."""

from __future__ import annotations

from fastapi import APIRouter, BackgroundTasks

from labelwright.api.deps import CurrentActor, PlatformDep, SessionDep
from labelwright.api.problems import problem_responses
from labelwright.api.routes import API_PREFIX
from labelwright.schemas.documents import DocumentOut, DocumentSuggestRequest, JobOut
from labelwright.services import document_suggestions, documents

router = APIRouter(prefix=API_PREFIX, tags=["documents"])


@router.get(
    "/tasks/{task_id}/documents/{name}",
    response_model=DocumentOut,
    responses=problem_responses(401, 404, 422),
)
def get_document(
    task_id: int, name: str, actor: CurrentActor, platform: PlatformDep, session: SessionDep
) -> DocumentOut:
    """The pages of the task's document object `name`: signed image URLs, sizes, text layers.

    A PDF is rendered to page images (and its text layer extracted) on the first request; a
    PDF that cannot be read answers 422 naming the reason and changes nothing.
    """
    view = documents.get_document(platform, session, actor, task_id, name)
    return DocumentOut.model_validate(view)


@router.post(
    "/projects/{project_id}/documents/suggestions",
    response_model=JobOut,
    status_code=202,
    responses=problem_responses(401, 403, 404, 422),
)
def suggest_regions(
    project_id: int,
    body: DocumentSuggestRequest,
    background: BackgroundTasks,
    actor: CurrentActor,
    platform: PlatformDep,
    session: SessionDep,
) -> JobOut:
    """Start a job that suggests regions with their text for every task (managers).

    Suggestions are predictions (`rule:pdf-text-layer`, `model:rapidocr@<version>`); follow the
    job at `GET .../documents/jobs/{job_id}`.
    """
    job, options = document_suggestions.start_document_suggestions(
        session,
        actor,
        project_id,
        control=body.control,
        engine=document_suggestions.SuggestEngine(body.engine),
        label=body.label,
    )
    background.add_task(
        document_suggestions.run_document_suggestions, platform, actor, job.id, project_id, options
    )
    return JobOut.model_validate(job)


@router.get(
    "/projects/{project_id}/documents/jobs/{job_id}",
    response_model=JobOut,
    responses=problem_responses(401, 403, 404),
)
def get_job(project_id: int, job_id: int, actor: CurrentActor, session: SessionDep) -> JobOut:
    """A suggestion job's status and progress (`done/total` tasks) and, when over, its result."""
    job = document_suggestions.get_suggestion_job(session, actor, project_id, job_id)
    return JobOut.model_validate(job)


@router.post(
    "/projects/{project_id}/documents/jobs/{job_id}/cancel",
    response_model=JobOut,
    responses=problem_responses(401, 403, 404, 409),
)
def cancel_job(project_id: int, job_id: int, actor: CurrentActor, session: SessionDep) -> JobOut:
    """Ask a running suggestion job to stop after the tasks it is working on."""
    job = document_suggestions.cancel_suggestion_job(session, actor, project_id, job_id)
    return JobOut.model_validate(job)
