"""Plain builders for test data (through the real services)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient

from labelwright.services import auth, projects, users
from labelwright.services.context import SYSTEM, Actor, Platform
from labelwright.store.models import Project

TEXT_SCHEMA: dict[str, Any] = {
    "objects": {"text": {"type": "text"}},
    "controls": [
        {
            "name": "sentiment",
            "type": "choice",
            "of": "text",
            "options": ["positive", "negative", "neutral"],
        },
        {"name": "entities", "type": "spans", "of": "text", "labels": ["PER", "ORG", "LOC"]},
    ],
}


@dataclass(frozen=True)
class MadeUser:
    actor: Actor
    password: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Token {self.token}"}


def make_user(platform: Platform, *, admin: bool = False, prefix: str = "user") -> MadeUser:
    email = f"{prefix}-{uuid.uuid4().hex[:10]}@example.org"
    password = "correct-horse-battery"
    with platform.db.session() as session:
        user = users.create_user(session, SYSTEM, email=email, password=password, is_admin=admin)
        actor = auth.actor_of(user)
        issued = auth.create_api_token(session, actor, name="test")
    return MadeUser(actor, password, issued.token)


def make_project(
    platform: Platform, owner: MadeUser, *, schema: dict[str, Any] | None = None, name: str = "P"
) -> Project:
    with platform.db.session() as session:
        return projects.create_project(
            session, owner.actor, name=name, schema=schema or TEXT_SCHEMA
        )


def add_member(
    platform: Platform, manager: MadeUser, project_id: int, user: MadeUser, role: str
) -> None:
    with platform.db.session() as session:
        projects.add_member(
            session, manager.actor, project_id, user_id=user.actor.id or 0, role=role
        )


def import_jsonl(
    client: TestClient, user: MadeUser, project_id: int, rows: list[Any], **params: str
) -> Any:
    import json

    body = "\n".join(json.dumps(r) for r in rows) + "\n"
    return client.post(
        f"/api/v1/projects/{project_id}/tasks",
        content=body.encode(),
        params=params,
        headers={**user.headers, "Content-Type": "application/x-ndjson"},
    )
