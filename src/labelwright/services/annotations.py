"""Annotations: submit (with lineage), read, and tombstone."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from labelwright.domain import LabelingSchema, MediaInfo, describe_objects, validate_results
from labelwright.errors import Conflict, Forbidden, Invalid, NotFound
from labelwright.services import policies
from labelwright.services.context import Actor
from labelwright.services.imports import MEDIA_PREFIX, iter_media_refs
from labelwright.services.quality_aggregates import mark_task_changed
from labelwright.services.schemas import current_schema
from labelwright.services.tasks import load_task
from labelwright.store.audit import append_event
from labelwright.store.db import begin_write
from labelwright.store.models import Annotation, Assignment, Prediction, Project, Task
from labelwright.store.repositories import annotations as annotation_repo
from labelwright.store.repositories import media as media_repo


def object_context(session: Session, actor: Actor, task: Task, schema: Any) -> Any:
    """What validation needs to know about the task's objects (text, sizes, durations)."""
    shas = set(iter_media_refs(task.data))
    rows = media_repo.media_by_sha(session, shas)
    media = {
        f"{MEDIA_PREFIX}{sha}": MediaInfo(width=m.width, height=m.height, duration=m.duration)
        for sha, m in rows.items()
    }
    return describe_objects(schema, task.data, media=media)


def create_annotation(
    session: Session,
    actor: Actor,
    task_id: int,
    *,
    results: Mapping[str, Any],
    lead_time_ms: int | None = None,
    parent_id: int | None = None,
    prediction_id: int | None = None,
) -> Annotation:
    """Validate and store an annotation; with `parent_id` it corrects (supersedes) the parent."""
    begin_write(session)
    task, project, role = load_task(session, actor, task_id)
    if not policies.can_annotate(actor, role):
        raise Forbidden("Your role does not allow annotating.")
    if lead_time_ms is not None and lead_time_ms < 0:
        raise Invalid("'lead_time_ms' must not be negative.", errors=[{"loc": ["lead_time_ms"]}])
    schema = current_schema(session, project)
    clean = validate_results(schema, results, context=object_context(session, actor, task, schema))
    origin = prediction_origin(session, task, prediction_id)
    parent = None
    if parent_id is not None:
        parent = _visible_annotation(session, actor, parent_id, role)
        if parent.task_id != task.id:
            raise Invalid(f"Annotation {parent_id} belongs to another task.")
        if parent.status != "submitted":
            raise Conflict(
                f"Annotation {parent_id} is already {parent.status}; correct its latest version."
            )
        annotation_repo.mark_superseded(session, parent.id)
    annotation = add_annotation(
        session,
        actor,
        project,
        task,
        clean,
        stage="label",
        origin=origin,
        lead_time_ms=lead_time_ms,
        parent_id=parent_id,
    )
    if parent is not None:
        if task.final_annotation_id == parent.id:
            task.final_annotation_id = annotation.id
            task.final_path = "correction"
    else:
        _record_direct_label(datetime.now(UTC), session, actor, project, schema, task, annotation)
    session.commit()
    return annotation


def add_annotation(
    session: Session,
    actor: Actor,
    project: Project,
    task: Task,
    results: dict[str, Any],
    *,
    stage: str,
    origin: str,
    lead_time_ms: int | None,
    parent_id: int | None = None,
) -> Annotation:
    """Store validated `results` as a new annotation with its lineage, and its audit event."""
    annotation = Annotation(
        task_id=task.id,
        project_id=project.id,
        author_id=actor.id,
        origin=origin,
        parent_id=parent_id,
        schema_version=project.schema_version,
        guideline_version=project.guideline_version,
        lead_time_ms=lead_time_ms,
        stage=stage,
        status="submitted",
        results=results,
    )
    session.add(annotation)
    session.flush()
    mark_task_changed(session, project.id, task.id)
    audit_new_annotation(
        session, actor, project.id, annotation.id, task.id, stage, parent_id, origin, results
    )
    return annotation


def audit_new_annotation(
    session: Session,
    actor: Actor,
    project_id: int,
    annotation_id: int,
    task_id: int,
    stage: str,
    parent_id: int | None,
    origin: str,
    results: dict[str, Any],
) -> None:
    """The audit event of a new annotation (written when the transaction commits)."""
    append_event(
        session,
        actor=actor.email,
        action="annotation.create",
        entity="annotation",
        entity_id=annotation_id,
        project_id=project_id,
        payload={
            "task_id": task_id,
            "stage": stage,
            "parent_id": parent_id,
            "origin": origin,
            "results": results,
        },
    )


def prediction_origin(session: Session, task: Task, prediction_id: int | None) -> str:
    """`prediction:<id>` when the annotation started from one of the task's suggestions."""
    if prediction_id is None:
        return "human"
    prediction = session.get(Prediction, prediction_id)
    if prediction is None or prediction.task_id != task.id:
        raise Invalid(
            f"Prediction {prediction_id} is not a suggestion for task {task.id}.",
            errors=[{"loc": ["prediction_id"], "msg": "unknown prediction for this task"}],
        )
    return f"prediction:{prediction_id}"


def _record_direct_label(
    now: datetime,
    session: Session,
    actor: Actor,
    project: Project,
    schema: LabelingSchema,
    task: Task,
    annotation: Annotation,
) -> None:
    """An annotation posted outside the queue counts like a submitted claim: the author is not
    served the task again, and the task advances through its stages."""
    from labelwright.services.stages import record_label_annotation
    from labelwright.services.workflow import settings_of

    if actor.id is not None:
        claim = annotation_repo.live_claim(session, task.id, actor.id)
        if claim is None:
            session.add(
                Assignment(
                    task_id=task.id,
                    project_id=project.id,
                    user_id=actor.id,
                    stage="label",
                    status="submitted",
                    leased_until=now,
                    created_at=now,
                    completed_at=now,
                    annotation_id=annotation.id,
                )
            )
        elif claim.status == "active":
            claim.status = "submitted"
            claim.completed_at = now
            claim.annotation_id = annotation.id
            task.lease_count -= 1
    record_label_annotation(session, project, schema, settings_of(project), task, annotation)


def list_annotations(session: Session, actor: Actor, task_id: int) -> Sequence[Annotation]:
    """A task's live annotations: all of them for reviewers/managers, one's own for annotators."""
    _, _, role = load_task(session, actor, task_id)
    if policies.can_see_all_annotations(actor, role):
        return annotation_repo.list_for_task(session, task_id)
    if actor.id is None:
        return []
    return annotation_repo.list_for_task(session, task_id, author_id=actor.id)


def get_annotation(session: Session, actor: Actor, annotation_id: int) -> Annotation:
    annotation = session.get(Annotation, annotation_id)
    if annotation is None:
        raise NotFound(f"Annotation {annotation_id} does not exist.")
    try:
        _, role = policies.load_project(session, actor, annotation.project_id)
    except NotFound:
        raise NotFound(f"Annotation {annotation_id} does not exist.") from None
    return _visible_annotation(session, actor, annotation_id, role)


def _visible_annotation(
    session: Session, actor: Actor, annotation_id: int, role: policies.Role | None
) -> Annotation:
    annotation = session.get(Annotation, annotation_id)
    if annotation is None or not (
        policies.can_see_all_annotations(actor, role) or annotation.author_id == actor.id
    ):
        raise NotFound(f"Annotation {annotation_id} does not exist.")
    return annotation


def _redecide_without_final(session: Session, task: Task) -> None:
    """The task's final annotation is gone: the task goes back to labeling and its remaining
    annotations decide again (a task under review must never lose what is being reviewed)."""
    from labelwright.services.schemas import current_schema
    from labelwright.services.stages import advance_after_labeling
    from labelwright.services.workflow import settings_of

    task.final_annotation_id = None
    task.final_path = None
    if task.state == "gold":
        return
    task.state = "labeling" if task.annotation_count else "new"
    task.stage_reason = None
    project = session.get(Project, task.project_id)
    if project is not None and task.annotation_count:
        session.flush()  # the deletion, before the remaining annotations are read
        schema = current_schema(session, project)
        advance_after_labeling(session, schema, settings_of(project), task)


def delete_annotation(session: Session, actor: Actor, annotation_id: int) -> Annotation:
    """Tombstone an annotation: the row stays, marked deleted, and the deletion is audited."""
    begin_write(session)
    annotation = get_annotation(session, actor, annotation_id)
    _, role = policies.load_project(session, actor, annotation.project_id)
    if not policies.can_delete_annotation(actor, role, annotation.author_id):
        raise Forbidden("Only the author or a project manager deletes an annotation.")
    if annotation.deleted_at is not None:
        raise Conflict(f"Annotation {annotation_id} is already deleted.")
    was_current = annotation.status == "submitted"
    annotation.deleted_at = datetime.now(UTC)
    annotation.deleted_by = actor.id
    annotation.status = "deleted"
    mark_task_changed(session, annotation.project_id, annotation.task_id)
    if was_current:
        task = session.get(Task, annotation.task_id)
        if task is not None:
            task.annotation_count = max(0, task.annotation_count - 1)
            if task.final_annotation_id == annotation.id:
                _redecide_without_final(session, task)
    append_event(
        session,
        actor=actor.email,
        action="annotation.delete",
        entity="annotation",
        entity_id=annotation.id,
        project_id=annotation.project_id,
        payload={"task_id": annotation.task_id},
    )
    session.commit()
    return annotation
