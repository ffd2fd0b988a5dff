"""Every permission decision, one function each. Services call these; nothing else decides."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

from sqlalchemy.orm import Session

from labelwright.errors import Forbidden, NotFound
from labelwright.services.context import Actor
from labelwright.store.models import Project
from labelwright.store.repositories import users as user_repo


class Role(StrEnum):
    MANAGER = "manager"
    ANNOTATOR = "annotator"
    REVIEWER = "reviewer"
    EXPERT = "expert"


ALL_ROLES = frozenset(Role)
_SEE_ALL_WORK = frozenset({Role.MANAGER, Role.REVIEWER, Role.EXPERT})


def can_manage_project(actor: Actor, role: Role | None) -> bool:
    """Edit settings, schema, guidelines, members; import; export; delete."""
    return actor.is_admin or role == Role.MANAGER


def can_annotate(actor: Actor, role: Role | None) -> bool:
    return actor.is_admin or role in ALL_ROLES


def can_see_all_annotations(actor: Actor, role: Role | None) -> bool:
    """Annotators see only their own work; reviewers, experts and managers see everyone's."""
    return actor.is_admin or role in _SEE_ALL_WORK


def can_delete_annotation(actor: Actor, role: Role | None, author_id: int | None) -> bool:
    return can_manage_project(actor, role) or (actor.id is not None and actor.id == author_id)


def can_manage_users(actor: Actor) -> bool:
    return actor.is_admin


def can_list_users(session: Session, actor: Actor) -> bool:
    """Admins, and managers (who need user ids to add members)."""
    return actor.is_admin or (
        actor.id is not None and user_repo.is_manager_anywhere(session, actor.id)
    )


def can_read_audit(actor: Actor, managed_project: bool) -> bool:
    return actor.is_admin or managed_project


def project_role(session: Session, actor: Actor, project_id: int) -> Role | None:
    if actor.id is None:
        return None
    membership = user_repo.get_membership(session, project_id, actor.id)
    return Role(membership.role) if membership else None


def load_project(
    session: Session,
    actor: Actor,
    project_id: int,
    *,
    allowed: Callable[[Actor, Role | None], bool] | None = None,
) -> tuple[Project, Role | None]:
    """The project and the actor's role in it.

    A project the actor may not see is `NotFound` (no existence leak); one they see but may not
    act on in this way (`allowed(actor, role)` false) is `Forbidden`.
    """
    project = session.get(Project, project_id)
    role = project_role(session, actor, project_id) if project else None
    if project is None or (role is None and not actor.is_admin):
        raise NotFound(f"Project {project_id} does not exist.")
    if allowed is not None and not allowed(actor, role):
        raise Forbidden(f"Your role in project {project_id} does not allow this.")
    return project, role


def can_view_quality(actor: Actor, role: Role | None) -> bool:
    """The quality dashboard shows everyone's work: managers, reviewers and experts."""
    return can_see_all_annotations(actor, role)
