"""Request dependencies: the platform, a database session, the authenticated actor."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from labelwright.errors import Unauthenticated
from labelwright.services import auth
from labelwright.services.context import Actor, Platform
from labelwright.settings import Settings

SESSION_COOKIE = "lw_session"


async def get_platform(request: Request) -> Platform:
    """The process's platform (async: resolved on the event loop, no worker-thread hop)."""
    platform: Platform = request.app.state.platform
    return platform


PlatformDep = Annotated[Platform, Depends(get_platform)]


async def get_settings_dep(platform: PlatformDep) -> Settings:
    return platform.settings


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]


def get_session(platform: PlatformDep) -> Iterator[Session]:
    with platform.db.session() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def presented_token(request: Request) -> str | None:
    """The API token from `Authorization: Token <key>` or the web session cookie."""
    return token_of(request.headers.get("authorization"), request.cookies.get(SESSION_COOKIE))


def token_of(authorization: str | None, session_cookie: str | None) -> str | None:
    """The token an `Authorization` header (`Token <key>` or `Bearer <key>`) presents, else
    the web session cookie's."""
    if authorization:
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() in ("token", "bearer") and value.strip():
            return value.strip()
        raise Unauthenticated("Use 'Authorization: Token <key>'.")
    return session_cookie


def authenticated(request: Request, session: Session) -> Actor:
    """The caller of the request, looked up in `session` (whose read transaction it ends, so
    that a write use case can begin its own)."""
    token = presented_token(request)
    if not token:
        raise Unauthenticated("Log in or send 'Authorization: Token <key>'.")
    actor, _ = auth.authenticate(session, token)
    session.rollback()
    return actor


def get_current_actor(request: Request, session: SessionDep) -> Actor:
    return authenticated(request, session)


CurrentActor = Annotated[Actor, Depends(get_current_actor)]


def cursor_after(cursor: str | None) -> int:
    """Decode a list cursor (the last id seen); invalid cursors start from the beginning."""
    if not cursor:
        return 0
    try:
        return max(0, int(cursor))
    except ValueError:
        from labelwright.errors import Invalid

        raise Invalid(f"'{cursor}' is not a cursor from this API.") from None


def next_cursor(ids: list[int], limit: int) -> str | None:
    return str(ids[-1]) if len(ids) == limit and ids else None
