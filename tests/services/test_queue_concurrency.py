"""16 annotators with overlap 3 on 2,000 tasks, over real HTTP against running servers."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import text

from labelwright.services.context import Platform
from tests.builders import MadeUser, add_member, make_project, make_user
from tests.live import serve

ANNOTATORS = 16
OVERLAP = 3
TASKS = 2000
SCHEMA = {
    "objects": {"text": {"type": "text"}},
    "controls": [{"name": "label", "type": "choice", "of": "text", "options": ["a", "b"]}],
}


@pytest.fixture
def live_url(fresh_platform: Platform) -> Iterator[str]:
    with serve(fresh_platform) as url:
        yield url


@pytest.fixture
def second_url(fresh_platform: Platform) -> Iterator[str]:
    """A second server on the same database: its queue writer's batches race the first's, as
    those of two worker processes do."""
    with serve(fresh_platform) as url:
        yield url


def _work(url: str, user: MadeUser, project_id: int, errors: list[str], done: Counter[int]) -> None:
    with httpx.Client(base_url=url, headers=user.headers, timeout=60) as client:
        while True:
            served = client.post(f"/api/v1/projects/{project_id}/next")
            if served.status_code == 204:
                return
            if served.status_code != 200:
                errors.append(f"next: {served.status_code} {served.text}")
                return
            body = served.json()
            submitted = client.post(
                f"/api/v1/assignments/{body['assignment']['id']}/submit",
                json={"results": {"label": "a"}},
            )
            if submitted.status_code != 200:
                errors.append(f"submit: {submitted.status_code} {submitted.text}")
                return
            done[user.actor.id or 0] += 1


def test_every_task_gets_exactly_its_overlap_from_distinct_annotators(
    fresh_platform: Platform, live_url: str, second_url: str
) -> None:
    manager = make_user(fresh_platform, prefix="manager")
    project = make_project(fresh_platform, manager, schema=SCHEMA)
    with httpx.Client(base_url=live_url, headers=manager.headers, timeout=120) as client:
        client.patch(f"/api/v1/projects/{project.id}", json={"workflow": {"overlap": OVERLAP}})
        body = "".join(f'{{"text": "task {i}"}}\n' for i in range(TASKS))
        created = client.post(
            f"/api/v1/projects/{project.id}/tasks",
            content=body.encode(),
            headers={"Content-Type": "application/x-ndjson"},
        )
        assert created.json()["created"] == TASKS
    team = [make_user(fresh_platform, prefix=f"ann{i}") for i in range(ANNOTATORS)]
    for user in team:
        add_member(fresh_platform, manager, project.id, user, "annotator")
    errors: list[str] = []
    done: Counter[int] = Counter()
    threads = [
        threading.Thread(
            target=_work, args=((live_url, second_url)[i % 2], u, project.id, errors, done)
        )
        for i, u in enumerate(team)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sum(done.values()) == TASKS * OVERLAP
    with fresh_platform.db.session() as session:
        per_task = session.execute(
            text(
                "SELECT task_id, count(*), count(DISTINCT author_id) FROM annotations "
                "WHERE project_id = :p GROUP BY task_id"
            ),
            {"p": project.id},
        ).all()
        states = dict(
            session.execute(
                text("SELECT state, count(*) FROM tasks WHERE project_id = :p GROUP BY state"),
                {"p": project.id},
            ).all()
        )
        leases = session.execute(
            text("SELECT count(*) FROM tasks WHERE project_id = :p AND lease_count <> 0"),
            {"p": project.id},
        ).scalar_one()
    assert len(per_task) == TASKS
    assert all(n == OVERLAP and distinct == OVERLAP for _, n, distinct in per_task)
    assert states == {"done": TASKS}
    assert leases == 0


def test_a_claim_submitted_twice_at_once_is_stored_once(
    fresh_platform: Platform, live_url: str
) -> None:
    manager = make_user(fresh_platform, prefix="manager")
    project = make_project(fresh_platform, manager, schema=SCHEMA)
    annotator = make_user(fresh_platform, prefix="ann")
    add_member(fresh_platform, manager, project.id, annotator, "annotator")
    with httpx.Client(base_url=live_url, headers=manager.headers, timeout=60) as client:
        rows = "".join(f'{{"text": "task {i}"}}\n' for i in range(20))
        client.post(
            f"/api/v1/projects/{project.id}/tasks",
            content=rows,
            headers={"Content-Type": "application/x-ndjson"},
        ).raise_for_status()
    for _ in range(10):  # ten claims, each submitted by two requests at the same moment
        with httpx.Client(base_url=live_url, headers=annotator.headers, timeout=60) as client:
            served = client.post(f"/api/v1/projects/{project.id}/next").json()
        assignment = served["assignment"]["id"]
        start = threading.Barrier(2)
        codes: list[int] = []

        def submit(
            assignment: int = assignment,
            start: threading.Barrier = start,
            codes: list[int] = codes,
        ) -> None:
            with httpx.Client(base_url=live_url, headers=annotator.headers, timeout=60) as c:
                start.wait()
                reply = c.post(
                    f"/api/v1/assignments/{assignment}/submit", json={"results": {"label": "b"}}
                )
                codes.append(reply.status_code)

        threads = [threading.Thread(target=submit) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert sorted(codes) == [200, 409]
    with fresh_platform.db.session() as session:
        stored = session.execute(
            text("SELECT count(*), count(DISTINCT task_id) FROM annotations WHERE project_id = :p"),
            {"p": project.id},
        ).one()
        counts = session.execute(
            text("SELECT sum(annotation_count), sum(lease_count) FROM tasks WHERE project_id = :p"),
            {"p": project.id},
        ).one()
    assert tuple(stored) == (10, 10)
    assert tuple(counts) == (10, 0)
