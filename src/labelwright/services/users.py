"""Instance users: creation by admins, listing, and the first-start admin."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from labelwright.errors import Conflict, Forbidden, Invalid
from labelwright.services import policies
from labelwright.services.auth import hash_password
from labelwright.services.context import SYSTEM, Actor
from labelwright.store.audit import append_event
from labelwright.store.db import begin_write
from labelwright.store.models import User
from labelwright.store.repositories import users as user_repo

MIN_PASSWORD_LENGTH = 8


def _check_new_user(email: str, password: str) -> str:
    email = email.strip().lower()
    problems = []
    if "@" not in email or email.startswith("@") or email.endswith("@"):
        problems.append({"loc": ["email"], "msg": f"'{email}' is not an email address."})
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(
            {"loc": ["password"], "msg": f"Use at least {MIN_PASSWORD_LENGTH} characters."}
        )
    if problems:
        raise Invalid("; ".join(p["msg"] for p in problems), errors=problems)
    return email


def create_user(
    session: Session,
    actor: Actor,
    *,
    email: str,
    password: str,
    name: str = "",
    is_admin: bool = False,
) -> User:
    """Create a user (instance admins only)."""
    if not policies.can_manage_users(actor):
        raise Forbidden("Only instance admins create users.")
    email = _check_new_user(email, password)
    begin_write(session)
    if user_repo.get_user_by_email(session, email) is not None:
        raise Conflict(f"A user with email '{email}' already exists.")
    user = User(email=email, name=name, password_hash=hash_password(password), is_admin=is_admin)
    session.add(user)
    try:
        session.flush()
    except IntegrityError as exc:  # a concurrent insert of the same email
        raise Conflict(f"A user with email '{email}' already exists.") from exc
    append_event(
        session,
        actor=actor.email,
        action="user.create",
        entity="user",
        entity_id=user.id,
        payload={"email": email, "is_admin": is_admin},
    )
    session.commit()
    return user


def list_users(session: Session, actor: Actor, *, after: int, limit: int) -> Sequence[User]:
    if not policies.can_list_users(session, actor):
        raise Forbidden("Only admins and project managers list users.")
    return user_repo.list_users(session, after=after, limit=limit)


@dataclass(frozen=True)
class FirstAdmin:
    email: str
    password: str | None  # set only when it was generated now (print it once)
    created: bool


def ensure_admin(session: Session, *, email: str | None, password: str | None) -> FirstAdmin:
    """Create the first admin when the instance has none (from settings, or generated)."""
    email = (email or "admin@labelwright.local").strip().lower()
    if user_repo.has_admin(session):
        session.rollback()
        return FirstAdmin(email=email, password=None, created=False)
    generated = password is None
    password = password or secrets.token_urlsafe(12)
    session.rollback()
    create_user(session, SYSTEM, email=email, password=password, name="Admin", is_admin=True)
    return FirstAdmin(email=email, password=password if generated else None, created=True)
