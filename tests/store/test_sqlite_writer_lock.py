"""SQLite writers of several processes queue on one advisory file lock next to the database
(held from `BEGIN IMMEDIATE` to the end of the transaction), so server workers sharing a file
wait for each other without SQLite's sleeping busy handler."""

from __future__ import annotations

import multiprocessing
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from labelwright.store.db import Database

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="fcntl locks are POSIX")


def _lock_is_free(path: str) -> bool:
    import fcntl
    import os

    fd = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)
    return True


def _probe(path: str) -> bool:
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return bool(pool.apply(_lock_is_free, (path,)))


def _increment(url: str, times: int) -> None:
    db = Database(url)
    for _ in range(times):
        with db.write() as session:
            value = session.execute(text("SELECT n FROM counter")).scalar_one()
            session.execute(text("UPDATE counter SET n = :n"), {"n": value + 1})
            session.commit()
    db.dispose()


def test_a_write_transaction_holds_the_file_lock_until_it_ends(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'lock.db'}"
    db = Database(url)
    lock = f"{tmp_path / 'lock.db'}-writer.lock"
    with db.write() as session:
        session.execute(text("CREATE TABLE counter (n INTEGER)"))
        assert not _probe(lock)  # another process cannot take it now
        session.commit()
    assert _probe(lock)
    with db.session() as session:  # readers do not take it
        session.execute(text("SELECT count(*) FROM counter")).scalar_one()
        assert _probe(lock)
    db.dispose()


def test_writers_of_two_processes_never_lose_an_update(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'count.db'}"
    db = Database(url)
    with db.write() as session:
        session.execute(text("CREATE TABLE counter (n INTEGER)"))
        session.execute(text("INSERT INTO counter VALUES (0)"))
        session.commit()
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_increment, args=(url, 150)) for _ in range(2)]
    for worker in workers:
        worker.start()
    _increment(url, 150)
    for worker in workers:
        worker.join(120)
        assert worker.exitcode == 0
    with db.session() as session:
        assert session.execute(text("SELECT n FROM counter")).scalar_one() == 450
    db.dispose()
