"""Comment threads on tasks, visible to the people working on the task."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from labelwright.errors import Invalid, NotFound
from labelwright.services import policies
from labelwright.services.context import Actor
from labelwright.services.tasks import load_task
from labelwright.store.audit import append_event
from labelwright.store.db import begin_write
from labelwright.store.models import TaskComment
from labelwright.store.repositories import annotations as annotation_repo
from labelwright.store.repositories import queue as queue_repo


def _check_can_discuss(session: Session, actor: Actor, task_id: int) -> int:
    task, project, role = load_task(session, actor, task_id)
    works_on_it = actor.id is not None and (
        annotation_repo.live_claim(session, task.id, actor.id) is not None
    )
    if not (policies.can_see_all_annotations(actor, role) or works_on_it):
        raise NotFound(f"Task {task_id} has no thread you can see.")
    return project.id


def add_comment(
    session: Session, actor: Actor, task_id: int, body: str, *, parent_id: int | None = None
) -> TaskComment:
    body = body.strip()
    if not body:
        raise Invalid("A comment needs text.", errors=[{"loc": ["body"], "msg": "empty"}])
    begin_write(session)
    project_id = _check_can_discuss(session, actor, task_id)
    if parent_id is not None:
        parent = session.get(TaskComment, parent_id)
        if parent is None or parent.task_id != task_id:
            raise Invalid(f"Comment {parent_id} is not in this task's thread.")
    comment = TaskComment(
        task_id=task_id, project_id=project_id, author_id=actor.id, parent_id=parent_id, body=body
    )
    session.add(comment)
    session.flush()
    append_event(
        session,
        actor=actor.email,
        action="comment.create",
        entity="comment",
        entity_id=comment.id,
        project_id=project_id,
        payload={"task_id": task_id, "parent_id": parent_id, "body": body},
    )
    session.commit()
    return comment


def list_comments(session: Session, actor: Actor, task_id: int) -> Sequence[TaskComment]:
    _check_can_discuss(session, actor, task_id)
    return queue_repo.task_comments(session, task_id)
