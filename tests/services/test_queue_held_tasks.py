"""A claim that finds nothing free while another writer holds a task the caller could take
waits for that writer instead of saying "nothing left" (PostgreSQL skips locked rows; SQLite
waits for its write lock)."""

from __future__ import annotations

import threading
import time
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from labelwright.services.context import Platform
from labelwright.store.db import begin_write
from tests.api.test_queue import Team


def _wait_until_blocked(platform: Platform, worker: threading.Thread) -> None:
    """Until the claim waits on the held row (PostgreSQL) or a moment has passed (SQLite, where
    the wait is inside the driver), or the claim has already answered."""
    if platform.db.is_sqlite:
        worker.join(0.3)
        return
    query = text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
    with platform.db.session() as session:
        for _ in range(500):
            if not worker.is_alive() or session.execute(query).scalar_one() > 0:
                return
            session.rollback()
            time.sleep(0.01)


def _claim_while_held(
    client: TestClient, platform: Platform, then: str
) -> tuple[dict[str, Any] | None, int]:
    """The project's one task is held by a writer while an annotator asks for work; the writer
    then leaves the task as it was (`rollback`) or fills its one place (`fill`)."""
    team = Team(client, platform, {"overlap": 1}, tasks=1)
    ann = team.member("ann", "annotator")
    answer: list[dict[str, Any] | None] = []
    with platform.db.session() as holder:
        _hold(holder, team.first_id)
        worker = threading.Thread(target=lambda: answer.append(team.next(ann)))
        worker.start()
        _wait_until_blocked(platform, worker)
        if then == "fill":
            holder.execute(
                text("UPDATE tasks SET lease_count = 1 WHERE id = :t"), {"t": team.first_id}
            )
            holder.commit()
        else:
            holder.rollback()
        worker.join(60)
    assert not worker.is_alive()
    return answer[0], team.first_id


def _hold(session: Session, task_id: int) -> None:
    begin_write(session)
    session.execute(text("UPDATE tasks SET priority = priority WHERE id = :t"), {"t": task_id})


def test_a_claim_waits_for_the_writer_that_holds_the_last_task(
    client: TestClient, platform: Platform
) -> None:
    served, task_id = _claim_while_held(client, platform, then="rollback")
    assert served is not None and served["task"]["id"] == task_id


def test_a_claim_says_nothing_left_once_the_writer_took_the_last_place(
    client: TestClient, platform: Platform
) -> None:
    served, _ = _claim_while_held(client, platform, then="fill")
    assert served is None
