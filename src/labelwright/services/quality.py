"""Quality dashboard use cases: agreement per control, annotator scores, agreement matrix,
label issues (and sending them back to review), and a consensus suggestion per task.

Each view is computed from the live annotations on demand and cached in this process under a
fingerprint of the project (its newest audit sequence number and schema version): every
change to annotations, gold, reviews or predictions writes an audit event, so a changed
project is recomputed and an unchanged one answers from the cache.
"""

from __future__ import annotations

import threading
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, TypeVar

import numpy as np
from sqlalchemy.orm import Session

from labelwright.domain import ControlSpec, LabelingSchema
from labelwright.errors import Forbidden, Invalid
from labelwright.quality.aggregation.consensus import consensus_results
from labelwright.quality.agreement.task import task_agreement
from labelwright.quality.annotator_report import annotator_stats, reviewer_stats
from labelwright.quality.annotators import agreement_matrix
from labelwright.quality.issues import LabelIssue
from labelwright.quality.project import (
    ProjectAnalysis,
    analyze_project,
    project_issues,
    rater_key,
    rater_pairs,
)
from labelwright.schemas import quality as out
from labelwright.services import policies
from labelwright.services.context import Actor
from labelwright.services.schemas import current_schema
from labelwright.services.tasks import load_task
from labelwright.store.audit import append_event
from labelwright.store.db import begin_write
from labelwright.store.models import Project
from labelwright.store.repositories import quality as repo

LOW_AGREEMENT = 0.5
"""Tasks whose mean pairwise agreement on a control is below this are flagged."""
AGGREGATOR = "dawid-skene@1"
T = TypeVar("T")


class ConsensusMethod(StrEnum):
    MAJORITY = "majority"
    GOLD_WEIGHTED = "gold-weighted"


# Computed views by (database, project, view): (fingerprint, value); oldest dropped first.
_CACHE: OrderedDict[tuple[str, int, str], tuple[str, Any]] = OrderedDict()
_CACHE_SIZE = 64
_CACHE_LOCK = threading.Lock()


def _cached(session: Session, project: Project, view: str, compute: Callable[[], T]) -> T:
    key = (str(session.get_bind().engine.url), project.id, view)
    fingerprint = f"{repo.change_marker(session, project.id)}:{project.schema_version}"
    with _CACHE_LOCK:
        hit = _CACHE.get(key)
    if hit is not None and hit[0] == fingerprint:
        return hit[1]  # type: ignore[no-any-return]
    value = compute()
    with _CACHE_LOCK:
        _CACHE[key] = (fingerprint, value)
        _CACHE.move_to_end(key)
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return value


def _utc(at: datetime) -> datetime:
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def _records(session: Session, project: Project, *, times: bool) -> list[repo.AnnotationRow]:
    rows = repo.iter_annotations(session, project.id, times=times)
    if not times:
        return list(rows)
    return [r if r.created_at.tzinfo else r._replace(created_at=_utc(r.created_at)) for r in rows]


def _analyze(session: Session, project: Project, *, with_agreement: bool = True) -> ProjectAnalysis:
    schema = current_schema(session, project)
    # Only the annotator report reads times; agreement and issues do not.
    records = _records(session, project, times=not with_agreement)
    texts = _span_texts(session, schema, {r.task_id for r in records}) if with_agreement else None
    return analyze_project(
        schema, records, texts=texts, with_agreement=with_agreement, aggregator=AGGREGATOR
    )


def _span_texts(
    session: Session, schema: LabelingSchema, tasks: set[int]
) -> dict[tuple[int, str], str]:
    objects = {
        c.of for c in schema.controls if c.type == "spans" and schema.objects[c.of].type == "text"
    }
    if not objects:
        return {}
    texts = {}
    for task_id, body in repo.task_data(session, tasks).items():
        for name in objects:
            value = body.get(schema.data_key(name))
            if isinstance(value, str):
                texts[(task_id, name)] = value
    return texts


def quality_summary(session: Session, actor: Actor, project_id: int) -> out.QualitySummaryOut:
    """Agreement per control (the headline measure of its type) and the project's counts."""
    project, _ = policies.load_project(
        session, actor, project_id, allowed=policies.can_view_quality
    )
    return _cached(session, project, "summary", lambda: _summary(session, project))


def _summary(session: Session, project: Project) -> out.QualitySummaryOut:
    analysis = _analyze(session, project)
    controls = [
        out.ControlQualityOut(
            control=a.control,
            type=a.type,
            metric=a.metric,
            value=a.value,
            mean_pairwise=a.mean_pairwise,
            items=a.n_items,
            annotations=a.n_annotations,
            low_agreement_items=sum(s is not None and s < LOW_AGREEMENT for s in a.item_scores),
            details=dict(a.details),
        )
        for _, _, a in analysis.agreements
    ]
    records = [r for rows in analysis.by_task.values() for r in rows]
    return out.QualitySummaryOut(
        project_id=project.id,
        computed_at=datetime.now(UTC),
        annotations=len(records),
        annotated_tasks=len(analysis.by_task),
        overlapping_tasks=sum(len(rows) >= 2 for rows in analysis.by_task.values()),
        annotators=len({rater_key(r) for r in records}),
        gold_tasks=len(repo.gold_results(session, project.id)),
        low_agreement_threshold=LOW_AGREEMENT,
        controls=controls,
    )


def annotator_quality(session: Session, actor: Actor, project_id: int) -> out.AnnotatorsOut:
    """Per annotator: gold accuracy, agreement with consensus and peers, reviews, throughput,
    weekly trend and drift; per reviewer: how often adjudication overturned them."""
    project, _ = policies.load_project(
        session, actor, project_id, allowed=policies.can_view_quality
    )
    return _cached(session, project, "annotators", lambda: _annotators(session, project))


def _annotators(session: Session, project: Project) -> out.AnnotatorsOut:
    analysis = _analyze(session, project, with_agreement=False)
    reviews = repo.reviews(session, project.id)
    stats = annotator_stats(
        analysis.schema,
        [r for rows in analysis.by_task.values() for r in rows],
        gold=repo.gold_results(session, project.id),
        consensus={name: c.as_mapping() for name, c in analysis.consensus.items()},
        reviews=reviews,
        now=datetime.now(UTC),
    )
    roles: dict[int, str] = dict(repo.roles(session, project.id))
    reviewer_ids = {r.reviewer_id for r in reviews if r.reviewer_id is not None}
    roles.update({user_id: "admin" for user_id in repo.admins(session, reviewer_ids)})
    overturns = reviewer_stats(reviews, roles)
    ids = {s.author_id for s in stats} | {r.reviewer_id for r in overturns}
    emails = repo.emails(session, [i for i in ids if i is not None])
    annotators = [
        out.AnnotatorQualityOut(
            user_id=s.author_id,
            email=emails.get(s.author_id) if s.author_id is not None else None,
            annotations=s.annotations,
            tasks=s.tasks,
            gold_answers=s.gold_answers,
            gold_accuracy=s.gold_accuracy,
            gold_accuracy_by_control=s.gold_accuracy_by_control,
            consensus_agreement=s.consensus_agreement,
            peer_agreement=s.peer_agreement,
            reviews=out.ReviewCounts(
                reviewed=s.reviewed,
                accepted=s.verdicts.get("accept", 0),
                rejected=s.verdicts.get("reject", 0),
                fixed=s.verdicts.get("fix", 0),
                reject_rate=s.verdicts.get("reject", 0) / s.reviewed if s.reviewed else None,
                by_severity=s.by_severity,
            ),
            lead_time_ms_median=s.lead_time_ms_median,
            annotations_per_active_week=s.annotations_per_active_week,
            weekly=[
                out.WeekOut(week=w, annotations=n, gold_answers=g, gold_accuracy=a)
                for w, n, g, a in s.weekly
            ],
            drift=out.DriftOut(
                drifted=s.drift.drifted,
                past_accuracy=s.drift.past_rate,
                recent_accuracy=s.drift.recent_rate,
                p_value=s.drift.p_value,
                method=s.drift.method,
            ),
        )
        for s in sorted(stats, key=lambda s: (s.author_id is None, s.author_id or 0))
    ]
    reviewers = [
        out.ReviewerQualityOut(
            user_id=r.reviewer_id,
            email=emails.get(r.reviewer_id) if r.reviewer_id is not None else None,
            reviews=r.reviews,
            adjudicated=r.adjudicated,
            overturned=r.overturned,
            overturn_rate=r.overturned / r.adjudicated if r.adjudicated else None,
        )
        for r in sorted(overturns, key=lambda r: (r.reviewer_id is None, r.reviewer_id or 0))
    ]
    return out.AnnotatorsOut(
        project_id=project.id,
        computed_at=datetime.now(UTC),
        annotators=annotators,
        reviewers=reviewers,
    )


def agreement_matrix_for(
    session: Session, actor: Actor, project_id: int, *, control: str | None = None
) -> out.AgreementMatrixOut:
    """Mean agreement of every pair of annotators on one control (default: the first)."""
    project, _ = policies.load_project(
        session, actor, project_id, allowed=policies.can_view_quality
    )
    schema = current_schema(session, project)
    spec = schema.control(control) if control else schema.controls[0]
    if spec is None:
        known = ", ".join(c.name for c in schema.controls)
        raise Invalid(
            f"The schema has no control '{control}'; controls: {known}.",
            errors=[{"loc": ["control"]}],
        )
    return _cached(
        session, project, f"matrix:{spec.name}", lambda: _matrix(session, project, schema, spec)
    )


def _matrix(
    session: Session, project: Project, schema: LabelingSchema, spec: ControlSpec
) -> out.AgreementMatrixOut:
    pairs = rater_pairs(schema, spec, _records(session, project, times=False))
    raters = [int(r) for r in pairs.raters]  # type: ignore[call-overload]
    matrix = agreement_matrix(pairs.rater_a, pairs.rater_b, pairs.similarity, n_raters=len(raters))
    emails = repo.emails(session, raters)
    return out.AgreementMatrixOut(
        project_id=project.id,
        control=spec.name,
        type=spec.type,
        computed_at=datetime.now(UTC),
        annotators=[out.AnnotatorRef(user_id=u, email=emails.get(u)) for u in raters],
        matrix=[[None if np.isnan(v) else float(v) for v in row] for row in matrix.mean],
        counts=matrix.counts.tolist(),
    )


def label_issues(
    session: Session,
    actor: Actor,
    project_id: int,
    *,
    kind: out.IssueKind | None = None,
    limit: int = 100,
) -> out.LabelIssuesOut:
    """Likely label errors, most likely first: confident learning on the consensus with the
    newest prediction's `scores[control] = {label: probability}`, low agreement, and final
    labels the consensus contradicts."""
    project, _ = policies.load_project(
        session, actor, project_id, allowed=policies.can_view_quality
    )
    issues = _cached(session, project, "issues", lambda: _issues(session, project))
    chosen = [i for i in issues if kind is None or i.kind == kind.value]
    by_kind: dict[str, int] = defaultdict(int)
    for issue in issues:
        by_kind[issue.kind] += 1
    return out.LabelIssuesOut(
        project_id=project.id,
        computed_at=datetime.now(UTC),
        total=len(chosen),
        by_kind=dict(by_kind),
        items=[
            out.LabelIssueOut(
                task_id=int(i.task),  # type: ignore[call-overload]
                control=i.control,
                kind=out.IssueKind(i.kind),
                score=i.score,
                given=i.given,
                suggested=i.suggested,
            )
            for i in chosen[:limit]
        ],
    )


def _issues(session: Session, project: Project) -> list[LabelIssue]:
    return project_issues(
        _analyze(session, project),
        prediction_scores=repo.latest_prediction_scores(session, project.id),
        finals=repo.final_results(session, project.id),
        gold_tasks=frozenset(repo.gold_results(session, project.id)),
        threshold=LOW_AGREEMENT,
    )


def send_to_review(
    session: Session, actor: Actor, project_id: int, *, task_ids: Sequence[int] | None = None
) -> out.SendToReviewOut:
    """Send tasks (default: every flagged task) back to review in one action: their state
    becomes `review` and one audit event records which tasks."""
    project, _ = policies.load_project(
        session, actor, project_id, allowed=policies.can_manage_project
    )
    if task_ids is None:
        issues = _cached(session, project, "issues", lambda: _issues(session, project))
        wanted = sorted({int(i.task) for i in issues})  # type: ignore[call-overload]
    else:
        wanted = sorted(set(task_ids))
        found = set(repo.project_task_ids(session, project_id, wanted))
        unknown = [t for t in wanted if t not in found]
        if unknown:
            raise Invalid(
                f"Tasks {', '.join(map(str, unknown[:10]))} are not in project {project_id}.",
                errors=[{"loc": ["task_ids"], "msg": "unknown task", "task_ids": unknown[:100]}],
            )
    session.rollback()  # end the reads; the write below takes the write lock first
    begin_write(session)
    repo.mark_for_review(session, wanted)
    append_event(
        session,
        actor=actor.email,
        action="quality.send_to_review",
        entity="project",
        entity_id=project_id,
        project_id=project_id,
        payload={"task_ids": wanted},
    )
    session.commit()
    return out.SendToReviewOut(updated=len(wanted), task_ids=wanted)


def task_consensus(
    session: Session,
    actor: Actor,
    task_id: int,
    *,
    method: ConsensusMethod = ConsensusMethod.MAJORITY,
) -> out.ConsensusOut:
    """A suggested result for one task from its annotations (origin `consensus`)."""
    task, project, role = load_task(session, actor, task_id)
    if not policies.can_view_quality(actor, role):
        raise Forbidden("Your role does not allow seeing everyone's annotations of this task.")
    schema = current_schema(session, project)
    rows = repo.task_annotations(session, task_id)
    weights = None
    if method is ConsensusMethod.GOLD_WEIGHTED and rows:
        accuracy = {
            a.user_id: a.gold_accuracy
            for a in annotator_quality(session, actor, project.id).annotators
        }
        # Annotators without gold answers count as an average annotator would.
        known = [v for v in accuracy.values() if v is not None]
        default = float(np.mean(known)) if known else 1.0
        weights = [accuracy.get(r.author_id) or default for r in rows]
        if sum(weights) <= 0:
            weights = None
    texts: dict[str, str] = {}
    for control in schema.controls:
        text = task.data.get(schema.data_key(control.of)) if control.of else None
        if control.type == "spans" and control.of and isinstance(text, str):
            texts[control.of] = text
    results = [r.results for r in rows]
    suggestion = consensus_results(schema, results, weights=weights, texts=texts)
    agreement = task_agreement(schema, results)
    return out.ConsensusOut(
        task_id=task.id,
        aggregator=method.value,
        annotations=len(rows),
        results=dict(suggestion.results),
        methods=dict(suggestion.methods),
        agreement=agreement.overall,
        agreement_by_control=dict(agreement.per_control),
    )
