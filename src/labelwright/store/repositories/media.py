"""Statements for media records, their uploaders and their project links."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from labelwright.store.models import Media, MediaUpload, Membership, ProjectMedia


def _insert_ignoring_duplicates(
    session: Session, model: type[Media] | type[MediaUpload], rows: Sequence[dict[str, Any]]
) -> None:
    """INSERT ... ON CONFLICT DO NOTHING: concurrent uploads of the same bytes both succeed."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        session.execute(pg_insert(model).on_conflict_do_nothing(), list(rows))
    else:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        session.execute(sqlite_insert(model).on_conflict_do_nothing(), list(rows))


def record_upload(session: Session, values: dict[str, Any], *, user_id: int | None) -> Media:
    """The media record of an upload (created by its first uploader) with `user_id` recorded as
    one of its uploaders; `values` are the columns of a new record."""
    media = session.get(Media, values["sha256"])
    if media is None:
        _insert_ignoring_duplicates(session, Media, [values])
        media = session.get(Media, values["sha256"])
    if media is None:  # pragma: no cover - the row was just inserted or already there
        raise LookupError(f"media {values['sha256']} vanished during its upload")
    if user_id is not None:
        _insert_ignoring_duplicates(
            session, MediaUpload, [{"sha256": media.sha256, "user_id": user_id}]
        )
    return media


def accessible_media(
    session: Session, shas: Collection[str], *, user_id: int | None, is_admin: bool
) -> dict[str, Media]:
    """Those of `shas` that exist and the user may use: uploaded by them or in their projects."""
    if not shas:
        return {}
    statement = select(Media).where(Media.sha256.in_(list(shas)))
    if not is_admin:
        uploaded_by_me = (
            select(MediaUpload.sha256)
            .where(MediaUpload.user_id == user_id, MediaUpload.sha256 == Media.sha256)
            .exists()
        )
        in_my_projects = (
            select(ProjectMedia.sha256)
            .join(Membership, Membership.project_id == ProjectMedia.project_id)
            .where(Membership.user_id == user_id, ProjectMedia.sha256 == Media.sha256)
            .exists()
        )
        statement = statement.where(
            or_(Media.created_by == user_id, uploaded_by_me, in_my_projects)
        )
    return {m.sha256: m for m in session.scalars(statement)}


def is_uploader(session: Session, sha256: str, user_id: int) -> bool:
    """Whether the user uploaded these bytes (first or later)."""
    return session.get(MediaUpload, (sha256, user_id)) is not None


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
