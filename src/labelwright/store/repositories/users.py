"""Statements for users, tokens and memberships."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import Session

from labelwright.store.models import ApiToken, Membership, User


def get_user(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def get_user_by_email(session: Session, email: str) -> User | None:
    return session.scalars(select(User).where(User.email == email.lower())).first()


def list_users(session: Session, *, after: int, limit: int) -> Sequence[User]:
    return session.scalars(select(User).where(User.id > after).order_by(User.id).limit(limit)).all()


def has_admin(session: Session) -> bool:
    return (
        session.scalars(select(User.id).where(User.is_admin.is_(True)).limit(1)).first() is not None
    )


def find_live_token(session: Session, token_sha256: str, now: datetime) -> ApiToken | None:
    return session.scalars(
        select(ApiToken).where(
            ApiToken.token_sha256 == token_sha256,
            ApiToken.revoked_at.is_(None),
            or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > now),
        )
    ).first()


_tokens, _users = ApiToken.__table__, User.__table__
_TOKEN_HOLDER = (
    select(_tokens.c.id, _users.c.id, _users.c.email, _users.c.is_admin)
    .join(_users, _users.c.id == _tokens.c.user_id)
    .where(
        _tokens.c.token_sha256 == bindparam("sha"),
        _tokens.c.revoked_at.is_(None),
        or_(_tokens.c.expires_at.is_(None), _tokens.c.expires_at > bindparam("now")),
        _users.c.is_active.is_(True),
    )
    .limit(1)
)


def live_token_holder(
    session: Session, token_sha256: str, now: datetime
) -> tuple[int, int, str, bool] | None:
    """(token id, user id, email, is admin) of a live token of an active user, in one read
    (it runs on every API request)."""
    row = session.connection().execute(_TOKEN_HOLDER, {"sha": token_sha256, "now": now}).first()
    return (row[0], row[1], row[2], bool(row[3])) if row is not None else None


def get_membership(session: Session, project_id: int, user_id: int) -> Membership | None:
    return session.get(Membership, (project_id, user_id))


def list_memberships(session: Session, project_id: int) -> Sequence[Membership]:
    return session.scalars(
        select(Membership).where(Membership.project_id == project_id).order_by(Membership.user_id)
    ).all()


def is_manager_anywhere(session: Session, user_id: int) -> bool:
    return (
        session.scalars(
            select(Membership.project_id)
            .where(Membership.user_id == user_id, Membership.role == "manager")
            .limit(1)
        ).first()
        is not None
    )
