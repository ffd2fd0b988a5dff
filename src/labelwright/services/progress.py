"""Project progress from aggregate SQL: stages, annotators, throughput, lead time, queues."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session

from labelwright.services import policies
from labelwright.services.context import Actor, Platform
from labelwright.store.repositories import progress as progress_repo


@dataclass(frozen=True)
class Progress:
    tasks_by_state: dict[str, int]
    queue_depth: dict[str, int]
    annotations_by_annotator: list[tuple[int | None, str | None, int]]
    throughput_per_hour: list[tuple[str, int]]
    median_lead_time_ms: float | None


def project_progress(
    platform: Platform, session: Session, actor: Actor, project_id: int
) -> Progress:
    policies.load_project(session, actor, project_id, allowed=policies.can_manage_project)
    states = progress_repo.tasks_by_state(session, project_id)
    since = platform.clock() - timedelta(hours=24)
    return Progress(
        tasks_by_state=states,
        queue_depth={
            "label": states.get("new", 0) + states.get("labeling", 0),
            "review": states.get("review", 0),
            "adjudicate": states.get("adjudication", 0),
        },
        annotations_by_annotator=progress_repo.annotations_by_author(session, project_id),
        throughput_per_hour=progress_repo.hourly_annotations(session, project_id, since),
        median_lead_time_ms=progress_repo.median_lead_time(session, project_id),
    )
