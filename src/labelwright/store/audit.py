"""Audit writer and verifier: `hash = sha256(prev_hash + canonical JSON of the event)`."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from labelwright.store.models import AuditEvent

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


def append_event(
    session: Session,
    *,
    actor: str,
    action: str,
    entity: str,
    entity_id: str | int,
    project_id: int | None = None,
    payload: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the chain inside the caller's transaction."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(_advisory_lock()))
    last = session.execute(
        select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    seq, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS_HASH)
    body = payload or {}
    payload_sha256 = sha256_hex(canonical_json(body))
    at = datetime.now(UTC)
    event = AuditEvent(
        seq=seq,
        at=at,
        actor=actor,
        action=action,
        entity=entity,
        entity_id=str(entity_id),
        project_id=project_id,
        payload=body,
        payload_sha256=payload_sha256,
        prev_hash=prev_hash,
        hash=event_hash(
            prev_hash=prev_hash,
            seq=seq,
            at=at,
            actor=actor,
            action=action,
            entity=entity,
            entity_id=str(entity_id),
            project_id=project_id,
            payload_sha256=payload_sha256,
        ),
    )
    session.add(event)
    session.flush()
    return event


def _advisory_lock() -> Any:
    return func.pg_advisory_xact_lock(_AUDIT_LOCK_KEY)


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
