"""The bulk task insert behind imports: ids reserved in blocks, rows streamed in.

On PostgreSQL one `COPY` stays open across batches and a worker thread sends the rows while the
importer parses the next ones, so Python and the server work at the same time; the copy ends
(`pause`) only when other statements must run in the transaction (annotations or predictions
that point at the new tasks, media lookups and links). On SQLite rows go in with one
`executemany` per batch.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import Any

from psycopg.copy import QueuedLibpqWriter
from sqlalchemy import text
from sqlalchemy.orm import Session

_SQLITE_TIME = "%Y-%m-%d %H:%M:%S.%f"  # SQLAlchemy's storage format for DateTime on SQLite
_COLUMNS = (
    "id, project_id, data, meta, priority, learning_score, state, annotation_count, created_at"
)
MAX_BLOCK = 100_000

# (data JSON text, meta JSON text, priority, annotation count): one per imported row.
NewTask = tuple[bytes, bytes, int, int]


def allocate_task_ids(session: Session, count: int) -> list[int]:
    """Reserve `count` new task ids, ascending (the caller holds the write transaction).

    On PostgreSQL the ids come from the sequence through a short autocommit connection of
    the pool: `nextval` is never rolled back anyway, and the session's own connection may be
    busy with an open COPY.
    """
    if count <= 0:
        return []
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        with bind.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            sequence = conn.execute(text("SELECT pg_get_serial_sequence('tasks', 'id')")).scalar()
            # the sequence as a constant: looked up once, not once per id
            ids = conn.execute(
                text(
                    "SELECT array_agg(nextval(CAST(:seq AS regclass))) FROM generate_series(1, :n)"
                ),
                {"seq": sequence, "n": count},
            ).scalar_one()
        return sorted(ids)
    # SQLite: under BEGIN IMMEDIATE nobody else inserts; AUTOINCREMENT's high-water mark
    # (sqlite_sequence) keeps ids of deleted tasks from being reused.
    high = session.execute(
        text(
            "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'tasks'), 0), "
            "coalesce((SELECT max(id) FROM tasks), 0))"
        )
    ).scalar_one()
    return list(range(high + 1, high + 1 + count))


class TaskIds:
    """Hands out reserved task ids; reserves blocks that grow with the import (up to
    `MAX_BLOCK`), so a big import makes few round trips and a small one burns few ids."""

    def __init__(self, session: Session, first_block: int) -> None:
        self.session = session
        self.block = max(1, first_block)
        self._free: Iterator[int] = iter(())
        self._left = 0

    def take(self, count: int) -> list[int]:
        out: list[int] = []
        while len(out) < count:
            if not self._left:
                size = max(self.block, count - len(out))
                self._free = iter(allocate_task_ids(self.session, size))
                self._left = size
                self.block = min(self.block * 4, MAX_BLOCK)
            n = min(self._left, count - len(out))
            out.extend(next(self._free) for _ in range(n))
            self._left -= n
        return out


def _copy_field(value: bytes) -> bytes:
    """A JSON document as a COPY text-format field: only backslashes need escaping (JSON has no
    raw tabs or newlines)."""
    return value.replace(b"\\", b"\\\\") if b"\\" in value else value


class TaskWriter:
    """Inserts new task rows with reserved ids (see module docstring)."""

    def __init__(self, session: Session, project_id: int) -> None:
        self.session = session
        self.project_id = project_id
        self.postgres = session.get_bind().dialect.name == "postgresql"
        now = datetime.now(UTC)
        self._stamp = now.replace(tzinfo=None).strftime(_SQLITE_TIME)
        self._pg_stamp = now.isoformat().encode()
        self._copy: AbstractContextManager[Any] | None = None
        self._cursor: Any = None
        self._stream: Any = None
        self._may_skip: bool | None = None
        self._checks_off = False

    def write(self, ids: Sequence[int], rows: Sequence[NewTask]) -> None:
        raw = self.session.connection().connection.driver_connection
        if not self.postgres:
            raw.executemany(  # type: ignore[union-attr]
                f"INSERT INTO tasks ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, 0.0, ?, ?, ?)",
                [
                    (
                        task_id,
                        self.project_id,
                        data.decode(),
                        meta.decode(),
                        priority,
                        "done" if count else "new",
                        count,
                        self._stamp,
                    )
                    for task_id, (data, meta, priority, count) in zip(ids, rows, strict=True)
                ],
            )
            return
        if self._stream is None:
            self._cursor = raw.cursor()  # type: ignore[union-attr]
            self._skip_row_checks(raw)
            self._copy = self._cursor.copy(
                f"COPY tasks ({_COLUMNS}) FROM STDIN",
                writer=QueuedLibpqWriter(self._cursor),
            )
            self._stream = self._copy.__enter__()
        stamp, project_id = self._pg_stamp, self.project_id
        chunk = b"".join(
            b"%d\t%d\t%s\t%s\t%d\t0\t%s\t%d\t%s\n"
            % (
                task_id,
                project_id,
                _copy_field(data),
                _copy_field(meta),
                priority,
                b"done" if count else b"new",
                count,
                stamp,
            )
            for task_id, (data, meta, priority, count) in zip(ids, rows, strict=True)
        )
        self._stream.write(chunk)

    def _skip_row_checks(self, raw: Any) -> None:
        """Check the rows' project once instead of once per row (PostgreSQL).

        The foreign key from tasks to their project is checked by a trigger per row, which
        costs as much as the COPY itself. When the role may set `session_replication_role`,
        the copy takes the lock that trigger would take (`FOR KEY SHARE` on the project row:
        the project cannot be deleted until this transaction ends) once, and runs with
        triggers off; they are back on as soon as the copy ends (`pause`). Without that
        privilege every row is checked as usual. The tasks table has no other trigger.
        """
        if self._may_skip is None:
            info = raw.info
            self._may_skip = info.parameter_status("is_superuser") == b"on" or (
                info.server_version >= 150000
                and bool(
                    raw.execute(
                        "SELECT has_parameter_privilege('session_replication_role', 'SET')"
                    ).fetchone()[0]
                )
            )
        if not self._may_skip:
            return
        locked = raw.execute(
            "SELECT 1 FROM projects WHERE id = %s FOR KEY SHARE", (self.project_id,)
        ).fetchone()
        if locked is not None:  # else the per-row checks refuse the rows
            raw.execute("SET LOCAL session_replication_role = replica")
            self._checks_off = True

    def _restore_row_checks(self) -> None:
        if self._checks_off:
            self._checks_off = False
            driver = self.session.connection().connection.driver_connection
            driver.execute("SET LOCAL session_replication_role = origin")  # type: ignore[union-attr]

    def pause(self) -> None:
        """End the open COPY (waits for the server to take every row sent) so that other
        statements can run; the next `write` opens a new one."""
        if self._copy is not None:
            copy, cursor = self._copy, self._cursor
            self._copy = self._cursor = self._stream = None
            try:
                copy.__exit__(None, None, None)
            finally:
                cursor.close()
            self._restore_row_checks()

    def abort(self) -> None:
        """End an open COPY after an error (the transaction is rolled back by the caller)."""
        if self._copy is not None:
            copy, cursor = self._copy, self._cursor
            self._copy = self._cursor = self._stream = None
            self._checks_off = False  # the rollback restores the setting
            error = RuntimeError("import aborted")
            try:
                copy.__exit__(type(error), error, None)
            except Exception:  # the copy is being abandoned anyway
                pass
            finally:
                cursor.close()
