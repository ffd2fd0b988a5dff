"""Login, logout, the current user, API tokens."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from labelwright.api.deps import (
    SESSION_COOKIE,
    CurrentActor,
    PlatformDep,
    SessionDep,
    presented_token,
)
from labelwright.api.problems import problem_responses
from labelwright.api.routes import API_PREFIX
from labelwright.schemas.auth import LoginIn, LoginOut, TokenCreate, TokenOut, UserOut
from labelwright.services import auth
from labelwright.store.models import User

router = APIRouter(prefix=API_PREFIX, tags=["auth"])


@router.post("/auth/login", response_model=LoginOut, responses=problem_responses(401, 422))
def login(
    body: LoginIn, response: Response, platform: PlatformDep, session: SessionDep
) -> LoginOut:
    """Log in with email and password; sets the web session cookie."""
    issued = auth.login(platform, session, body.email, body.password)
    response.set_cookie(
        SESSION_COOKIE,
        issued.token,
        httponly=True,
        samesite="lax",
        max_age=platform.settings.session_hours * 3600,
    )
    actor, _ = auth.authenticate(session, issued.token)
    user = session.get(User, actor.id)
    return LoginOut(user=UserOut.model_validate(user), expires_at=issued.expires_at)


@router.post("/auth/logout", status_code=204, responses=problem_responses(401))
def logout(request: Request, actor: CurrentActor, session: SessionDep) -> Response:
    """End the current web session (or revoke the presented token)."""
    token = presented_token(request)
    if token:
        auth.logout(session, actor, token)
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/me", response_model=UserOut, responses=problem_responses(401))
def me(actor: CurrentActor, session: SessionDep) -> UserOut:
    """The authenticated user."""
    return UserOut.model_validate(session.get(User, actor.id))


@router.post("/tokens", response_model=TokenOut, status_code=201, responses=problem_responses(401))
def create_token(
    actor: CurrentActor, session: SessionDep, body: TokenCreate | None = None
) -> TokenOut:
    """Create an API token for yourself; the secret is returned once."""
    issued = auth.create_api_token(session, actor, name=body.name if body else "")
    return TokenOut(id=issued.id, token=issued.token)


@router.delete("/tokens/{token_id}", status_code=204, responses=problem_responses(401, 404))
def revoke_token(token_id: int, actor: CurrentActor, session: SessionDep) -> Response:
    """Revoke one of your tokens (admins: anyone's)."""
    auth.revoke_api_token(session, actor, token_id)
    return Response(status_code=204)
