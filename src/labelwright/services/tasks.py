"""Reading and deleting tasks."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete
from sqlalchemy.orm import Session

from labelwright.domain import LabelingSchema
from labelwright.domain.kinds import REGION_CONTROLS, ControlType
from labelwright.errors import Forbidden, Invalid, NotFound
from labelwright.services import policies
from labelwright.services.context import Actor
from labelwright.services.datasets import refuse_deleting_held_task
from labelwright.services.policies import Role
from labelwright.services.quality_aggregates import forget_task
from labelwright.services.schemas import current_schema
from labelwright.store.audit import append_event
from labelwright.store.db import begin_write
from labelwright.store.models import Project, Task
from labelwright.store.repositories import tasks as task_repo
from labelwright.store.repositories.tasks import LabelPath, LabelShape, TaskFilter

__all__ = ["TaskFilter", "delete_task", "get_task", "list_tasks", "load_task"]


_LABEL_SHAPES: dict[ControlType, LabelShape] = {
    ControlType.CHOICE: "value",
    ControlType.CHOICES: "list",
    ControlType.RELATIONS: "items",
    **{kind: "items" for kind in REGION_CONTROLS},
}


def list_tasks(
    session: Session, actor: Actor, project_id: int, where: TaskFilter, *, after: int, limit: int
) -> Sequence[Task]:
    """A page of tasks; `label` (optionally within `control`) and `annotator_id` look at the
    live annotations."""
    project, _ = policies.load_project(session, actor, project_id)
    paths: tuple[LabelPath, ...] = ()
    if where.label is not None or where.control is not None:
        paths = _label_paths(current_schema(session, project), where)
    return task_repo.list_tasks(
        session, project_id, where, after=after, limit=limit, label_paths=paths
    )


def _label_paths(schema: LabelingSchema, where: TaskFilter) -> tuple[LabelPath, ...]:
    """Where `where.label` can sit in results, by the project's current schema."""
    labeled = [c for c in schema.controls if c.type in _LABEL_SHAPES]
    if where.control is not None:
        if where.label is None:
            raise Invalid("Filtering by control needs a label too (label=...).")
        if not any(c.name == where.control for c in labeled):
            known = ", ".join(c.name for c in labeled) or "none"
            raise Invalid(
                f"'{where.control}' is not a labeled control of this project (controls: {known})."
            )
        labeled = [c for c in labeled if c.name == where.control]
    paths = tuple(
        LabelPath(c.name, _LABEL_SHAPES[ControlType(c.type)])
        for c in labeled
        if where.label in c.label_names
    )
    if not paths:
        labels = ", ".join(sorted({name for c in labeled for name in c.label_names}))
        scope = f"control '{where.control}'" if where.control else "this project"
        raise Invalid(f"'{where.label}' is not a label of {scope} (labels: {labels or 'none'}).")
    return paths


def load_task(session: Session, actor: Actor, task_id: int) -> tuple[Task, Project, Role | None]:
    """The task, its project and the actor's role; `NotFound` when the actor may not see it."""
    task = session.get(Task, task_id)
    if task is None:
        raise NotFound(f"Task {task_id} does not exist.")
    try:
        project, role = policies.load_project(session, actor, task.project_id)
    except NotFound:
        raise NotFound(f"Task {task_id} does not exist.") from None
    return task, project, role


def get_task(session: Session, actor: Actor, task_id: int) -> Task:
    return load_task(session, actor, task_id)[0]


def delete_task(session: Session, actor: Actor, task_id: int) -> None:
    """Delete a task with its predictions and annotations (managers; audited); a task that a
    dataset version holds is refused with `Conflict`."""
    begin_write(session)
    task, project, role = load_task(session, actor, task_id)
    if not policies.can_manage_project(actor, role):
        raise Forbidden("Only project managers delete tasks.")
    refuse_deleting_held_task(session, project.id, task.id)
    append_event(
        session,
        actor=actor.email,
        action="task.delete",
        entity="task",
        entity_id=task.id,
        project_id=project.id,
        payload={"data": task.data, "meta": task.meta},
    )
    forget_task(session, task.id)
    session.execute(delete(Task).where(Task.id == task_id))
    session.commit()
