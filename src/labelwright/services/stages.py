"""Submitting a claim and moving the task through label -> review -> adjudication -> done.

The final annotation of a done task is recorded on the task with the path that made it final:
`single` (one annotator), `agreement` (overlap reached and annotators agreed), `review:accept`,
`review:fix`, `adjudication:choose`, `adjudication:write`, `correction` (a later correction of
the final one), `import`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row
from sqlalchemy.orm import Session

from labelwright.domain import LabelingSchema, validate_results
from labelwright.domain.workflow import WorkflowSettings
from labelwright.errors import Invalid
from labelwright.quality.gold_scoring import score_gold_answer
from labelwright.services.annotations import (
    add_annotation,
    object_context,
    prediction_origin,
)
from labelwright.services.context import Actor, Platform
from labelwright.services.quality_aggregates import mark_task_changed
from labelwright.services.queue import close_submitted, load_own_active
from labelwright.services.schemas import current_schema
from labelwright.services.workflow import agreement, settings_of
from labelwright.store.audit import append_event
from labelwright.store.models import Annotation, Assignment, Gold, GoldScore, Project, Review, Task
from labelwright.store.repositories import queue as queue_repo

VERDICTS = ("accept", "reject", "fix")
SEVERITIES = ("minor", "major", "critical")
LABEL_STATES = queue_repo.LABEL_SERVING_ORDER  # a task in the label pool


@dataclass(frozen=True)
class Submission:
    """A submitted claim. Label: `results`. Review: `verdict` (+ `results` to fix).
    Adjudication: `choose_annotation_id` or `results`."""

    results: dict[str, Any] | None = None
    lead_time_ms: int | None = None
    prediction_id: int | None = None
    verdict: str | None = None
    comment: str = ""
    severity: str | None = None
    category: str | None = None
    choose_annotation_id: int | None = None


@dataclass(frozen=True)
class Outcome:
    annotation: Annotation | Row[Any] | None
    task_state: str


def submit_assignment(
    platform: Platform, session: Session, actor: Actor, assignment_id: int, body: Submission
) -> Outcome:
    """Complete a claim exactly once (a second submit is a 409) and advance the task."""
    assignment, task = load_own_active(platform, session, actor, assignment_id)
    project = session.get(Project, task.project_id)
    assert project is not None
    schema = current_schema(session, project)
    settings = settings_of(project)
    now = platform.clock()
    lead = body.lead_time_ms
    if lead is None:
        lead = int((now - assignment.created_at).total_seconds() * 1000)
    annotation: Annotation | None
    if assignment.stage == "label":
        annotation = _submit_label(session, actor, project, schema, settings, task, body, lead)
    elif assignment.stage == "review":
        annotation = _submit_review(session, actor, project, schema, task, body, lead)
    else:
        annotation = _submit_adjudication(session, actor, project, schema, task, body, lead)
    assignment.annotation_id = annotation.id if annotation else None
    close_submitted(session, actor, assignment, task, now, state=task.state)
    session.commit()
    return Outcome(annotation, task.state)


@dataclass
class TaskProgress:
    """A task's workflow columns, as `advance_after_labeling` reads and sets them."""

    id: int
    state: str
    annotation_count: int
    lease_count: int
    extra_overlap: int
    stage_reason: str | None
    final_annotation_id: int | None
    final_path: str | None

    def saved(self) -> dict[str, Any]:
        """What `save_tasks_progress` writes: `id` and the workflow columns."""
        return dict(vars(self))


def _new_annotation(
    session: Session,
    actor: Actor,
    project: Project,
    schema: LabelingSchema,
    task: Task,
    results: dict[str, Any] | None,
    *,
    stage: str,
    lead: int | None,
    origin: str = "human",
    parent_id: int | None = None,
) -> Annotation:
    if results is None:
        raise Invalid("'results' is required.", errors=[{"loc": ["results"], "msg": "required"}])
    clean = validate_results(schema, results, context=object_context(session, actor, task, schema))
    return add_annotation(
        session,
        actor,
        project,
        task,
        clean,
        stage=stage,
        origin=origin,
        lead_time_ms=lead,
        parent_id=parent_id,
    )


def _submit_label(
    session: Session,
    actor: Actor,
    project: Project,
    schema: LabelingSchema,
    settings: WorkflowSettings,
    task: Task,
    body: Submission,
    lead: int,
) -> Annotation:
    origin = prediction_origin(session, task, body.prediction_id)
    annotation = _new_annotation(
        session, actor, project, schema, task, body.results, stage="label", lead=lead, origin=origin
    )
    record_label_annotation(session, project, schema, settings, task, annotation)
    return annotation


def record_label_annotation(
    session: Session,
    project: Project,
    schema: LabelingSchema,
    settings: WorkflowSettings,
    task: Task,
    annotation: Annotation,
) -> None:
    """Count a label-stage annotation: score it if the task is gold, else advance the task."""
    if task.state == "gold":
        gold = session.get(Gold, task.id)
        if gold is not None:
            scored = score_gold_answer(schema, gold.results, annotation.results)
            session.add(
                GoldScore(
                    project_id=project.id,
                    task_id=task.id,
                    annotation_id=annotation.id,
                    user_id=annotation.author_id,
                    score=scored.score,
                    per_control=scored.per_control,
                )
            )
        return
    task.annotation_count += 1
    if task.state in LABEL_STATES:
        with session.no_autoflush:  # one UPDATE of the task at the end, not two
            advance_after_labeling(session, schema, settings, task)


def advance_after_labeling(
    session: Session,
    schema: LabelingSchema,
    settings: WorkflowSettings,
    task: Task | TaskProgress,
    current: Sequence[Row[Any]] | None = None,
) -> None:
    """Once the overlap is reached: agree -> review (sampled) or done; disagree -> one more
    annotator (adaptive overlap) or, at `max_overlap`, adjudication. `current` is the task's
    live submitted annotations (`id`, `results`), oldest first, when the caller read them."""
    if current is None:
        current = queue_repo.current_label_results(session, task.id)
    if len(current) < settings.overlap + task.extra_overlap:
        task.state = "labeling"
        return
    results = [a.results for a in current]
    if len(current) > 1 and agreement(schema, results) < settings.adjudication.agreement_below:
        if len(current) < settings.most_annotators:
            task.extra_overlap += 1
            task.state = "labeling"
        else:
            task.state = "adjudication"
            task.stage_reason = "disagreement"
        return
    modal = max(current, key=lambda a: (results.count(a.results), -a.id))
    task.final_annotation_id = modal.id
    if is_sampled(task.id, settings.review.sample):
        task.state = "review"
        task.final_path = None
    else:
        task.state = "done"
        task.final_path = "single" if len(current) == 1 else "agreement"


def is_sampled(task_id: int, rate: float) -> bool:
    """A deterministic, evenly spread sample of tasks (Knuth's multiplicative hash)."""
    if rate <= 0:
        return False
    if rate >= 1:
        return True
    return ((task_id * 2654435761) % 2**32) / 2**32 < rate


def _submit_review(
    session: Session,
    actor: Actor,
    project: Project,
    schema: LabelingSchema,
    task: Task,
    body: Submission,
    lead: int,
) -> Annotation | None:
    if body.verdict not in VERDICTS:
        raise Invalid(
            f"'verdict' must be one of {', '.join(VERDICTS)}.",
            errors=[{"loc": ["verdict"], "msg": "accept, reject or fix"}],
        )
    if body.severity is not None and body.severity not in SEVERITIES:
        raise Invalid(
            f"'severity' must be one of {', '.join(SEVERITIES)}.",
            errors=[{"loc": ["severity"], "msg": "minor, major or critical"}],
        )
    reviewed = (
        session.get(Annotation, task.final_annotation_id) if task.final_annotation_id else None
    )
    if reviewed is None:
        raise Invalid(f"Task {task.id} has no annotation under review.")
    fixed: Annotation | None = None
    if body.verdict == "fix":
        fixed = _new_annotation(
            session,
            actor,
            project,
            schema,
            task,
            body.results,
            stage="review",
            lead=lead,
            parent_id=reviewed.id,
        )
        reviewed.status = "superseded"
        task.final_annotation_id = fixed.id
        task.final_path = "review:fix"
        task.state = "done"
    elif body.verdict == "accept":
        task.final_path = "review:accept"
        task.state = "done"
    else:
        for annotation in queue_repo.current_label_annotations(session, task.id):
            annotation.status = "rejected"
        task.annotation_count = 0
        task.extra_overlap = 0
        task.final_annotation_id = None
        task.state = "labeling"
        task.stage_reason = "rejected in review"
    review = Review(
        annotation_id=reviewed.id,
        reviewer_id=actor.id,
        verdict=body.verdict,
        comment=body.comment,
        severity=body.severity,
        category=body.category,
    )
    session.add(review)
    mark_task_changed(session, task.project_id, task.id)
    session.flush()
    append_event(
        session,
        actor=actor.email,
        action="review.create",
        entity="review",
        entity_id=review.id,
        project_id=project.id,
        payload={
            "annotation_id": reviewed.id,
            "verdict": body.verdict,
            "severity": body.severity,
            "category": body.category,
            "comment": body.comment,
        },
    )
    return fixed


def _submit_adjudication(
    session: Session,
    actor: Actor,
    project: Project,
    schema: LabelingSchema,
    task: Task,
    body: Submission,
    lead: int,
) -> Annotation:
    if body.choose_annotation_id is not None:
        chosen = session.get(Annotation, body.choose_annotation_id)
        if chosen is None or chosen.task_id != task.id or chosen.status != "submitted":
            raise Invalid(
                f"Annotation {body.choose_annotation_id} is not a current annotation of task "
                f"{task.id}.",
                errors=[{"loc": ["choose_annotation_id"], "msg": "not an annotation of this task"}],
            )
        task.final_annotation_id = chosen.id
        task.final_path = "adjudication:choose"
        final = chosen
    else:
        final = _new_annotation(
            session, actor, project, schema, task, body.results, stage="adjudicate", lead=lead
        )
        task.final_annotation_id = final.id
        task.final_path = "adjudication:write"
    task.state = "done"
    append_event(
        session,
        actor=actor.email,
        action="task.adjudicate",
        entity="task",
        entity_id=task.id,
        project_id=project.id,
        payload={"final_annotation_id": final.id, "path": task.final_path},
    )
    return final


def escalations_of(session: Session, task_id: int) -> list[Assignment]:
    return list(queue_repo.escalations(session, task_id))
