"""Passwords (argon2), login sessions and API tokens (stored as sha256 of the secret)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session

from labelwright.errors import NotFound, Unauthenticated
from labelwright.services.context import Actor, Platform
from labelwright.store.audit import append_event
from labelwright.store.db import begin_write
from labelwright.store.models import ApiToken, User
from labelwright.store.repositories import users as user_repo

_hasher = PasswordHasher()
# Verifying against a dummy hash when the email is unknown keeps login timing uniform.
_DUMMY_HASH = _hasher.hash("labelwright-dummy-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def token_sha256(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def actor_of(user: User) -> Actor:
    return Actor(id=user.id, email=user.email, is_admin=user.is_admin)


@dataclass(frozen=True)
class IssuedToken:
    id: int
    token: str
    expires_at: datetime | None


def login(platform: Platform, session: Session, email: str, password: str) -> IssuedToken:
    """Check the password and open a web session (a `session` token with an expiry)."""
    begin_write(session)
    user = user_repo.get_user_by_email(session, email)
    if user is None or not user.is_active:
        verify_password(_DUMMY_HASH, password)
        raise Unauthenticated("Email or password is wrong.")
    if not verify_password(user.password_hash, password):
        raise Unauthenticated("Email or password is wrong.")
    expires = datetime.now(UTC) + timedelta(hours=platform.settings.session_hours)
    issued = _issue(session, user, kind="session", name="web login", expires_at=expires)
    append_event(session, actor=user.email, action="auth.login", entity="user", entity_id=user.id)
    session.commit()
    return issued


def logout(session: Session, actor: Actor, token: str) -> None:
    begin_write(session)
    row = user_repo.find_live_token(session, token_sha256(token), datetime.now(UTC))
    if row is not None:
        row.revoked_at = datetime.now(UTC)
        append_event(
            session, actor=actor.email, action="auth.logout", entity="user", entity_id=row.user_id
        )
    session.commit()


def create_api_token(session: Session, actor: Actor, *, name: str = "") -> IssuedToken:
    """A new API token for the actor; the secret is returned once and stored hashed."""
    begin_write(session)
    user = user_repo.get_user(session, actor.id) if actor.id is not None else None
    if user is None:
        raise NotFound("User does not exist.")
    issued = _issue(session, user, kind="api", name=name, expires_at=None)
    append_event(
        session,
        actor=actor.email,
        action="token.create",
        entity="api_token",
        entity_id=issued.id,
        payload={"user_id": user.id, "name": name},
    )
    session.commit()
    return issued


def revoke_api_token(session: Session, actor: Actor, token_id: int) -> None:
    begin_write(session)
    row = session.get(ApiToken, token_id)
    if row is None or row.revoked_at is not None or not (actor.is_admin or row.user_id == actor.id):
        raise NotFound(f"Token {token_id} does not exist.")
    row.revoked_at = datetime.now(UTC)
    append_event(
        session, actor=actor.email, action="token.revoke", entity="api_token", entity_id=row.id
    )
    session.commit()


def authenticate(session: Session, token: str) -> tuple[Actor, int]:
    """The actor behind a session or API token, and the token's id; `Unauthenticated` if none."""
    holder = user_repo.live_token_holder(session, token_sha256(token), datetime.now(UTC))
    if holder is None:
        raise Unauthenticated("The token is unknown, expired or revoked.")
    token_id, user_id, email, is_admin = holder
    return Actor(id=user_id, email=email, is_admin=is_admin), token_id


def _issue(
    session: Session, user: User, *, kind: str, name: str, expires_at: datetime | None
) -> IssuedToken:
    secret = secrets.token_urlsafe(32)
    row = ApiToken(
        user_id=user.id,
        token_sha256=token_sha256(secret),
        kind=kind,
        name=name,
        expires_at=expires_at,
    )
    session.add(row)
    session.flush()
    return IssuedToken(id=row.id, token=secret, expires_at=expires_at)
