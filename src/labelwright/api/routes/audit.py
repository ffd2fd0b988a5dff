"""The audit trail."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from labelwright.api.deps import CurrentActor, SessionDep, cursor_after, next_cursor
from labelwright.api.problems import problem_responses
from labelwright.api.routes import API_PREFIX
from labelwright.schemas.common import Page
from labelwright.schemas.tasks import AuditEventOut
from labelwright.services import audit
from labelwright.services.audit import AuditFilter

router = APIRouter(prefix=API_PREFIX, tags=["audit"])


@router.get("/audit", response_model=Page[AuditEventOut], responses=problem_responses(401, 403))
def list_audit(
    actor: CurrentActor,
    session: SessionDep,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    project_id: int | None = None,
    entity: str | None = None,
    entity_id: str | None = None,
    action: str | None = None,
    actor_email: Annotated[str | None, Query(alias="actor")] = None,
    order: Literal["asc", "desc"] = "asc",
) -> Page[AuditEventOut]:
    """Audit events in order, or newest first with `order=desc` (admins: all; managers: their
    projects), with filters."""
    where = AuditFilter(
        project_id=project_id, entity=entity, entity_id=entity_id, action=action, actor=actor_email
    )
    rows = audit.list_audit(
        session,
        actor,
        where,
        after=cursor_after(cursor),
        limit=limit,
        newest_first=order == "desc",
    )
    return Page(
        items=[AuditEventOut.model_validate(e) for e in rows],
        next_cursor=next_cursor([e.seq for e in rows], limit),
    )
