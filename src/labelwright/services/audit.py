"""Reading and verifying the audit trail."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from labelwright.errors import Forbidden
from labelwright.services import policies
from labelwright.services.context import Actor
from labelwright.store.audit import ChainReport, verify_chain
from labelwright.store.models import AuditEvent, Membership


@dataclass(frozen=True)
class AuditFilter:
    project_id: int | None = None
    entity: str | None = None
    entity_id: str | None = None
    action: str | None = None
    actor: str | None = None


def list_audit(
    session: Session, actor: Actor, where: AuditFilter, *, after: int, limit: int
) -> Sequence[AuditEvent]:
    """Events in seq order: admins see all; managers see the projects they manage."""
    statement = select(AuditEvent).where(AuditEvent.seq > after)
    if not actor.is_admin:
        managed = select(Membership.project_id).where(
            Membership.user_id == actor.id, Membership.role == policies.Role.MANAGER
        )
        if where.project_id is not None:
            role = policies.project_role(session, actor, where.project_id)
            if not policies.can_read_audit(actor, role == policies.Role.MANAGER):
                raise Forbidden("Only admins and the project's managers read its audit trail.")
        elif session.scalars(managed.limit(1)).first() is None:
            raise Forbidden("Only admins and project managers read the audit trail.")
        statement = statement.where(AuditEvent.project_id.in_(managed))
    if where.project_id is not None:
        statement = statement.where(AuditEvent.project_id == where.project_id)
    if where.entity is not None:
        statement = statement.where(AuditEvent.entity == where.entity)
    if where.entity_id is not None:
        statement = statement.where(AuditEvent.entity_id == where.entity_id)
    if where.action is not None:
        statement = statement.where(AuditEvent.action == where.action)
    if where.actor is not None:
        statement = statement.where(AuditEvent.actor == where.actor)
    return session.scalars(statement.order_by(AuditEvent.seq).limit(limit)).all()


def verify_audit(session: Session) -> ChainReport:
    """Recompute the whole chain (CLI: `labelwright audit verify`)."""
    return verify_chain(session)
