from __future__ import annotations

import threading

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from labelwright.services.context import Platform
from labelwright.store.audit import append_event, verify_chain


def _append(platform: Platform, n: int, actor: str = "tester") -> None:
    for i in range(n):
        with platform.db.write() as session:
            append_event(
                session,
                actor=actor,
                action="test.event",
                entity="thing",
                entity_id=i,
                payload={"i": i},
            )
            session.commit()


def test_events_chain_and_verify(fresh_platform: Platform) -> None:
    _append(fresh_platform, 5)
    with fresh_platform.db.session() as session:
        report = verify_chain(session)
    assert report.broken_at is None
    assert report.checked == 5


def test_update_and_delete_are_refused_by_triggers(fresh_platform: Platform) -> None:
    _append(fresh_platform, 2)
    for statement in ("UPDATE audit_events SET actor = 'x'", "DELETE FROM audit_events"):
        with fresh_platform.db.write() as session, pytest.raises(DBAPIError, match="append-only"):
            session.execute(text(statement))
    with fresh_platform.db.session() as session:
        assert session.execute(text("SELECT count(*) FROM audit_events")).scalar_one() == 2


def _drop_triggers(platform: Platform) -> None:
    with platform.db.write() as session:
        if platform.db.is_sqlite:
            session.execute(text("DROP TRIGGER audit_events_no_update"))
        else:
            session.execute(text("DROP TRIGGER audit_events_no_update_delete ON audit_events"))
        session.commit()


def test_tampering_through_raw_sql_is_named_by_verify(fresh_platform: Platform) -> None:
    _append(fresh_platform, 6)
    _drop_triggers(fresh_platform)
    with fresh_platform.db.write() as session:
        session.execute(text("UPDATE audit_events SET actor = 'mallory' WHERE seq = 4"))
        session.commit()
    with fresh_platform.db.session() as session:
        report = verify_chain(session)
    assert report.broken_at == 4
    assert report.checked == 3
    assert "hash" in (report.reason or "")


def test_tampered_payload_is_detected(fresh_platform: Platform) -> None:
    _append(fresh_platform, 3)
    _drop_triggers(fresh_platform)
    with fresh_platform.db.write() as session:
        if fresh_platform.db.is_sqlite:
            session.execute(text("UPDATE audit_events SET payload = '{\"i\": 99}' WHERE seq = 2"))
        else:
            session.execute(
                text("UPDATE audit_events SET payload = '{\"i\": 99}'::jsonb WHERE seq = 2")
            )
        session.commit()
    with fresh_platform.db.session() as session:
        report = verify_chain(session)
    assert report.broken_at == 2
    assert "payload" in (report.reason or "")


def test_concurrent_writers_build_one_unbroken_chain(fresh_platform: Platform) -> None:
    threads = [
        threading.Thread(target=_append, args=(fresh_platform, 15, f"w{i}")) for i in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with fresh_platform.db.session() as session:
        report = verify_chain(session)
        actors = session.execute(
            text("SELECT count(DISTINCT actor) FROM audit_events")
        ).scalar_one()
    assert report.broken_at is None
    assert report.checked == 60
    assert actors == 4
