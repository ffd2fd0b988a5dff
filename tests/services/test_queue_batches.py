"""The queue writer's batches: many claims and submissions served in one transaction give what
one request at a time gives, and hand every other case to the general path."""

from __future__ import annotations

import random
from types import SimpleNamespace
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from labelwright.services import queue_batches
from labelwright.services.context import Platform
from labelwright.services.queue_batches import (
    FALLBACK,
    ClaimRequest,
    QueueWriter,
    SubmitRequest,
    serve_batch,
)
from labelwright.services.stages import Submission
from labelwright.store.audit import verify_chain
from labelwright.store.models import Annotation, Assignment
from tests.api.test_queue import Team
from tests.builders import MadeUser, make_user


def claims(team: Team, *users: MadeUser) -> list[ClaimRequest]:
    return [ClaimRequest(token=u.token, project_id=team.project_id) for u in users]


def served_task(request: ClaimRequest) -> int:
    assert request.result not in (None, FALLBACK), request.result
    return int(request.result.task.id)


def live_claims(platform: Platform, project_id: int) -> list[tuple[int, int]]:
    with platform.db.session() as session:
        rows = session.query(Assignment.task_id, Assignment.user_id).filter(
            Assignment.project_id == project_id, Assignment.status == "active"
        )
        return sorted((int(t), int(u)) for t, u in rows)


def test_a_batch_of_claims_serves_what_one_claim_at_a_time_would(
    client: TestClient, platform: Platform
) -> None:
    team = Team(client, platform, {"overlap": 2}, tasks=6)
    ann, bob, cid, dan = (team.member(n, "annotator") for n in ("ann", "bob", "cid", "dan"))
    reviewer = team.member("rev", "reviewer")
    outsider = make_user(platform, prefix="outsider")
    first = team.next(ann)
    assert first is not None and first["task"]["id"] == team.first_id
    assert team.submit(ann, first, results={"label": "a"}).status_code == 200
    # The first task is now partly labeled (1 of 2): served first, but never to ann again.
    batch = claims(team, ann, bob, cid, dan, bob, reviewer, outsider)
    batch.append(ClaimRequest(token="not-a-token", project_id=team.project_id))
    batch.append(ClaimRequest(token=ann.token, project_id=team.project_id + 10_000))
    serve_batch(platform, batch, random.Random(0))

    t = team.first_id
    assert [served_task(r) for r in batch[:4]] == [t + 1, t, t + 1, t + 2]
    # A second request of the same user, a role without the label stage, a stranger, a bad
    # token and a missing project all take the general path, which gives their answers.
    assert all(r.result is FALLBACK for r in batch[4:])
    assert team.next(bob)["assignment"]["id"] == batch[1].result.assignment.id  # type: ignore[index]
    ids = {u.actor.id: n for n, u in team.users.items()}
    assert [(task - t, ids[user]) for task, user in live_claims(platform, team.project_id)] == [
        (0, "bob"),
        (1, "ann"),
        (1, "cid"),
        (2, "dan"),
    ]
    served = batch[0].result
    assert served.assignment.stage == "label" and served.schema_version == 1
    assert served.guidelines_changed is False and served.predictions == []


def test_whoever_has_done_the_whole_window_is_served_beyond_it(
    client: TestClient, platform: Platform
) -> None:
    team = Team(client, platform, {"overlap": 2}, tasks=14)
    ann, bob = team.member("ann", "annotator"), team.member("bob", "annotator")
    for _ in range(12):  # ann labels tasks 0-11: all twelve wait for a second annotator
        served = team.next(ann)
        assert served is not None
        assert team.submit(ann, served, results={"label": "a"}).status_code == 200
    batch = claims(team, ann, bob)  # the window of labeling tasks holds 2 * 2 + 8 = 12
    serve_batch(platform, batch, random.Random(0))
    assert [served_task(r) - team.first_id for r in batch] == [12, 0]


def test_a_task_taken_in_the_window_is_not_served_again_beyond_it(
    client: TestClient, platform: Platform
) -> None:
    team = Team(client, platform, {"overlap": 2}, tasks=14)
    ann, bob, cid = (team.member(n, "annotator") for n in ("ann", "bob", "cid"))
    for _ in range(12):  # tasks 0-11 wait for a second annotator
        served = team.next(ann)
        assert served is not None
        assert team.submit(ann, served, results={"label": "a"}).status_code == 200
    url = f"/api/v1/projects/{team.project_id}/next"
    held = client.post(url, headers=cid.headers).json()["assignment"]["id"]
    for _ in range(11):  # cid skips tasks 1-11 while holding task 0, then gives task 0 back
        second = client.post(url, params={"prefetch": "true"}, headers=cid.headers).json()
        skipped = client.post(
            f"/api/v1/assignments/{second['assignment']['id']}/skip", headers=cid.headers
        )
        assert skipped.status_code == 204
    released = client.post(f"/api/v1/assignments/{held}/release", headers=cid.headers)
    assert released.status_code == 204
    # The window of labeling tasks (2 * 2 + 8 = 12) gives bob task 0, its last place; cid may
    # take none of the others and asks beyond the window, where task 0 counts bob's claim.
    batch = claims(team, bob, cid)
    serve_batch(platform, batch, random.Random(0))
    assert [served_task(r) - team.first_id for r in batch] == [0, 12]


def test_nothing_left_is_none_and_a_gold_draw_serves_gold(
    client: TestClient, platform: Platform
) -> None:
    team = Team(client, platform, {"overlap": 1, "gold": {"rate": 0.5}}, tasks=3)
    ann, bob = team.member("ann", "annotator"), team.member("bob", "annotator")
    gold = client.post(
        f"/api/v1/projects/{team.project_id}/gold",
        json={"items": [{"task_id": team.first_id + 2, "results": {"label": "c"}}]},
        headers=team.manager.headers,
    )
    assert gold.status_code == 200, gold.text
    assert random.Random(1).random() < 0.5  # the first draw of this generator picks gold
    batch = claims(team, ann)
    serve_batch(platform, batch, random.Random(1))
    assert served_task(batch[0]) == team.first_id + 2
    for user in (ann, bob):  # everything else is taken
        while (served := team.next(user)) is not None:
            assert team.submit(user, served, results={"label": "a"}).status_code == 200
    batch = claims(team, ann, bob)
    serve_batch(platform, batch, NoGoldDraws())  # gold is only served on a draw
    assert [r.result for r in batch] == [None, None]


class NoGoldDraws(random.Random):
    def random(self) -> float:
        return 1.0


def submits(*items: tuple[MadeUser, dict[str, Any], dict[str, Any] | None]) -> list[SubmitRequest]:
    return [
        SubmitRequest(
            token=user.token,
            assignment_id=served["assignment"]["id"],
            body=Submission(results=results, lead_time_ms=500),
        )
        for user, served, results in items
    ]


@pytest.mark.parametrize(
    ("second", "state", "path"), [("a", "done", "agreement"), ("b", "labeling", None)]
)
def test_a_batch_of_submissions_advances_each_task_in_order(
    client: TestClient, platform: Platform, second: str, state: str, path: str | None
) -> None:
    team = Team(client, platform, {"overlap": 2, "max_overlap": 3}, tasks=2)
    ann, bob, cid = (team.member(n, "annotator") for n in ("ann", "bob", "cid"))
    on_ann, on_bob, on_cid = team.next(ann), team.next(bob), team.next(cid)
    assert on_ann and on_bob and on_cid
    assert on_ann["task"]["id"] == on_bob["task"]["id"] == team.first_id
    batch = submits(
        (ann, on_ann, {"label": "a"}),
        (bob, on_bob, {"label": second}),
        (ann, on_ann, {"label": "a"}),  # the same claim again
        (ann, on_cid, {"label": "a"}),  # somebody else's claim
        (cid, on_cid, {"label": "not-an-option"}),
    )
    serve_batch(platform, batch, random.Random(0))

    assert [r.result.task_state for r in batch[:2]] == ["labeling", state]
    assert all(r.result is FALLBACK for r in batch[2:])
    assert batch[0].result.annotation.lead_time_ms == 500
    task = team.task(team.first_id)
    assert task["state"] == state and task["final_path"] == path
    # The general path gives the answers the batch handed back.
    assert team.submit(ann, on_ann, results={"label": "a"}).status_code == 409
    assert team.submit(ann, on_cid, results={"label": "a"}).status_code == 404
    assert team.submit(cid, on_cid, results={"label": "x"}).status_code == 422
    with platform.db.session() as session:
        authors = session.query(Annotation.author_id).filter(Annotation.task_id == team.first_id)
        assert sorted(a for (a,) in authors) == sorted([ann.actor.id, bob.actor.id])
        assert verify_chain(session).broken_at is None


@pytest.mark.parametrize(
    ("second", "state", "path"), [("a", "done", "agreement"), ("b", "labeling", None)]
)
def test_a_batch_weighs_the_annotations_a_task_had_before(
    client: TestClient, platform: Platform, second: str, state: str, path: str | None
) -> None:
    team = Team(client, platform, {"overlap": 2, "max_overlap": 3}, tasks=2)
    ann, bob = (team.member(n, "annotator") for n in ("ann", "bob"))
    on_ann, on_bob = team.next(ann), team.next(bob)
    assert on_ann and on_bob and on_ann["task"]["id"] == on_bob["task"]["id"]
    first = team.submit(ann, on_ann, results={"label": "a"})
    assert first.status_code == 200 and first.json()["task_state"] == "labeling"
    batch = submits((bob, on_bob, {"label": second}))
    serve_batch(platform, batch, random.Random(0))

    assert batch[0].result.task_state == state
    task = team.task(team.first_id)
    assert task["state"] == state and task["final_path"] == path
    if state == "done":  # the earlier annotation, as old as the agreement
        assert task["final_annotation_id"] == first.json()["annotation"]["id"]


def test_a_batch_counts_an_earlier_label_whose_id_is_larger_than_its_own(
    client: TestClient, platform: Platform
) -> None:
    """On PostgreSQL a batch draws its labels' ids before it waits for their tasks' locks, so
    a label another writer committed meanwhile can have a larger id: it still came first."""
    team = Team(client, platform, {"overlap": 2}, tasks=1)
    ann, bob = (team.member(n, "annotator") for n in ("ann", "bob"))
    on_ann, on_bob = team.next(ann), team.next(bob)
    assert on_ann and on_bob
    if not platform.db.is_sqlite:  # ann's label takes an id far beyond the one bob's draws
        with platform.db.engine.begin() as connection:
            drawn = connection.execute(
                text("SELECT nextval(pg_get_serial_sequence('annotations', 'id'))")
            ).scalar_one()
            connection.execute(
                text("SELECT setval(pg_get_serial_sequence('annotations', 'id'), :n)"),
                {"n": drawn + 1000},
            )
    first = team.submit(ann, on_ann, results={"label": "a"})
    assert first.status_code == 200 and first.json()["task_state"] == "labeling"
    if not platform.db.is_sqlite:
        with platform.db.engine.begin() as connection:
            connection.execute(
                text("SELECT setval(pg_get_serial_sequence('annotations', 'id'), :n)"),
                {"n": drawn},
            )
    batch = submits((bob, on_bob, {"label": "a"}))
    serve_batch(platform, batch, random.Random(0))

    assert batch[0].result.task_state == "done"
    if not platform.db.is_sqlite:
        assert batch[0].result.annotation.id < first.json()["annotation"]["id"]
    task = team.task(team.first_id)
    assert task["state"] == "done" and task["final_path"] == "agreement"
    assert task["annotation_count"] == 2


def test_a_failed_batch_stores_nothing_and_hands_every_request_back(
    client: TestClient, platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    team = Team(client, platform, {"overlap": 1}, tasks=3)
    ann, bob = team.member("ann", "annotator"), team.member("bob", "annotator")
    on_bob = team.next(bob)
    assert on_bob is not None

    def broken(*_: Any) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(queue_batches.repo, "insert_assignments", broken)
    batch = [
        *submits((bob, on_bob, {"label": "b"})),
        *claims(team, ann),
    ]
    serve_batch(platform, batch, random.Random(0))
    assert [r.result for r in batch] == [FALLBACK, FALLBACK]
    assert live_claims(platform, team.project_id) == [(team.first_id, bob.actor.id)]
    monkeypatch.undo()
    # The general path serves what the failed batch could not.
    assert team.submit(bob, on_bob, results={"label": "b"}).json()["task_state"] == "done"
    served = team.next(ann)
    assert served is not None and served["task"]["id"] == team.first_id + 1


def test_the_writer_thread_answers_each_request(client: TestClient, platform: Platform) -> None:
    team = Team(client, platform, {"overlap": 1}, tasks=2)
    ann = team.member("ann", "annotator")
    writer = QueueWriter(platform)
    try:
        served = writer.claim(ann.token, team.project_id).result(30)
        assert served.task.id == team.first_id
        body = Submission(results={"label": "a"})
        outcome = writer.submit(ann.token, served.assignment.id, body).result(30)
        assert outcome.task_state == "done"
        assert writer.submit(ann.token, served.assignment.id, body).result(30) is FALLBACK
        assert writer.claim("unknown", team.project_id).result(30) is FALLBACK
    finally:
        writer.stop()


def test_after_a_batch_of_many_the_writer_gathers_the_next_one(
    platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    writer = QueueWriter(platform)
    arriving = [ClaimRequest(token=f"token-{i}") for i in range(5)]
    slept: list[float] = []

    def sleep(seconds: float) -> None:  # the annotators just answered ask again meanwhile
        slept.append(seconds)
        for request in arriving[1:]:
            writer._inbox.put(request)

    monkeypatch.setattr(queue_batches.time, "sleep", sleep)
    writer._inbox.put(arriving[0])
    assert writer._gather(expect=queue_batches.GATHER_FROM) == (arriving, False)
    assert slept == [queue_batches.GATHER_SECONDS]
    # After a batch of few (one annotator at a time), nobody waits.
    writer._inbox.put(arriving[0])
    writer._inbox.put(None)
    assert writer._gather(expect=1) == ([arriving[0]], True)
    assert slept == [queue_batches.GATHER_SECONDS]


def test_a_submission_whose_task_left_labeling_meanwhile_is_handed_back_untouched(
    client: TestClient, platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    team = Team(client, platform, {"overlap": 1}, tasks=1)
    ann = team.member("ann", "annotator")
    served = team.next(ann)
    assert served is not None
    with platform.db.engine.begin() as connection:  # an expert took the task meanwhile
        connection.execute(
            text("UPDATE tasks SET state = 'adjudication' WHERE id = :id"), {"id": team.first_id}
        )
    read = queue_batches.repo.submission_contexts

    def as_read_before(session: Any, ids: Any) -> dict[int, Any]:
        return {
            i: SimpleNamespace(**{**row._asdict(), "state": "labeling"})
            for i, row in read(session, ids).items()
        }

    monkeypatch.setattr(queue_batches.repo, "submission_contexts", as_read_before)
    batch = submits((ann, served, {"label": "a"}))
    assert serve_batch(platform, batch, random.Random(0))
    assert batch[0].result is FALLBACK
    with platform.db.session() as session:
        claim = session.get(Assignment, served["assignment"]["id"])
        assert claim is not None and claim.status == "active" and claim.annotation_id is None
        assert session.query(Annotation).filter_by(project_id=team.project_id).count() == 0
