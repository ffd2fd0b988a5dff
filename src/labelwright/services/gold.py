"""Gold (honeypot) tasks: mark them with expected results, and report annotators' accuracy."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from labelwright.domain import validate_results
from labelwright.errors import Invalid
from labelwright.services import policies
from labelwright.services.annotations import object_context
from labelwright.services.context import Actor
from labelwright.services.quality_aggregates import mark_task_changed
from labelwright.services.schemas import current_schema
from labelwright.store.audit import append_event
from labelwright.store.db import begin_write
from labelwright.store.models import Annotation, Gold, Task
from labelwright.store.repositories import gold as gold_repo


@dataclass(frozen=True)
class GoldItem:
    """Expected `results` for a task, or `promote=True` to use the task's final annotation."""

    task_id: int
    results: dict[str, Any] | None = None
    promote: bool = False


def mark_gold(session: Session, actor: Actor, project_id: int, items: Sequence[GoldItem]) -> int:
    """Make tasks gold; their answers are then scored, never shown, never counted as labels."""
    begin_write(session)
    project, _ = policies.load_project(
        session, actor, project_id, allowed=policies.can_manage_project
    )
    schema = current_schema(session, project)
    problems: list[dict[str, Any]] = []
    rows: list[tuple[Task, dict[str, Any]]] = []
    for index, item in enumerate(items):
        task = session.get(Task, item.task_id)
        if task is None or task.project_id != project_id:
            problems.append({"index": index, "reason": f"task {item.task_id} is not in project"})
            continue
        if item.promote:
            final = (
                session.get(Annotation, task.final_annotation_id)
                if task.final_annotation_id
                else None
            )
            if final is None:
                problems.append(
                    {"index": index, "reason": f"task {task.id} has no final annotation"}
                )
                continue
            results = final.results
        elif item.results is None:
            problems.append({"index": index, "reason": "give 'results' or 'promote': true"})
            continue
        else:
            try:
                results = validate_results(
                    schema, item.results, context=object_context(session, actor, task, schema)
                )
            except Invalid as exc:
                problems.append({"index": index, "reason": exc.message})
                continue
        rows.append((task, results))
    if problems:
        raise Invalid(
            f"{len(problems)} gold item(s) are invalid; nothing was stored.", errors=problems
        )
    for task, results in rows:
        gold = session.get(Gold, task.id)
        if gold is None:
            session.add(Gold(task_id=task.id, results=results, created_by=actor.id))
        else:
            gold.results = results
        task.state = "gold"
        mark_task_changed(session, task.project_id, task.id)
    append_event(
        session,
        actor=actor.email,
        action="gold.set",
        entity="project",
        entity_id=project_id,
        project_id=project_id,
        payload={"task_ids": [t.id for t, _ in rows]},
    )
    session.commit()
    return len(rows)


@dataclass
class AnnotatorGold:
    user_id: int | None
    email: str | None
    answered: int = 0
    accuracy: float = 0.0
    weekly: list[tuple[str, int, float]] = field(default_factory=list)


def gold_accuracy(session: Session, actor: Actor, project_id: int) -> list[AnnotatorGold]:
    """Per annotator: gold answers, mean score, and the weekly trend (ISO week, n, mean)."""
    policies.load_project(session, actor, project_id, allowed=policies.can_manage_project)
    by_user: dict[int | None, list[tuple[datetime, float]]] = defaultdict(list)
    emails: dict[int | None, str | None] = {}
    for user_id, email, at, score in gold_repo.scores(session, project_id):
        by_user[user_id].append((at, score))
        emails[user_id] = email
    report = []
    for user_id, points in by_user.items():
        weeks: dict[str, list[float]] = defaultdict(list)
        for at, score in points:
            year, week, _ = at.isocalendar()
            weeks[f"{year}-W{week:02d}"].append(score)
        report.append(
            AnnotatorGold(
                user_id=user_id,
                email=emails[user_id],
                answered=len(points),
                accuracy=sum(s for _, s in points) / len(points),
                weekly=[(w, len(v), sum(v) / len(v)) for w, v in sorted(weeks.items())],
            )
        )
    return sorted(report, key=lambda r: r.email or "")
