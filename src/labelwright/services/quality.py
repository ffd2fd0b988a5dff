"""Quality dashboard use cases: agreement per control, annotator scores, agreement matrix,
label issues (and sending them back to review), and a consensus suggestion per task.

The views read incremental aggregates (`services/quality_aggregates.py`): writers only mark the
tasks they change, and each view first counts the marked tasks (usually few: the server's
background refresher keeps the backlog small), so it answers in milliseconds at any project
size, reflects every committed write, and agrees across server processes. What cannot be kept
incrementally is the whole-project analysis (Dawid-Skene consensus, confident learning): its
issues are stored by `analyze_quality` and redone on read only for small projects. `analyze`
is the from-scratch computation over every annotation, used by that analysis and as the
reference in tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from enum import StrEnum

import numpy as np
from sqlalchemy.orm import Session

from labelwright.domain import LabelingSchema
from labelwright.errors import Forbidden, Invalid, NotFound
from labelwright.quality.aggregation.consensus import consensus_results
from labelwright.quality.agreement.task import task_agreement
from labelwright.quality.increments import encode_key
from labelwright.quality.issues import LabelIssue
from labelwright.quality.project import ProjectAnalysis, analyze_project, project_issues
from labelwright.quality.totals import (
    annotator_totals,
    control_totals,
    matrix_totals,
    reviewer_totals,
)
from labelwright.schemas import quality as out
from labelwright.services import policies
from labelwright.services import quality_aggregates as aggregates
from labelwright.services.context import Actor
from labelwright.services.quality_aggregates import LOW_AGREEMENT
from labelwright.services.schemas import current_schema
from labelwright.services.tasks import load_task
from labelwright.store.audit import append_event
from labelwright.store.db import begin_write
from labelwright.store.models import Project
from labelwright.store.repositories import quality as repo

AGGREGATOR = "dawid-skene@1"
ANALYSIS_INLINE_LIMIT = 20_000
"""Projects with at most this many annotations redo a stale analysis when read."""

__all__ = ["LOW_AGREEMENT", "ConsensusMethod", "analyze"]


class ConsensusMethod(StrEnum):
    MAJORITY = "majority"
    GOLD_WEIGHTED = "gold-weighted"


def _utc(at: datetime) -> datetime:
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def _records(session: Session, project: Project, *, times: bool) -> list[repo.AnnotationRow]:
    rows = repo.iter_annotations(session, project.id, times=times)
    if not times:
        return list(rows)
    return [r if r.created_at.tzinfo else r._replace(created_at=_utc(r.created_at)) for r in rows]


def analyze(session: Session, project: Project, *, with_agreement: bool = True) -> ProjectAnalysis:
    """Analyze every live annotation of the project from scratch (slow on large projects)."""
    schema = current_schema(session, project)
    records = _records(session, project, times=True)
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


def quality_summary(
    session: Session, actor: Actor, project_id: int, *, budget: float | None = None
) -> out.QualitySummaryOut:
    """Agreement per control (the headline measure of its type) and the project's counts."""
    project, pending = _current_project(session, actor, project_id, budget)
    schema = current_schema(session, project)
    by_control = repo.counters(session, project.id, "c")
    controls = []
    for spec in schema.controls:
        sums = by_control.get(spec.name, {})
        a = control_totals(spec, sums)
        controls.append(
            out.ControlQualityOut(
                control=a.control,
                type=a.type,
                metric=a.metric,
                value=a.value,
                mean_pairwise=a.mean_pairwise,
                items=a.n_items,
                annotations=a.n_annotations,
                low_agreement_items=round(sums.get(encode_key("low"), 0.0)),
                details=dict(a.details),
            )
        )
    counts = repo.counters(session, project.id, "p").get("", {})
    authors = repo.counter_by_scope(session, project.id, "a", encode_key("annotations"))

    def count(name: str) -> int:
        return round(counts.get(encode_key(name), 0.0))

    return out.QualitySummaryOut(
        project_id=project.id,
        computed_at=datetime.now(UTC),
        annotations=count("annotations"),
        annotated_tasks=count("annotated_tasks"),
        overlapping_tasks=count("overlapping_tasks"),
        annotators=sum(1 for s, n in authors.items() if s and round(n) > 0) + count("authorless"),
        gold_tasks=count("gold_tasks"),
        low_agreement_threshold=LOW_AGREEMENT,
        controls=controls,
        pending=pending,
    )


def _current_project(
    session: Session, actor: Actor, project_id: int, budget: float | None
) -> tuple[Project, int]:
    """Load the project for a quality view after counting its changes for at most `budget`
    seconds (None: all of them); returns it with the number of changes still pending."""
    project, _ = policies.load_project(
        session, actor, project_id, allowed=policies.can_view_quality
    )
    pending = aggregates.catch_up_for_read(session, project, budget=budget)
    fresh = session.get(Project, project_id)
    if fresh is None:  # deleted in between
        raise NotFound(f"Project {project_id} does not exist.")
    return fresh, pending


def annotator_quality(
    session: Session, actor: Actor, project_id: int, *, budget: float | None = None
) -> out.AnnotatorsOut:
    """Per annotator: gold accuracy, agreement with consensus and peers, reviews, throughput,
    weekly trend and drift; per reviewer: how often adjudication overturned them."""
    project, pending = _current_project(session, actor, project_id, budget)
    now = datetime.now(UTC)
    by_author = repo.counters(session, project.id, "a")
    stats = [
        annotator_totals(None if scope == "" else int(scope), sums, now=now)
        for scope, sums in by_author.items()
        if round(sums.get(encode_key("annotations"), 0.0)) > 0
    ]
    overturns = [
        reviewer_totals(None if scope == "" else int(scope), sums)
        for scope, sums in repo.counters(session, project.id, "r").items()
        if round(sums.get(encode_key("reviews"), 0.0)) > 0
    ]
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
        computed_at=now,
        annotators=annotators,
        reviewers=reviewers,
        pending=pending,
    )


def agreement_matrix_for(
    session: Session,
    actor: Actor,
    project_id: int,
    *,
    control: str | None = None,
    budget: float | None = None,
) -> out.AgreementMatrixOut:
    """Mean agreement of every pair of annotators on one control (default: the first)."""
    project, pending = _current_project(session, actor, project_id, budget)
    schema = current_schema(session, project)
    spec = schema.control(control) if control else schema.controls[0]
    if spec is None:
        known = ", ".join(c.name for c in schema.controls)
        raise Invalid(
            f"The schema has no control '{control}'; controls: {known}.",
            errors=[{"loc": ["control"]}],
        )
    authors = repo.counter_by_scope(session, project.id, "a", encode_key("annotations"))
    raters = sorted(int(s) for s, n in authors.items() if s and round(n) > 0)
    matrix = matrix_totals(
        raters, repo.counters(session, project.id, "m", spec.name).get(spec.name, {})
    )
    emails = repo.emails(session, raters)
    return out.AgreementMatrixOut(
        project_id=project.id,
        control=spec.name,
        type=spec.type,
        computed_at=datetime.now(UTC),
        annotators=[out.AnnotatorRef(user_id=u, email=emails.get(u)) for u in raters],
        matrix=[[None if np.isnan(v) else float(v) for v in row] for row in matrix.mean],
        counts=matrix.counts.tolist(),
        pending=pending,
    )


def label_issues(
    session: Session,
    actor: Actor,
    project_id: int,
    *,
    kind: out.IssueKind | None = None,
    limit: int = 100,
    budget: float | None = None,
) -> out.LabelIssuesOut:
    """Likely label errors, most likely first: confident learning on the Dawid-Skene consensus
    with the newest prediction's `scores[control] = {label: probability}`, final labels the
    consensus contradicts (both from the last whole-project analysis, see `analyze_project`),
    then low agreement (always current)."""
    project, pending = _current_project(session, actor, project_id, budget)
    analyzed_at = _fresh_analysis(session, project)
    by_kind = repo.analysis_issue_counts(session, project.id)
    low_total = sum(
        round(sums.get(encode_key("low"), 0.0))
        for sums in repo.counters(session, project.id, "c").values()
    )
    if low_total:
        by_kind[out.IssueKind.LOW_AGREEMENT.value] = low_total
    items: list[out.LabelIssueOut] = []
    if kind is not out.IssueKind.LOW_AGREEMENT:
        wanted = None if kind is None else kind.value
        for issue in repo.analysis_issues(session, project.id, kind=wanted, limit=limit):
            items.append(
                out.LabelIssueOut(
                    task_id=issue.task_id,
                    control=issue.control,
                    kind=out.IssueKind(issue.kind),
                    score=issue.score,
                    given=issue.given,
                    suggested=issue.suggested,
                )
            )
    if kind in (None, out.IssueKind.LOW_AGREEMENT) and len(items) < limit:
        low = repo.low_agreement_tasks(
            session, project.id, below=LOW_AGREEMENT, limit=limit - len(items)
        )
        items += [
            out.LabelIssueOut(
                task_id=task_id, control=control, kind=out.IssueKind.LOW_AGREEMENT, score=score
            )
            for task_id, control, score in low
        ]
    return out.LabelIssuesOut(
        project_id=project.id,
        computed_at=analyzed_at or datetime.now(UTC),
        total=sum(by_kind.values()) if kind is None else by_kind.get(kind.value, 0),
        by_kind=by_kind,
        items=items,
        pending=pending,
    )


def _fresh_analysis(session: Session, project: Project) -> datetime | None:
    """The time of the project's last analysis; a stale one of a small project (at most
    `ANALYSIS_INLINE_LIMIT` annotations) is redone now, a large one waits for
    `analyze_quality` (the API's analysis action or `labelwright quality rebuild`)."""
    state = repo.quality_state(session, project.id)
    marker = repo.change_marker(session, project.id)
    if state is not None and state.analysis_marker == marker:
        return state.analysis_at
    annotations = repo.counters(session, project.id, "p").get("", {}).get(encode_key("annotations"))
    if state is not None and (annotations or 0) > ANALYSIS_INLINE_LIMIT:
        return state.analysis_at
    project_id = project.id
    session.rollback()
    begin_write(session)
    fresh = session.get(Project, project_id)
    if fresh is None:
        session.rollback()
        return None
    at = _store_analysis(session, fresh)
    session.commit()
    return at


def analyze_quality(session: Session, actor: Actor, project_id: int) -> out.LabelIssuesOut:
    """Redo the whole-project analysis (Dawid-Skene consensus and confident learning) now;
    on a large project this takes a while (tens of seconds at a million annotations)."""
    policies.load_project(session, actor, project_id, allowed=policies.can_manage_project)
    session.rollback()
    begin_write(session)
    fresh = session.get(Project, project_id)
    if fresh is None:
        raise NotFound(f"Project {project_id} does not exist.")
    _store_analysis(session, fresh)
    session.commit()
    return label_issues(session, actor, project_id)


def _store_analysis(session: Session, project: Project) -> datetime:
    """Run the analysis inside the caller's write transaction and store its issues."""
    marker = repo.change_marker(session, project.id)
    issues = [
        i
        for i in _issues(session, project)
        if i.kind in (out.IssueKind.CONFIDENT_LEARNING, out.IssueKind.CONSENSUS_DIFFERS)
    ]
    repo.replace_issues(
        session,
        project.id,
        [
            {
                "task_id": int(i.task),  # type: ignore[call-overload]
                "control": i.control,
                "kind": i.kind,
                "rank": rank,
                "score": i.score,
                "given": i.given,
                "suggested": i.suggested,
            }
            for rank, i in enumerate(issues)
        ],
    )
    state = repo.quality_state(session, project.id)
    if state is None:
        aggregates.rebuild_project(session, project)
        state = repo.quality_state(session, project.id)
    now = datetime.now(UTC)
    assert state is not None
    state.analysis_at, state.analysis_marker = now, marker
    return now


def _issues(session: Session, project: Project) -> list[LabelIssue]:
    return project_issues(
        analyze(session, project),
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
        aggregates.catch_up_for_read(session, project, budget=None)
        _fresh_analysis(session, project)
        wanted = sorted(
            set(repo.analysis_task_ids(session, project_id))
            | set(repo.low_agreement_task_ids(session, project_id, below=LOW_AGREEMENT))
        )
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
