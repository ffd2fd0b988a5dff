"""Statements for media records and their project links."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from labelwright.store.models import Media, Membership, ProjectMedia


def accessible_media(
    session: Session, shas: Collection[str], *, user_id: int | None, is_admin: bool
) -> dict[str, Media]:
    """Those of `shas` that exist and the user may use: uploaded by them or in their projects."""
    if not shas:
        return {}
    statement = select(Media).where(Media.sha256.in_(list(shas)))
    if not is_admin:
        in_my_projects = (
            select(ProjectMedia.sha256)
            .join(Membership, Membership.project_id == ProjectMedia.project_id)
            .where(Membership.user_id == user_id, ProjectMedia.sha256 == Media.sha256)
            .exists()
        )
        statement = statement.where(or_(Media.created_by == user_id, in_my_projects))
    return {m.sha256: m for m in session.scalars(statement)}


def is_in_projects_of(session: Session, sha256: str, user_id: int) -> bool:
    """Whether a project the user is a member of refers to this media."""
    linked = session.scalars(
        select(ProjectMedia.project_id)
        .join(Membership, Membership.project_id == ProjectMedia.project_id)
        .where(ProjectMedia.sha256 == sha256, Membership.user_id == user_id)
        .limit(1)
    ).first()
    return linked is not None


def media_by_sha(session: Session, shas: Collection[str]) -> dict[str, Media]:
    """The media records among `shas` (no permission check: for sizes and durations)."""
    if not shas:
        return {}
    return {m.sha256: m for m in session.scalars(select(Media).where(Media.sha256.in_(list(shas))))}
