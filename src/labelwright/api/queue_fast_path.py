"""The queue's two hot requests, handed to the queue writer ahead of FastAPI's routing.

`POST /api/v1/projects/{id}/next` for the label stage and `POST /api/v1/assignments/{id}/submit`
go straight from this ASGI layer to the process's queue writer (`services.queue_batches`),
which serves all waiting requests in one transaction. FastAPI's router, its middleware and its
request handling cost ~60 µs of CPU per request (measured), on the event loop's thread, which
shares the interpreter's lock with the writer; with many annotators at once, every request
waits for those of the others.

Whatever this layer does not serve goes on to the app unchanged, which answers it (and
documents both endpoints): other paths, other stages, a missing or malformed token, a body
that does not validate (the app says why), and every request the writer hands back (the
general path in `services.queue` and `services.stages`, which also gives every error).
"""

from __future__ import annotations

import asyncio
import re
from urllib.parse import parse_qsl

from pydantic import ValidationError
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from labelwright.api.deps import SESSION_COOKIE, token_of
from labelwright.api.routes import API_PREFIX
from labelwright.api.routes.queue import NextQuery, next_response, submit_response
from labelwright.errors import LabelwrightError
from labelwright.schemas.workflow import SubmitIn
from labelwright.services.queue_batches import FALLBACK, QueueWriter
from labelwright.services.stages import Submission

_NEXT = re.compile(re.escape(API_PREFIX) + r"/projects/(\d+)/next")
_SUBMIT = re.compile(re.escape(API_PREFIX) + r"/assignments/(\d+)/submit")


class QueueFastPath:
    """ASGI middleware: serves label claims and label submissions through the queue writer
    (`scope["app"].state.queue_writer`) when it can, else passes the request on."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST":
            path: str = scope["path"]
            if path.endswith("/next") and (found := _NEXT.fullmatch(path)):
                if await self._next(int(found[1]), scope, receive, send):
                    return
            elif path.endswith("/submit") and (found := _SUBMIT.fullmatch(path)):
                receive = await self._submit(int(found[1]), scope, receive, send)
                if receive is None:
                    return
        await self.app(scope, receive, send)

    async def _next(self, project_id: int, scope: Scope, receive: Receive, send: Send) -> bool:
        token = _token(scope)
        if token is None or _stage(scope) != "label":
            return False
        served = await asyncio.wrap_future(_writer(scope).claim(token, project_id))
        if served is FALLBACK:
            return False
        await next_response(served)(scope, receive, send)
        return True

    async def _submit(
        self, assignment_id: int, scope: Scope, receive: Receive, send: Send
    ) -> Receive | None:
        """None once answered (or the client went away); else what the app is to read the
        request's body from."""
        body = await _body(receive)
        if body is None:
            return None
        replay = _replaying(body, receive)
        token = _token(scope)
        if token is None:
            return replay
        try:
            submission = Submission(**SubmitIn.model_validate_json(body).model_dump())
        except ValidationError:
            return replay
        outcome = await asyncio.wrap_future(_writer(scope).submit(token, assignment_id, submission))
        if outcome is FALLBACK:
            return replay
        await submit_response(outcome)(scope, receive, send)
        return None


def _writer(scope: Scope) -> QueueWriter:
    writer: QueueWriter = scope["app"].state.queue_writer
    return writer


def _token(scope: Scope) -> str | None:
    """The presented token, or None (none, or a malformed header: the app answers 401)."""
    authorization = cookie = None
    for name, value in scope["headers"]:
        if name == b"authorization":
            authorization = value.decode("latin-1")
        elif name == b"cookie":
            cookie = value.decode("latin-1")
    try:
        session = cookie_parser(cookie).get(SESSION_COOKIE) if cookie else None
        return token_of(authorization, session)
    except LabelwrightError:
        return None


def _stage(scope: Scope) -> str | None:
    """The stage asked for (None when the query does not validate: the app says why)."""
    query: bytes = scope["query_string"]
    if not query:
        return "label"
    try:
        return NextQuery.model_validate(dict(parse_qsl(query.decode("latin-1")))).stage
    except ValidationError:
        return None


async def _body(receive: Receive) -> bytes | None:
    """The request's body, or None when the client went away before sending all of it."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replaying(body: bytes, receive: Receive) -> Receive:
    """A `receive` that gives the body read, then whatever `receive` gives."""
    pending: list[Message] = [{"type": "http.request", "body": body, "more_body": False}]

    async def replay() -> Message:
        return pending.pop() if pending else await receive()

    return replay
