"""Engine and session factory for SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

try:
    import fcntl

    _HAS_FCNTL = True
except ImportError:  # Windows: SQLite's own locking only
    _HAS_FCNTL = False

import orjson
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

_WRITE_OPTION = "labelwright_write"
_SQLITE_POOL = 40


def json_text(value: Any) -> str:
    """JSON as the database stores it (the engines' serializer)."""
    return orjson.dumps(value).decode()


class Database:
    """One engine per process; `session()` for reads, `write()` for units of work that write.

    On SQLite a write session starts with `BEGIN IMMEDIATE`, so the write lock is taken before
    the first read and concurrent writers queue instead of failing on a stale snapshot. On
    PostgreSQL both are ordinary transactions (row locks and the audit advisory lock serialize
    what must be serialized).
    """

    def __init__(self, url: str, *, pool_size: int = 10, echo: bool = False) -> None:
        self.url = make_url(url)
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        kwargs: dict[str, Any] = {
            "echo": echo,
            "json_serializer": json_text,
            "json_deserializer": orjson.loads,
        }
        if self.is_sqlite:
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
            # One kept connection per request thread (the server's thread pool has 40): an
            # overflow connection is closed when handed back and reopened (with its PRAGMAs)
            # on the next busy moment.
            kwargs["pool_size"] = _SQLITE_POOL
            kwargs["max_overflow"] = 10
        else:
            kwargs["pool_size"] = pool_size
            kwargs["max_overflow"] = pool_size
            kwargs["pool_pre_ping"] = True
        self.engine: Engine = create_engine(self.url, **kwargs)
        if self.is_sqlite:
            _configure_sqlite(self.engine)
        else:
            _configure_postgresql(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def session(self) -> Session:
        """A session for reading (and for writes that begin with `begin_write`)."""
        return self._sessions()

    def kept_connection(self) -> KeptConnection:
        """Sessions on one connection that a long-lived thread keeps (see `KeptConnection`)."""
        return KeptConnection(self)

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session whose transaction holds the database write lock from the start."""
        with self._sessions() as session:
            begin_write(session)
            yield session

    def dispose(self) -> None:
        self.engine.dispose()


class KeptConnection:
    """The sessions of a long-lived thread (the queue writer) on PostgreSQL all use one
    connection it keeps: no pool checkout, liveness ping and reset per transaction, which cost
    a round trip each. After a failure the thread `drop`s it, and the next session takes a
    fresh one. On SQLite, sessions come from the pool as usual (its connections need no ping).
    Use from one thread only."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._connection: Connection | None = None

    def session(self) -> Session:
        if self._db.is_sqlite:
            return self._db.session()
        kept = self._connection
        if kept is None or kept.closed or kept.invalidated:
            kept = self._connection = self._db.engine.connect()
        return self._db._sessions(bind=kept)

    def drop(self) -> None:
        kept, self._connection = self._connection, None
        if kept is not None:
            with suppress(Exception):  # it may be broken already
                kept.close()


# Statements psycopg keeps prepared per connection (its default is 100): an expanding IN list
# is a statement of its own for every length.
_PREPARED_MAX = 2000


def _configure_postgresql(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _prepared(dbapi_connection: Any, _: Any) -> None:
        dbapi_connection.prepared_max = _PREPARED_MAX


def begin_write(session: Session) -> None:
    """Start the session's transaction as a writer (SQLite: BEGIN IMMEDIATE).

    Must be the first statement of the transaction; a session that already read in a
    deferred transaction is committed-or-rolled-back by the caller first.
    """
    if session.in_transaction():
        return
    session.connection(execution_options={_WRITE_OPTION: True})


_LOCK_WAIT_SECONDS = 30.0
_HOLDS_LOCK = "labelwright_holds_write_lock"


class _ProcessLock:
    """An exclusive advisory lock on `<database>-writer.lock`, shared by the processes that
    write one SQLite file (none for an in-memory database or where `fcntl` is missing). The
    kernel releases it if its holder dies."""

    def __init__(self, path: Path | None) -> None:
        self._fd: int | None = None
        self._pid = 0
        self._path = path

    @classmethod
    def for_database(cls, database: str | None) -> _ProcessLock:
        if not database or database == ":memory:" or database.startswith("file:") or not _HAS_FCNTL:
            return cls(None)
        return cls(Path(f"{database}-writer.lock"))

    def acquire(self) -> None:
        if self._path is None:
            return
        if self._fd is None or self._pid != os.getpid():
            # A forked child opens its own: a lock belongs to an open file, which a fork shares.
            self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
            self._pid = os.getpid()
        fcntl.flock(self._fd, fcntl.LOCK_EX)  # blocks without holding the GIL

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)


def _info(connection: Any) -> dict[Any, Any]:
    """The pool's info dict of a connection (empty for an ad-hoc one, e.g. a pool reset; the
    checkin handler releases what such a connection held)."""
    try:
        info: dict[Any, Any] = connection.info
    except (AttributeError, NotImplementedError):
        return {}
    return info


def _configure_sqlite(engine: Engine) -> None:
    """WAL, foreign keys, busy timeout; and one in-process writer queue.

    Writers wait for each other before `BEGIN IMMEDIATE` instead of on SQLite's busy handler,
    which polls with sleeps of up to 100 ms and so turns a few concurrent writers into long,
    unfair waits: writers of one process on a Python lock, then the one writer of each process
    on an advisory file lock next to the database (`flock`, which wakes the next waiter as soon
    as it is released), so several server workers share one SQLite file smoothly.
    """
    writer = threading.Lock()
    across = _ProcessLock.for_database(engine.url.database)

    def release(info: dict[Any, Any]) -> None:
        if info.pop(_HOLDS_LOCK, False):
            across.release()
            writer.release()

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        if not connection.get_execution_options().get(_WRITE_OPTION):
            connection.exec_driver_sql("BEGIN")
            return
        # On timeout, go on without the queue: SQLite's busy handling still applies.
        if writer.acquire(timeout=_LOCK_WAIT_SECONDS):
            across.acquire()
            connection.info[_HOLDS_LOCK] = True
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            release(connection.info)
            raise

    # Released once the COMMIT or ROLLBACK itself is done (the engine's commit and rollback
    # events come before it): a writer let in earlier would meet SQLite's lock and its busy
    # handler's sleeps.
    dialect = engine.dialect
    commit, rollback = dialect.do_commit, dialect.do_rollback

    def do_commit(dbapi_connection: Any) -> None:
        try:
            commit(dbapi_connection)
        finally:
            release(_info(dbapi_connection))

    def do_rollback(dbapi_connection: Any) -> None:
        try:
            rollback(dbapi_connection)
        finally:
            release(_info(dbapi_connection))

    dialect.do_commit = do_commit  # type: ignore[method-assign]
    dialect.do_rollback = do_rollback  # type: ignore[method-assign]

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        release(record.info)  # a connection handed back with its transaction still open
