"""Users (created by instance admins)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from labelwright.api.deps import CurrentActor, SessionDep, cursor_after, next_cursor
from labelwright.api.problems import problem_responses
from labelwright.api.routes import API_PREFIX
from labelwright.schemas.auth import UserCreate, UserOut
from labelwright.schemas.common import Page
from labelwright.services import users

router = APIRouter(prefix=API_PREFIX, tags=["users"])


@router.post(
    "/users",
    response_model=UserOut,
    status_code=201,
    responses=problem_responses(401, 403, 409, 422),
)
def create_user(body: UserCreate, actor: CurrentActor, session: SessionDep) -> UserOut:
    """Create a user (instance admins only)."""
    user = users.create_user(
        session,
        actor,
        email=body.email,
        password=body.password,
        name=body.name,
        is_admin=body.is_admin,
    )
    return UserOut.model_validate(user)


@router.get("/users", response_model=Page[UserOut], responses=problem_responses(401, 403))
def list_users(
    actor: CurrentActor,
    session: SessionDep,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> Page[UserOut]:
    """List users (admins and project managers)."""
    rows = users.list_users(session, actor, after=cursor_after(cursor), limit=limit)
    return Page(
        items=[UserOut.model_validate(u) for u in rows],
        next_cursor=next_cursor([u.id for u in rows], limit),
    )
