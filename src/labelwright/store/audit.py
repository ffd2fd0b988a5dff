"""Audit writer and verifier: `hash = sha256(prev_hash + canonical JSON of the event)`."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from labelwright.store.models import AuditEvent
from labelwright.store.sql import insert_many, rows_after_advisory_lock

GENESIS_HASH = "0" * 64
# A fixed key for PostgreSQL's transaction-scoped advisory lock that serializes appends, so
# concurrent writers still build one unbroken chain (the lock is held until commit).
_AUDIT_LOCK_KEY = 0x4C57_4155_4449_54  # "LWAUDIT"


def canonical_json(value: Any) -> bytes:
    """Canonical JSON: sorted keys, no whitespace, UTF-8."""
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _timestamp(at: datetime) -> str:
    if at.tzinfo is not None:
        at = at.astimezone(UTC).replace(tzinfo=None)
    return at.isoformat(timespec="microseconds")


def event_hash(
    *,
    prev_hash: str,
    seq: int,
    at: datetime,
    actor: str,
    action: str,
    entity: str,
    entity_id: str,
    project_id: int | None,
    payload_sha256: str,
) -> str:
    event = {
        "seq": seq,
        "at": _timestamp(at),
        "actor": actor,
        "action": action,
        "entity": entity,
        "entity_id": entity_id,
        "project_id": project_id,
        "payload_sha256": payload_sha256,
    }
    return sha256_hex(prev_hash.encode() + canonical_json(event))


_PENDING = "labelwright.audit.pending"


@dataclass(frozen=True, slots=True)
class _Pending:
    actor: str
    action: str
    entity: str
    entity_id: str
    project_id: int | None
    payload: dict[str, Any]
    payload_sha256: str


def append_event(
    session: Session,
    *,
    actor: str,
    action: str,
    entity: str,
    entity_id: str | int,
    project_id: int | None = None,
    payload: dict[str, Any] | None = None,
) -> None:
    """Add one event to the chain as part of the caller's transaction.

    The event is written when the transaction commits (and dropped if it rolls back): the
    chain's head is read and extended at the last moment, so concurrent writers wait for each
    other (PostgreSQL's advisory lock, SQLite's write lock) only for the commit itself.
    """
    body = payload or {}
    session.info.setdefault(_PENDING, []).append(
        _Pending(
            actor=actor,
            action=action,
            entity=entity,
            entity_id=str(entity_id),
            project_id=project_id,
            payload=body,
            payload_sha256=sha256_hex(canonical_json(body)),
        )
    )


@event.listens_for(Session, "before_commit")
def _write_pending(session: Session) -> None:
    pending: list[_Pending] | None = session.info.pop(_PENDING, None)
    if pending:
        # The transaction's own changes go first: its row locks are taken before the chain's
        # lock, never while holding it (two writers could otherwise wait on each other).
        session.flush()
        _write_events(session, pending)


@event.listens_for(Session, "after_soft_rollback")
def _drop_pending(session: Session, previous_transaction: Any) -> None:
    session.info.pop(_PENDING, None)


def _write_events(session: Session, pending: list[_Pending]) -> None:
    last = _locked_chain_head(session)
    seq, prev_hash = (last[0], last[1]) if last else (0, GENESIS_HASH)
    at = datetime.now(UTC)
    rows = []
    for item in pending:
        seq += 1
        digest = event_hash(
            prev_hash=prev_hash,
            seq=seq,
            at=at,
            actor=item.actor,
            action=item.action,
            entity=item.entity,
            entity_id=item.entity_id,
            project_id=item.project_id,
            payload_sha256=item.payload_sha256,
        )
        rows.append(
            {
                "seq": seq,
                "at": at,
                "actor": item.actor,
                "action": item.action,
                "entity": item.entity,
                "entity_id": item.entity_id,
                "project_id": item.project_id,
                "payload": item.payload,
                "payload_sha256": item.payload_sha256,
                "prev_hash": prev_hash,
                "hash": digest,
            }
        )
        prev_hash = digest
    insert_many(session, AuditEvent.__table__, rows)


_CHAIN_HEAD = select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)


def _locked_chain_head(session: Session) -> Any:
    """(seq, hash) of the chain's last event, or None, once this transaction may append.

    PostgreSQL: the advisory lock and the read go in one round trip (a pipeline); the server
    runs the read after the lock is granted, with a snapshot taken then. SQLite: the
    transaction already holds the database's write lock."""
    if session.get_bind().dialect.name != "postgresql":
        return session.connection().execute(_CHAIN_HEAD).first()
    rows = rows_after_advisory_lock(session, _AUDIT_LOCK_KEY, _CHAIN_HEAD, {})
    return rows[0] if rows else None


@dataclass(frozen=True)
class ChainReport:
    """Outcome of `verify_chain`: `broken_at` is the first bad seq, or None when intact."""

    checked: int
    broken_at: int | None
    reason: str | None


def verify_chain(session: Session, *, batch: int = 5000) -> ChainReport:
    """Recompute every hash in seq order and name the first broken link."""
    prev_hash = GENESIS_HASH
    expected_seq = 1
    checked = 0
    for row in _iter_events(session, batch):
        if row.seq != expected_seq:
            return ChainReport(checked, row.seq, f"sequence gap: expected {expected_seq}")
        if row.prev_hash != prev_hash:
            return ChainReport(checked, row.seq, "prev_hash does not match the previous hash")
        if sha256_hex(canonical_json(row.payload)) != row.payload_sha256:
            return ChainReport(checked, row.seq, "payload does not match payload_sha256")
        recomputed = event_hash(
            prev_hash=row.prev_hash,
            seq=row.seq,
            at=row.at,
            actor=row.actor,
            action=row.action,
            entity=row.entity,
            entity_id=row.entity_id,
            project_id=row.project_id,
            payload_sha256=row.payload_sha256,
        )
        if recomputed != row.hash:
            return ChainReport(checked, row.seq, "hash does not match the event's contents")
        prev_hash = row.hash
        expected_seq += 1
        checked += 1
    return ChainReport(checked, None, None)


def _iter_events(session: Session, batch: int) -> Iterator[AuditEvent]:
    after = 0
    while True:
        rows = session.scalars(
            select(AuditEvent).where(AuditEvent.seq > after).order_by(AuditEvent.seq).limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        after = rows[-1].seq
        session.expunge_all()
