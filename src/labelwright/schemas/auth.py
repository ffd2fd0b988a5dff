"""Login, tokens and users on the wire."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class LoginIn(BaseModel):
    email: str
    password: str


class LoginOut(BaseModel):
    user: UserOut
    expires_at: datetime | None


class TokenCreate(BaseModel):
    name: str = Field(default="", max_length=200)


class TokenOut(BaseModel):
    """The token secret is shown once, here; it is stored hashed."""

    id: int
    token: str


class UserCreate(BaseModel):
    email: str
    password: str
    name: str = ""
    is_admin: bool = False


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    name: str
    is_admin: bool
    is_active: bool
    created_at: datetime


LoginOut.model_rebuild()
