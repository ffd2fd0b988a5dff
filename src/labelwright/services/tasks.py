"""Reading and deleting tasks."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete
from sqlalchemy.orm import Session

from labelwright.errors import Forbidden, NotFound
from labelwright.services import policies
from labelwright.services.context import Actor
from labelwright.services.policies import Role
from labelwright.store.audit import append_event
from labelwright.store.db import begin_write
from labelwright.store.models import Project, Task
from labelwright.store.repositories import tasks as task_repo
from labelwright.store.repositories.tasks import TaskFilter

__all__ = ["TaskFilter", "delete_task", "get_task", "list_tasks", "load_task"]


def list_tasks(
    session: Session, actor: Actor, project_id: int, where: TaskFilter, *, after: int, limit: int
) -> Sequence[Task]:
    policies.load_project(session, actor, project_id)
    return task_repo.list_tasks(session, project_id, where, after=after, limit=limit)


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
    """Delete a task with its predictions and annotations (managers; audited)."""
    begin_write(session)
    task, project, role = load_task(session, actor, task_id)
    if not policies.can_manage_project(actor, role):
        raise Forbidden("Only project managers delete tasks.")
    append_event(
        session,
        actor=actor.email,
        action="task.delete",
        entity="task",
        entity_id=task.id,
        project_id=project.id,
        payload={"data": task.data, "meta": task.meta},
    )
    session.execute(delete(Task).where(Task.id == task_id))
    session.commit()
