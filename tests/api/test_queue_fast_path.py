"""The queue's fast path hands label claims and label submissions to the queue writer ahead of
FastAPI's routing, and passes everything else on to the app, which answers as before."""

from __future__ import annotations

import asyncio
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient

from labelwright.api.queue_fast_path import QueueFastPath
from labelwright.services.context import Platform
from labelwright.services.queue_batches import QueueWriter
from labelwright.store.models import Annotation
from tests.api.test_queue import Team


@pytest.fixture
def writer_calls(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """How many claims and submissions reached the queue writer."""
    writer: QueueWriter = client.app.state.queue_writer  # type: ignore[attr-defined]
    calls: Counter[str] = Counter()
    for name in ("claim", "submit"):
        real = getattr(writer, name)

        def counted(*args: Any, _real: Any = real, _name: str = name) -> Any:
            calls[_name] += 1
            return _real(*args)

        monkeypatch.setattr(writer, name, counted)
    return calls


def test_label_claims_and_submissions_reach_the_writer_with_a_token_or_a_session(
    client: TestClient, platform: Platform, writer_calls: Counter[str]
) -> None:
    team = Team(client, platform, {"overlap": 1}, tasks=3)
    ann = team.member("ann", "annotator")
    served = team.next(ann)
    assert served is not None and served["task"]["id"] == team.first_id
    assert served["assignment"]["stage"] == "label" and served["schema_version"] == 1
    answer = team.submit(ann, served, results={"label": "a"})
    assert answer.status_code == 200 and answer.json()["task_state"] == "done"
    assert answer.json()["annotation"]["results"] == {"label": "a"}
    assert writer_calls == Counter(claim=1, submit=1)

    bob = team.member("bob", "annotator")
    login = client.post(
        "/api/v1/auth/login", json={"email": bob.actor.email, "password": bob.password}
    )
    assert login.status_code == 200
    try:
        url = f"/api/v1/projects/{team.project_id}/next?stage=label"
        claim = client.post(url)  # the web session's cookie, no header
        assert claim.status_code == 200 and claim.json()["task"]["id"] == team.first_id + 1
        done = client.post(
            f"/api/v1/assignments/{claim.json()['assignment']['id']}/submit",
            json={"results": {"label": "b"}},
        )
        assert done.status_code == 200 and done.json()["task_state"] == "done"
    finally:
        client.cookies.clear()
    assert writer_calls == Counter(claim=2, submit=2)


def test_what_the_fast_path_does_not_serve_the_app_answers(
    client: TestClient, platform: Platform, writer_calls: Counter[str]
) -> None:
    team = Team(client, platform, {"overlap": 1, "review": {"sample": 1}}, tasks=2)
    ann, rev = team.member("ann", "annotator"), team.member("rev", "reviewer")
    url = f"/api/v1/projects/{team.project_id}/next"
    # No token, a malformed header, a query that does not validate: the app's problems.
    assert client.post(url).status_code == 401
    malformed = client.post(url, headers={"Authorization": "Basic abc"})
    assert malformed.status_code == 401 and "Token" in malformed.json()["detail"]
    assert client.post(url, params={"stage": "x"}, headers=ann.headers).status_code == 422
    assert client.post(url, params={"prefetch": "x"}, headers=ann.headers).status_code == 422
    assert writer_calls == Counter()
    # Another stage takes the general path; so does what the writer hands back (a reviewer
    # asking for label work is refused there).
    assert client.post(url, params={"stage": "review"}, headers=rev.headers).status_code == 204
    assert writer_calls == Counter()
    refused = client.post(url, headers=rev.headers)
    assert refused.status_code == 403 and writer_calls == Counter(claim=1)
    # A submission of somebody else's claim: handed back, and refused by the general path.
    served = team.next(ann)
    assert served is not None
    stolen = team.submit(rev, served, results={"label": "a"})
    assert stolen.status_code in (403, 404) and writer_calls["submit"] == 1
    assert team.submit(ann, served, results={"label": "a"}).json()["task_state"] == "review"


def test_a_body_in_several_parts_is_read_whole_and_handed_on_unread_when_it_is_bad(
    client: TestClient, platform: Platform
) -> None:
    team = Team(client, platform, {"overlap": 1}, tasks=1)
    ann = team.member("ann", "annotator")
    served = team.next(ann)
    assert served is not None
    path = f"/api/v1/assignments/{served['assignment']['id']}/submit"
    fast = QueueFastPath(client.app)

    async def post(*parts: bytes) -> tuple[int, bytes]:
        messages = [
            {"type": "http.request", "body": part, "more_body": i < len(parts) - 1}
            for i, part in enumerate(parts)
        ]
        sent: list[dict[str, Any]] = []

        async def receive() -> dict[str, Any]:
            return messages.pop(0) if messages else {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": [
                (b"host", b"testserver"),
                (b"authorization", f"Token {ann.token}".encode()),
                (b"content-type", b"application/json"),
            ],
            "client": ("127.0.0.1", 50000),
            "server": ("testserver", 80),
            "state": {},
            "app": client.app,
        }
        await fast(scope, receive, send)
        return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:])

    def run(*parts: bytes) -> tuple[int, bytes]:  # a loop of its own (one may run here)
        with ThreadPoolExecutor(1) as pool:
            return pool.submit(asyncio.run, post(*parts)).result()

    status, body = run(b'{"results": {"lab', b'el": "a"}, "lead_time_ms"', b": -1}")
    assert status == 422 and b"lead_time_ms" in body  # the app read the same body again
    with platform.db.session() as session:
        assert session.query(Annotation).filter_by(project_id=team.project_id).count() == 0
    status, body = run(b'{"results": {"lab', b'el": "a"}}')
    assert status == 200 and b'"task_state":"done"' in body
