"""The queue: claim the next task for a stage, and skip / release / escalate / submit a claim.

Concurrency: on PostgreSQL the candidate task row is locked with `FOR UPDATE SKIP LOCKED`, so
concurrent callers take different rows; a caller who finds nothing free while another
transaction holds a task they could take waits for that transaction and looks again. On SQLite
the whole claim runs under `BEGIN IMMEDIATE`. A partial unique index on assignments (task,
user) makes serving a task twice to one user impossible even under races.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from labelwright.errors import Conflict, Forbidden, Invalid, LeaseExpired, NotFound
from labelwright.services import policies
from labelwright.services.context import Actor, Platform
from labelwright.services.policies import Role
from labelwright.services.workflow import settings_of
from labelwright.store.audit import append_event
from labelwright.store.db import begin_write
from labelwright.store.models import (
    Annotation,
    Assignment,
    Prediction,
    Review,
    Task,
    TaskComment,
)
from labelwright.store.repositories import projects as project_repo
from labelwright.store.repositories import queue as queue_repo

STAGES = ("label", "review", "adjudicate")
_STAGE_ROLES = {
    "label": {Role.ANNOTATOR, Role.MANAGER},
    "review": {Role.REVIEWER, Role.MANAGER},
    "adjudicate": {Role.EXPERT, Role.MANAGER},
}
_STAGE_STATE = {"review": "review", "adjudicate": "adjudication"}


def can_work_stage(actor: Actor, role: Role | None, stage: str) -> bool:
    return actor.is_admin or role in _STAGE_ROLES[stage]


@dataclass
class Served:
    """What `next` hands out: the claim, the task, and what the worker needs to see.

    Claims, tasks, predictions, comments and reviews are ORM objects or Core rows of the same
    tables (a new claim is made with Core statements): read them by attribute."""

    assignment: Assignment | Row[Any]
    task: Task | Row[Any]
    schema_version: int
    guideline_version: int
    predictions: Sequence[Prediction | Row[Any]] = field(default_factory=list)
    under_review: list[Annotation] = field(default_factory=list)
    comments: Sequence[TaskComment | Row[Any]] = field(default_factory=list)
    reviews: Sequence[Review | Row[Any]] = field(default_factory=list)
    escalations: list[Assignment] = field(default_factory=list)
    guidelines_changed: bool = False
    guideline_changes: list[str] = field(default_factory=list)


def claim_next_task(
    platform: Platform,
    session: Session,
    actor: Actor,
    project_id: int,
    *,
    stage: str = "label",
    prefetch: bool = False,
    rng: random.Random | None = None,
) -> Served | None:
    """Claim the next task for the caller in `stage`, or None when nothing is left for them.

    Without `prefetch` a caller who holds a live claim gets it back (a reload loses nothing).
    With `prefetch` they get a second claim (a different task) to load while they work on the
    first; nobody holds more than two claims per stage.
    """
    if stage not in STAGES:
        raise Invalid(f"Unknown stage '{stage}'; use one of {', '.join(STAGES)}.")
    rng = rng or random.Random()
    races = 0
    for _ in range(_MAX_LOCK_WAITS):
        try:
            return _claim(platform, session, actor, project_id, stage, prefetch, rng)
        except IntegrityError:  # the same user raced themselves to one task; try again
            session.rollback()
            races += 1
            if races == 3:
                raise Conflict("Could not claim a task; try again.") from None
        except _HeldElsewhere as held:
            queue_repo.wait_for_task(session, held.task_id)
    raise Conflict("Could not claim a task while others hold the remaining ones; try again.")


_MAX_LOCK_WAITS = 50


class _HeldElsewhere(Exception):
    """Nothing was free, but another transaction holds a task the caller could take."""

    def __init__(self, task_id: int) -> None:
        self.task_id = task_id


def held_candidate(
    session: Session, project_id: int, user_id: int, stage: str, *, overlap: int
) -> int | None:
    """PostgreSQL, after a `SKIP LOCKED` search found nothing: a task the caller could take
    that another transaction holds (it may have room left once that transaction ends), so
    that "nothing left" is said only when it is true."""
    if stage == "label":
        return queue_repo.next_label_task(
            session, project_id, user_id, overlap=overlap, locking=False
        )
    return queue_repo.next_single_task(
        session, project_id, user_id, state=_STAGE_STATE[stage], locking=False
    )


def _claim(
    platform: Platform,
    session: Session,
    actor: Actor,
    project_id: int,
    stage: str,
    prefetch: bool,
    rng: random.Random,
) -> Served | None:
    """Three short steps, so that the write transaction (on SQLite, the database's one write
    lock) holds only the claim itself: read the project and the caller's role; claim a task;
    then read what the worker needs to see with it."""
    project, role = policies.load_project(session, actor, project_id)
    if not can_work_stage(actor, role, stage) or actor.id is None:
        raise Forbidden(f"Your role in project {project_id} does not work the {stage} stage.")
    settings = settings_of(project)
    versions = Versions(project.id, project.schema_version, project.guideline_version)
    session.rollback()
    now = platform.clock()
    begin_write(session)
    expire_leases_now_and_then(platform, session, project_id, now)
    if queue_repo.holds_live_claim(session, project_id, actor.id, stage, now):
        held = queue_repo.active_assignments(session, project_id, actor.id, stage, now)
        if held and (not prefetch or len(held) > 1):
            pick = held[-1] if prefetch else held[0]
            task = session.get(Task, pick.task_id)
            session.commit()
            return _served(session, actor, versions, pick, task)
    locking = not platform.db.is_sqlite
    task_id: int | None
    if stage == "label":
        cap = settings.max_tasks_per_user
        if cap is not None and queue_repo.submitted_count(session, project_id, actor.id) >= cap:
            session.commit()
            return None
        task_id = None
        if settings.gold.rate > 0 and rng.random() < settings.gold.rate:
            task_id = queue_repo.next_gold_task(session, project_id, actor.id)
        if task_id is None:
            task_id = queue_repo.next_label_task(
                session, project_id, actor.id, overlap=settings.overlap, locking=locking
            )
    else:
        task_id = queue_repo.next_single_task(
            session, project_id, actor.id, state=_STAGE_STATE[stage], locking=locking
        )
    if task_id is None:
        held = (
            held_candidate(session, project_id, actor.id, stage, overlap=settings.overlap)
            if locking
            else None
        )
        session.commit()
        if held is not None:
            raise _HeldElsewhere(held)
        return None
    task = queue_repo.lease_task(session, task_id)
    assignment = queue_repo.insert_assignment(
        session,
        {
            "task_id": task_id,
            "project_id": project_id,
            "user_id": actor.id,
            "stage": stage,
            "status": "active",
            "leased_until": now + timedelta(minutes=settings.lease_minutes),
            "created_at": now,
        },
    )
    audit_claimed(session, actor, assignment.id, project_id, task_id, stage)
    session.commit()
    return _served(session, actor, versions, assignment, task)


@dataclass(frozen=True)
class Versions:
    project_id: int
    schema_version: int
    guideline_version: int


_EXPIRY_EVERY = timedelta(seconds=1)
_last_expiry: dict[tuple[str, int], datetime] = {}


def expire_leases_now_and_then(
    platform: Platform, session: Session, project_id: int, now: datetime
) -> None:
    """Hand run-out leases back to the pool, at most once a second per project and process
    (a lease runs for minutes; a second more makes no difference, and most claims skip the
    statement)."""
    key = (str(platform.db.url), project_id)
    last = _last_expiry.get(key)
    if last is not None and abs(now - last) < _EXPIRY_EVERY:
        return
    queue_repo.expire_leases(session, project_id, now)
    _last_expiry[key] = now


def _served(
    session: Session, actor: Actor, versions: Versions, assignment: Any, task: Any
) -> Served:
    """What the worker needs besides the claim, read after the claim committed; the
    assignment and task are ORM objects or rows with the same attributes."""
    assert task is not None and actor.id is not None
    predictions, comments, reviews = queue_repo.task_context(session, task.id)
    served = Served(
        assignment=assignment,
        task=task,
        schema_version=versions.schema_version,
        guideline_version=versions.guideline_version,
        predictions=predictions,
        comments=comments,
        reviews=reviews,
    )
    if assignment.stage in ("review", "adjudicate"):
        served.under_review = list(queue_repo.current_label_annotations(session, task.id))
        served.escalations = list(queue_repo.escalations(session, task.id))
    seen = queue_repo.acknowledged_guideline(session, versions.project_id, actor.id)
    served.guidelines_changed, served.guideline_changes = guideline_news(session, versions, seen)
    session.commit()  # ends the read (keeps what was loaded): a write may follow on the session
    return served


def guideline_news(session: Session, versions: Versions, seen: int) -> tuple[bool, list[str]]:
    """Whether guidelines changed since the version the worker acknowledged, and the changelog
    lines of the newer versions."""
    if versions.guideline_version <= seen:
        return False, []
    return True, [
        f"v{v.version}: {v.changelog}" if v.changelog else f"v{v.version}"
        for v in project_repo.guideline_versions_after(session, versions.project_id, seen)
    ]


def audit_claimed(
    session: Session, actor: Actor, assignment_id: int, project_id: int, task_id: int, stage: str
) -> None:
    """The audit event of a new claim."""
    append_event(
        session,
        actor=actor.email,
        action="assignment.create",
        entity="assignment",
        entity_id=assignment_id,
        project_id=project_id,
        payload={"task_id": task_id, "stage": stage},
    )


def _own_active(
    platform: Platform, session: Session, actor: Actor, assignment_id: int
) -> tuple[Assignment, Task]:
    """The caller's active, unexpired assignment (locked), and its task."""
    begin_write(session)
    assignment = session.get(Assignment, assignment_id, with_for_update=True)
    if assignment is None or assignment.user_id != actor.id:
        raise NotFound(f"Assignment {assignment_id} does not exist.")
    if assignment.status == "expired":
        raise LeaseExpired(
            f"The lease of assignment {assignment_id} ran out and the task went back to the "
            "pool; ask for the next task."
        )
    if assignment.status != "active":
        raise Conflict(f"Assignment {assignment_id} is already {assignment.status}.")
    task = session.get(Task, assignment.task_id, with_for_update=True)
    assert task is not None
    if assignment.leased_until < platform.clock():
        assignment.status = "expired"
        task.lease_count -= 1
        session.commit()
        raise LeaseExpired(
            f"The lease of assignment {assignment_id} ran out and the task went back to the "
            "pool; ask for the next task."
        )
    return assignment, task


def _close(
    session: Session,
    actor: Actor,
    assignment: Assignment,
    task: Task,
    status: str,
    now: Any,
    payload: dict[str, Any] | None = None,
) -> None:
    assignment.status = status
    assignment.completed_at = now
    task.lease_count -= 1
    audit_closed(session, actor, assignment.id, assignment.project_id, task.id, status, payload)


def audit_closed(
    session: Session,
    actor: Actor,
    assignment_id: int,
    project_id: int,
    task_id: int,
    status: str,
    payload: dict[str, Any] | None = None,
) -> None:
    """The audit event of a claim that ended (submitted, skipped, released, escalated)."""
    append_event(
        session,
        actor=actor.email,
        action=f"assignment.{status}",
        entity="assignment",
        entity_id=assignment_id,
        project_id=project_id,
        payload={"task_id": task_id, **(payload or {})},
    )


def skip_assignment(platform: Platform, session: Session, actor: Actor, assignment_id: int) -> None:
    """Give the task back; it is never served to this user again."""
    assignment, task = _own_active(platform, session, actor, assignment_id)
    _close(session, actor, assignment, task, "skipped", platform.clock())
    session.commit()


def release_assignment(
    platform: Platform, session: Session, actor: Actor, assignment_id: int
) -> None:
    """Give the task back to the pool (it may come back to this user later)."""
    assignment, task = _own_active(platform, session, actor, assignment_id)
    _close(session, actor, assignment, task, "released", platform.clock())
    session.commit()


def escalate_assignment(
    platform: Platform,
    session: Session,
    actor: Actor,
    assignment_id: int,
    *,
    reason: str,
    draft: dict[str, Any] | None = None,
) -> None:
    """Send the task to the expert queue with a reason and the annotator's draft."""
    if not reason.strip():
        raise Invalid("Say why you escalate.", errors=[{"loc": ["reason"], "msg": "required"}])
    assignment, task = _own_active(platform, session, actor, assignment_id)
    assignment.reason = reason.strip()
    assignment.draft = draft
    _close(
        session,
        actor,
        assignment,
        task,
        "escalated",
        platform.clock(),
        {"reason": assignment.reason},
    )
    if task.state not in ("done", "gold"):
        task.state = "adjudication"
        task.stage_reason = f"escalated: {assignment.reason}"[:200]
    session.commit()


def load_own_active(
    platform: Platform, session: Session, actor: Actor, assignment_id: int
) -> tuple[Assignment, Task]:
    return _own_active(platform, session, actor, assignment_id)


def close_submitted(
    session: Session, actor: Actor, assignment: Assignment, task: Task, now: Any, **payload: Any
) -> None:
    _close(session, actor, assignment, task, "submitted", now, payload)
