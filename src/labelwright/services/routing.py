"""Routing rules: low-confidence suggestions (or any rule's match) skip annotators."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from labelwright.services.workflow import settings_of
from labelwright.store.models import Project, Task
from labelwright.store.repositories import tasks as task_repo

BATCH = 1000


def route_tasks(session: Session, project: Project, task_ids: Sequence[int]) -> int:
    """Send the tasks whose newest prediction matches a routing rule to the expert queue."""
    settings = settings_of(project)
    if not settings.routing or not task_ids:
        return 0
    routed = 0
    for start in range(0, len(task_ids), BATCH):
        chunk = list(task_ids[start : start + BATCH])
        latest = task_repo.latest_predictions(session, chunk)
        for task_id, prediction in latest.items():
            task = session.get(Task, task_id)
            if task is None or task.state not in ("new", "labeling"):
                continue
            rule = settings.route(
                prediction={"score": prediction.score, "origin": prediction.origin},
                meta=task.meta,
                priority=task.priority,
            )
            if rule is not None:
                task.state = "adjudication"
                task.stage_reason = f"routed: {rule.when}"[:200]
                routed += 1
    return routed
