"""Statements for reading the audit trail."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from labelwright.store.models import AuditEvent, Membership


@dataclass(frozen=True)
class AuditFilter:
    project_id: int | None = None
    entity: str | None = None
    entity_id: str | None = None
    action: str | None = None
    actor: str | None = None


def list_events(
    session: Session,
    where: AuditFilter,
    *,
    managed_by: int | None,
    after: int,
    limit: int,
    newest_first: bool = False,
) -> Sequence[AuditEvent]:
    """Events in seq order (or newest first, `after` then being an upper bound); `managed_by`
    limits them to the projects that user manages."""
    statement = select(AuditEvent)
    if newest_first and after:
        statement = statement.where(AuditEvent.seq < after)
    elif not newest_first:
        statement = statement.where(AuditEvent.seq > after)
    if managed_by is not None:
        managed = select(Membership.project_id).where(
            Membership.user_id == managed_by, Membership.role == "manager"
        )
        statement = statement.where(AuditEvent.project_id.in_(managed))
    for column, value in (
        (AuditEvent.project_id, where.project_id),
        (AuditEvent.entity, where.entity),
        (AuditEvent.entity_id, where.entity_id),
        (AuditEvent.action, where.action),
        (AuditEvent.actor, where.actor),
    ):
        if value is not None:
            statement = statement.where(column == value)
    order = AuditEvent.seq.desc() if newest_first else AuditEvent.seq
    return session.scalars(statement.order_by(order).limit(limit)).all()
