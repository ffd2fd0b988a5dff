"""Projects, their schema and guideline versions, and members."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from labelwright.api.deps import CurrentActor, SessionDep, cursor_after, next_cursor
from labelwright.api.problems import problem_responses
from labelwright.api.routes import API_PREFIX
from labelwright.schemas.common import Page
from labelwright.schemas.projects import (
    GuidelinesUpdate,
    MemberIn,
    MemberOut,
    ProjectCreate,
    ProjectOut,
    ProjectUpdate,
    SchemaUpdate,
    SchemaUpdateOut,
    VersionOut,
)
from labelwright.services import projects
from labelwright.services.projects import ProjectView

router = APIRouter(prefix=API_PREFIX, tags=["projects"])


def project_out(view: ProjectView) -> ProjectOut:
    p = view.project
    return ProjectOut(
        id=p.id,
        name=p.name,
        description=p.description,
        schema=view.schema,
        schema_version=p.schema_version,
        guidelines=view.guidelines,
        guideline_version=p.guideline_version,
        workflow=p.workflow,
        role=view.role.value if view.role else None,
        created_at=p.created_at,
        task_count=view.task_count,
        annotation_count=view.annotation_count,
    )


@router.post(
    "/projects", response_model=ProjectOut, status_code=201, responses=problem_responses(401, 422)
)
def create_project(body: ProjectCreate, actor: CurrentActor, session: SessionDep) -> ProjectOut:
    """Create a project from a name and a labeling schema (JSON, or a YAML string)."""
    project = projects.create_project(
        session,
        actor,
        name=body.name,
        schema=body.schema_,
        guidelines=body.guidelines,
        workflow=body.workflow,
        description=body.description,
    )
    return project_out(projects.get_project(session, actor, project.id))


@router.get("/projects", response_model=Page[ProjectOut], responses=problem_responses(401))
def list_projects(
    actor: CurrentActor,
    session: SessionDep,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> Page[ProjectOut]:
    """The projects you are a member of (admins: all)."""
    views = projects.list_projects(session, actor, after=cursor_after(cursor), limit=limit)
    return Page(
        items=[project_out(v) for v in views],
        next_cursor=next_cursor([v.project.id for v in views], limit),
    )


@router.get(
    "/projects/{project_id}", response_model=ProjectOut, responses=problem_responses(401, 404)
)
def get_project(project_id: int, actor: CurrentActor, session: SessionDep) -> ProjectOut:
    """One project with its current schema, guidelines and counts."""
    return project_out(projects.get_project(session, actor, project_id))


@router.patch(
    "/projects/{project_id}",
    response_model=ProjectOut,
    responses=problem_responses(401, 403, 404, 422),
)
def update_project(
    project_id: int, body: ProjectUpdate, actor: CurrentActor, session: SessionDep
) -> ProjectOut:
    """Change name, description or workflow settings (managers)."""
    view = projects.update_project(
        session,
        actor,
        project_id,
        name=body.name,
        description=body.description,
        workflow=body.workflow,
    )
    return project_out(view)


@router.delete(
    "/projects/{project_id}", status_code=204, responses=problem_responses(401, 403, 404)
)
def delete_project(project_id: int, actor: CurrentActor, session: SessionDep) -> Response:
    """Delete a project and all its tasks (managers)."""
    projects.delete_project(session, actor, project_id)
    return Response(status_code=204)


@router.put(
    "/projects/{project_id}/schema",
    response_model=SchemaUpdateOut,
    responses=problem_responses(401, 403, 404, 422),
)
def update_schema(
    project_id: int, body: SchemaUpdate, actor: CurrentActor, session: SessionDep
) -> SchemaUpdateOut:
    """Store a new schema version; changes that orphan labels in use need `migrations`."""
    change = projects.update_schema(
        session, actor, project_id, body.schema_, migrations=body.migrations
    )
    return SchemaUpdateOut(
        version=change.version,
        migrated_annotations=change.migrated_annotations,
        migrated_predictions=change.migrated_predictions,
    )


@router.put(
    "/projects/{project_id}/guidelines",
    response_model=VersionOut,
    responses=problem_responses(401, 403, 404, 422),
)
def update_guidelines(
    project_id: int, body: GuidelinesUpdate, actor: CurrentActor, session: SessionDep
) -> VersionOut:
    """Store a new guidelines version (Markdown)."""
    version = projects.update_guidelines(
        session, actor, project_id, body.text, changelog=body.changelog
    )
    return VersionOut(version=version)


@router.get(
    "/projects/{project_id}/members",
    response_model=list[MemberOut],
    responses=problem_responses(401, 404),
)
def list_members(project_id: int, actor: CurrentActor, session: SessionDep) -> list[MemberOut]:
    """Members of the project and their roles."""
    return [MemberOut.model_validate(m) for m in projects.list_members(session, actor, project_id)]


@router.post(
    "/projects/{project_id}/members",
    response_model=MemberOut,
    status_code=201,
    responses=problem_responses(401, 403, 404, 422),
)
def add_member(
    project_id: int, body: MemberIn, actor: CurrentActor, session: SessionDep
) -> MemberOut:
    """Give a user a role in the project: manager, annotator, reviewer or expert."""
    membership = projects.add_member(
        session, actor, project_id, user_id=body.user_id, role=body.role
    )
    return MemberOut.model_validate(membership)


@router.delete(
    "/projects/{project_id}/members/{user_id}",
    status_code=204,
    responses=problem_responses(401, 403, 404),
)
def remove_member(
    project_id: int, user_id: int, actor: CurrentActor, session: SessionDep
) -> Response:
    """Remove a user from the project."""
    projects.remove_member(session, actor, project_id, user_id)
    return Response(status_code=204)
