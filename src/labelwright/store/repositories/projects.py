"""Statements for projects and their versioned schemas and guidelines."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from labelwright.store.models import (
    Annotation,
    GuidelineVersion,
    Membership,
    Project,
    SchemaVersion,
    Task,
)


def readable_projects(user_id: int, *, is_admin: bool) -> Select[tuple[Project]]:
    """The projects a user may see: all for admins, else those they are a member of."""
    statement = select(Project)
    if not is_admin:
        statement = statement.join(
            Membership, (Membership.project_id == Project.id) & (Membership.user_id == user_id)
        )
    return statement


def list_projects(
    session: Session, user_id: int, *, is_admin: bool, after: int, limit: int
) -> Sequence[Project]:
    statement = (
        readable_projects(user_id, is_admin=is_admin)
        .where(Project.id > after)
        .order_by(Project.id)
        .limit(limit)
    )
    return session.scalars(statement).all()


def get_schema_version(session: Session, project_id: int, version: int) -> SchemaVersion | None:
    return session.scalars(
        select(SchemaVersion).where(
            SchemaVersion.project_id == project_id, SchemaVersion.version == version
        )
    ).first()


def get_guideline_version(
    session: Session, project_id: int, version: int
) -> GuidelineVersion | None:
    return session.scalars(
        select(GuidelineVersion).where(
            GuidelineVersion.project_id == project_id, GuidelineVersion.version == version
        )
    ).first()


def guideline_versions_after(
    session: Session, project_id: int, version: int
) -> Sequence[GuidelineVersion]:
    return session.scalars(
        select(GuidelineVersion)
        .where(GuidelineVersion.project_id == project_id, GuidelineVersion.version > version)
        .order_by(GuidelineVersion.version)
    ).all()


def counts(session: Session, project_id: int) -> tuple[int, int]:
    """Tasks and live annotations of a project (index-only counts)."""
    tasks = session.scalar(select(func.count()).where(Task.project_id == project_id)) or 0
    annotations = (
        session.scalar(
            select(func.count()).where(
                Annotation.project_id == project_id, Annotation.deleted_at.is_(None)
            )
        )
        or 0
    )
    return tasks, annotations
