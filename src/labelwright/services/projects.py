"""Projects: create, read, update, delete; versioned schema and guidelines; members."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from labelwright.domain import LabelingSchema, find_orphans, labels_in_results, migrate_results
from labelwright.domain import parse_schema as parse_labeling_schema
from labelwright.domain.migration import Step, coerce_migrations
from labelwright.domain.workflow import parse_workflow
from labelwright.errors import Invalid, NotFound, SchemaMismatch
from labelwright.services import policies
from labelwright.services.context import Actor
from labelwright.services.policies import Role
from labelwright.services.schemas import current_schema, parse_stored
from labelwright.store.audit import append_event
from labelwright.store.db import begin_write
from labelwright.store.models import (
    Annotation,
    GuidelineAck,
    GuidelineVersion,
    Membership,
    Project,
    SchemaVersion,
    User,
    WorkflowVersion,
)
from labelwright.store.repositories import annotations as annotation_repo
from labelwright.store.repositories import projects as project_repo
from labelwright.store.repositories import users as user_repo


@dataclass(frozen=True)
class ProjectView:
    """A project as its reader sees it (current schema and guidelines, their role)."""

    project: Project
    schema: dict[str, Any]
    guidelines: str
    role: Role | None
    task_count: int | None = None
    annotation_count: int | None = None


def _check_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > 200:
        raise Invalid(
            "A project name must have 1 to 200 characters.",
            errors=[{"loc": ["name"], "msg": "1 to 200 characters"}],
        )
    return name


def _check_workflow(workflow: Mapping[str, Any] | None) -> dict[str, Any]:
    """Validated workflow settings in their canonical form (defaults filled in)."""
    if workflow is not None and not isinstance(workflow, Mapping):
        raise Invalid("'workflow' must be an object.", errors=[{"loc": ["workflow"]}])
    return parse_workflow(workflow).model_dump(mode="json")


def create_project(
    session: Session,
    actor: Actor,
    *,
    name: str,
    schema: str | Mapping[str, Any],
    guidelines: str = "",
    workflow: Mapping[str, Any] | None = None,
    description: str = "",
) -> Project:
    """Create a project; its creator becomes its manager."""
    name = _check_name(name)
    parsed = parse_labeling_schema(schema)
    body = parsed.to_json()
    wf = _check_workflow(workflow)
    begin_write(session)
    project = Project(
        name=name,
        description=description,
        workflow=wf,
        schema_version=1,
        guideline_version=1,
        created_by=actor.id,
    )
    session.add(project)
    session.flush()
    session.add(SchemaVersion(project_id=project.id, version=1, body=body, created_by=actor.id))
    session.add(
        GuidelineVersion(project_id=project.id, version=1, text=guidelines, created_by=actor.id)
    )
    session.add(WorkflowVersion(project_id=project.id, version=1, body=wf, created_by=actor.id))
    if actor.id is not None:
        session.add(Membership(project_id=project.id, user_id=actor.id, role=Role.MANAGER))
    append_event(
        session,
        actor=actor.email,
        action="project.create",
        entity="project",
        entity_id=project.id,
        project_id=project.id,
        payload={"name": name, "schema": body, "workflow": wf},
    )
    session.commit()
    return project


def get_project(session: Session, actor: Actor, project_id: int) -> ProjectView:
    project, role = policies.load_project(session, actor, project_id)
    tasks, annotations = project_repo.counts(session, project_id)
    return _view(session, project, role, task_count=tasks, annotation_count=annotations)


def _view(
    session: Session, project: Project, role: Role | None, **counts: int | None
) -> ProjectView:
    schema_row = project_repo.get_schema_version(session, project.id, project.schema_version)
    guide_row = project_repo.get_guideline_version(session, project.id, project.guideline_version)
    return ProjectView(
        project=project,
        schema=schema_row.body if schema_row else {},
        guidelines=guide_row.text if guide_row else "",
        role=role,
        **counts,
    )


def list_projects(session: Session, actor: Actor, *, after: int, limit: int) -> list[ProjectView]:
    projects = project_repo.list_projects(
        session, actor.id or 0, is_admin=actor.is_admin, after=after, limit=limit
    )
    return [_view(session, p, policies.project_role(session, actor, p.id)) for p in projects]


def update_project(
    session: Session,
    actor: Actor,
    project_id: int,
    *,
    name: str | None = None,
    description: str | None = None,
    workflow: Mapping[str, Any] | None = None,
) -> ProjectView:
    begin_write(session)
    project, role = policies.load_project(
        session, actor, project_id, allowed=policies.can_manage_project
    )
    changes: dict[str, Any] = {}
    if name is not None:
        project.name = changes["name"] = _check_name(name)
    if description is not None:
        project.description = changes["description"] = description
    if workflow is not None:
        project.workflow = changes["workflow"] = _check_workflow(workflow)
        project.workflow_version += 1
        changes["workflow_version"] = project.workflow_version
        session.add(
            WorkflowVersion(
                project_id=project.id,
                version=project.workflow_version,
                body=project.workflow,
                created_by=actor.id,
            )
        )
    append_event(
        session,
        actor=actor.email,
        action="project.update",
        entity="project",
        entity_id=project.id,
        project_id=project.id,
        payload=changes,
    )
    session.commit()
    return _view(session, project, role)


def delete_project(session: Session, actor: Actor, project_id: int) -> None:
    """Delete a project and everything in it (audited; the audit trail keeps the record)."""
    begin_write(session)
    project, _ = policies.load_project(
        session, actor, project_id, allowed=policies.can_manage_project
    )
    append_event(
        session,
        actor=actor.email,
        action="project.delete",
        entity="project",
        entity_id=project.id,
        project_id=project.id,
        payload={"name": project.name},
    )
    session.execute(delete(Project).where(Project.id == project_id))
    session.commit()


@dataclass(frozen=True)
class SchemaChange:
    version: int
    migrated_annotations: int
    migrated_predictions: int


def update_schema(
    session: Session,
    actor: Actor,
    project_id: int,
    schema: str | Mapping[str, Any],
    *,
    migrations: Sequence[Mapping[str, Any]] = (),
) -> SchemaChange:
    """Store a new schema version.

    A change that would orphan labels or controls in use is refused unless `migrations`
    (rename / merge / drop) cover it; covered annotations are rewritten as new lineage entries
    (children of the old ones) in the same transaction.
    """
    new = parse_labeling_schema(schema)
    steps = coerce_migrations(migrations)
    begin_write(session)
    project, _ = policies.load_project(
        session, actor, project_id, allowed=policies.can_manage_project
    )
    old = current_schema(session, project)
    used: set[tuple[str, str | None]] = set()
    for annotation in annotation_repo.iter_current(session, project_id):
        used |= labels_in_results(old, annotation.results)
    for prediction in annotation_repo.iter_predictions(session, project_id):
        used |= labels_in_results(old, prediction.results)
    problems = find_orphans(old, new, used, steps)
    if problems:
        raise SchemaMismatch(
            "The new schema would orphan labels in use: "
            + "; ".join(problems)
            + ". Add a migration (rename, merge or drop) for each.",
            errors=[{"loc": ["schema"], "msg": p} for p in problems],
        )
    version = project.schema_version + 1
    body = new.to_json()
    session.add(
        SchemaVersion(project_id=project_id, version=version, body=body, created_by=actor.id)
    )
    project.schema_version = version
    migrated = 0
    if steps:
        migrated = _migrate_annotations(session, actor, project, old, steps, version)
    predictions = _migrate_predictions(session, project_id, old, steps) if steps else 0
    parse_stored(body)  # warm the cache
    append_event(
        session,
        actor=actor.email,
        action="project.schema.update",
        entity="project",
        entity_id=project_id,
        project_id=project_id,
        payload={
            "version": version,
            "schema": body,
            "migrations": [s.model_dump(by_alias=True) for s in steps],
            "migrated_annotations": migrated,
            "migrated_predictions": predictions,
        },
    )
    session.commit()
    return SchemaChange(version, migrated, predictions)


def _migrate_annotations(
    session: Session,
    actor: Actor,
    project: Project,
    old: LabelingSchema,
    steps: Sequence[Step],
    version: int,
) -> int:
    rewritten: list[tuple[Annotation, dict[str, Any]]] = []
    for annotation in annotation_repo.iter_current(session, project.id):
        results = migrate_results(annotation.results, steps, schema=old)
        if results is not None:
            rewritten.append((annotation, results))
    for old, results in rewritten:
        session.add(
            Annotation(
                task_id=old.task_id,
                project_id=old.project_id,
                author_id=actor.id,
                origin=f"migration:schema-v{version}",
                parent_id=old.id,
                schema_version=version,
                guideline_version=project.guideline_version,
                stage=old.stage,
                status="submitted",
                results=results,
            )
        )
        annotation_repo.mark_superseded(session, old.id)
    session.flush()
    return len(rewritten)


def _migrate_predictions(
    session: Session, project_id: int, old: LabelingSchema, steps: Sequence[Step]
) -> int:
    count = 0
    for prediction in annotation_repo.iter_predictions(session, project_id):
        results = migrate_results(prediction.results, steps, schema=old)
        if results is not None:
            prediction.results = results  # suggestions carry no lineage; rewritten in place
            count += 1
    session.flush()
    return count


def update_guidelines(
    session: Session, actor: Actor, project_id: int, text: str, *, changelog: str = ""
) -> int:
    """Store a new guidelines version (Markdown, with a changelog line); return its number."""
    begin_write(session)
    project, _ = policies.load_project(
        session, actor, project_id, allowed=policies.can_manage_project
    )
    version = project.guideline_version + 1
    session.add(
        GuidelineVersion(
            project_id=project_id,
            version=version,
            text=text,
            changelog=changelog.strip(),
            created_by=actor.id,
        )
    )
    project.guideline_version = version
    append_event(
        session,
        actor=actor.email,
        action="project.guidelines.update",
        entity="project",
        entity_id=project_id,
        project_id=project_id,
        payload={"version": version, "text": text, "changelog": changelog.strip()},
    )
    session.commit()
    return version


def acknowledge_guidelines(session: Session, actor: Actor, project_id: int) -> int:
    """Record that the actor has read the current guidelines; returns that version."""
    begin_write(session)
    project, _ = policies.load_project(session, actor, project_id)
    if actor.id is None:
        raise Invalid("Only users acknowledge guidelines.")
    ack = session.get(GuidelineAck, (project_id, actor.id))
    if ack is None:
        session.add(
            GuidelineAck(project_id=project_id, user_id=actor.id, version=project.guideline_version)
        )
    else:
        ack.version = project.guideline_version
    append_event(
        session,
        actor=actor.email,
        action="guidelines.ack",
        entity="project",
        entity_id=project_id,
        project_id=project_id,
        payload={"version": project.guideline_version},
    )
    session.commit()
    return project.guideline_version


def list_members(session: Session, actor: Actor, project_id: int) -> Sequence[Membership]:
    policies.load_project(session, actor, project_id)
    return user_repo.list_memberships(session, project_id)


def add_member(
    session: Session, actor: Actor, project_id: int, *, user_id: int, role: str
) -> Membership:
    """Give a user a role in the project (or change it)."""
    try:
        new_role = Role(role)
    except ValueError:
        raise Invalid(
            f"Unknown role '{role}'; use one of {', '.join(r.value for r in Role)}.",
            errors=[{"loc": ["role"], "msg": "unknown role"}],
        ) from None
    begin_write(session)
    policies.load_project(session, actor, project_id, allowed=policies.can_manage_project)
    if session.get(User, user_id) is None:
        raise NotFound(f"User {user_id} does not exist.")
    membership = session.get(Membership, (project_id, user_id))
    if membership is None:
        membership = Membership(project_id=project_id, user_id=user_id, role=new_role)
        session.add(membership)
    else:
        membership.role = new_role
    append_event(
        session,
        actor=actor.email,
        action="member.set",
        entity="membership",
        entity_id=f"{project_id}:{user_id}",
        project_id=project_id,
        payload={"user_id": user_id, "role": new_role.value},
    )
    session.commit()
    return membership


def remove_member(session: Session, actor: Actor, project_id: int, user_id: int) -> None:
    begin_write(session)
    policies.load_project(session, actor, project_id, allowed=policies.can_manage_project)
    deleted = session.execute(
        delete(Membership).where(Membership.project_id == project_id, Membership.user_id == user_id)
    )
    if deleted.rowcount == 0:  # type: ignore[attr-defined]
        raise NotFound(f"User {user_id} is not a member of project {project_id}.")
    append_event(
        session,
        actor=actor.email,
        action="member.remove",
        entity="membership",
        entity_id=f"{project_id}:{user_id}",
        project_id=project_id,
        payload={"user_id": user_id},
    )
    session.commit()
