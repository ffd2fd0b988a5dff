"""Reading and verifying the audit trail."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from labelwright.errors import Forbidden
from labelwright.services import policies
from labelwright.services.context import Actor
from labelwright.store.audit import ChainReport, verify_chain
from labelwright.store.models import AuditEvent
from labelwright.store.repositories import users as user_repo
from labelwright.store.repositories.audit import AuditFilter, list_events

__all__ = ["AuditFilter", "list_audit", "verify_audit"]


def list_audit(
    session: Session,
    actor: Actor,
    where: AuditFilter,
    *,
    after: int,
    limit: int,
    newest_first: bool = False,
) -> Sequence[AuditEvent]:
    """Events in seq order: admins see all; managers see the projects they manage."""
    if actor.is_admin:
        return list_events(
            session, where, managed_by=None, after=after, limit=limit, newest_first=newest_first
        )
    if where.project_id is not None:
        role = policies.project_role(session, actor, where.project_id)
        if not policies.can_read_audit(actor, role == policies.Role.MANAGER):
            raise Forbidden("Only admins and the project's managers read its audit trail.")
    elif actor.id is None or not user_repo.is_manager_anywhere(session, actor.id):
        raise Forbidden("Only admins and project managers read the audit trail.")
    return list_events(
        session, where, managed_by=actor.id, after=after, limit=limit, newest_first=newest_first
    )


def verify_audit(session: Session) -> ChainReport:
    """Recompute the whole chain (CLI: `labelwright audit verify`)."""
    return verify_chain(session)
