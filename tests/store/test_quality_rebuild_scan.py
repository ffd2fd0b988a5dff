"""A rebuild counts the tasks labeled when it began: on PostgreSQL each of its reads sees new
commits, and a scan that took them in would chase annotators for as long as they label."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from labelwright.services.context import Platform
from labelwright.store.models import Annotation
from labelwright.store.repositories import quality as repo
from tests.api.test_queue import Team


def test_the_rebuild_scan_ends_at_the_annotations_it_began_with(
    client: TestClient, platform: Platform
) -> None:
    team = Team(client, platform, {"overlap": 1}, tasks=6)
    ann, bob = team.member("ann", "annotator"), team.member("bob", "annotator")
    for _ in range(4):  # tasks 0-3
        served = team.next(ann)
        assert served is not None
        assert team.submit(ann, served, results={"label": "a"}).status_code == 200
    with platform.db.session() as session:
        newest = session.scalar(
            select(func.max(Annotation.id)).where(Annotation.project_id == team.project_id)
        )
        assert newest is not None
        batches = repo.project_task_batches(session, team.project_id, upto=newest, size=2)
        seen = [next(batches)]
        served = team.next(bob)  # task 4 is labeled and committed while the scan runs
        assert served is not None and served["task"]["id"] == team.first_id + 4
        assert team.submit(bob, served, results={"label": "b"}).status_code == 200
        seen += list(batches)
    first = team.first_id
    assert seen == [[first, first + 1], [first + 2, first + 3]]
