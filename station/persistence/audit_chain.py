"""The audit log's hash chain: each entry's hash covers its content and its predecessor's.

``hash = sha256(canonical JSON of {action, actor_kind, actor_user_id, at, detail,
entity_id, entity_type, prev})``, hex; ``prev`` is the previous entry's hash (in id
order), the first entry's is :data:`GENESIS`. A session listener fills both columns
of every new :class:`AuditEntry` at flush, whoever adds it (services, ``AuditLog``).

Appends are serialised so the chain cannot fork: on PostgreSQL the flush first takes
``LOCK TABLE audit_log IN EXCLUSIVE MODE`` (held to the commit; readers are not
blocked), so the predecessor read and the insert (whose id comes from the sequence
under the lock) are one step. On SQLite every write transaction already holds the
database's write lock (``BEGIN IMMEDIATE``), and a deferred one that read an older
predecessor cannot commit (SQLite refuses its upgrade to writer).

Migration 0004 keeps a frozen copy of :func:`entry_hash` (migrations import nothing
of the application); the two must agree, which ``tests/access`` checks.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, UOWTransaction

from station.persistence.audit import AuditEntry
from station.persistence.people import ActorKind

GENESIS = "0" * 64
_TABLE = AuditEntry.__table__


def _iso_utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_hash(prev_hash: str, *, at: datetime, action: str, actor_kind: str,
               actor_user_id: int | None, entity_type: str, entity_id: str,
               detail: str) -> str:
    """The SHA-256 (hex) of one entry's content chained to ``prev_hash``."""
    content = {"prev": prev_hash, "at": _iso_utc(at), "action": action,
               "actor_kind": actor_kind, "actor_user_id": actor_user_id,
               "entity_type": entity_type, "entity_id": entity_id, "detail": detail}
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _hash_of(entry: AuditEntry, prev_hash: str) -> str:
    return entry_hash(prev_hash, at=entry.at, action=entry.action,
                      actor_kind=entry.actor_kind.value, actor_user_id=entry.actor_user_id,
                      entity_type=entry.entity_type, entity_id=entry.entity_id,
                      detail=entry.detail)


def _last_hash(connection: Connection) -> str:
    last = connection.scalar(sa.select(_TABLE.c.hash).order_by(_TABLE.c.id.desc()).limit(1))
    return GENESIS if last is None else str(last)


@event.listens_for(Session, "before_flush")
def _chain_new_entries(session: Session, _ctx: UOWTransaction, _instances: Any) -> None:
    new = [obj for obj in session.new if isinstance(obj, AuditEntry)]
    if not new:
        return
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(sa.text(f"LOCK TABLE {AuditEntry.__tablename__} IN EXCLUSIVE MODE"))
    prev = _last_hash(connection)
    # The unit of work inserts one mapper's new rows in the order they were added, so
    # ids follow this order too.
    for entry in sorted(new, key=lambda obj: sa.inspect(obj).insert_order or 0):
        # Column defaults apply at INSERT, after this: set them so the hash sees them.
        entry.entity_type = entry.entity_type or ""
        entry.entity_id = entry.entity_id or ""
        entry.detail = entry.detail or "{}"
        entry.prev_hash = prev
        entry.hash = prev = _hash_of(entry, prev)


@dataclass(frozen=True)
class ChainReport:
    """What ``audit verify`` found: entries checked, the head, or the first broken one."""

    checked: int
    head: str
    broken_id: int | None = None
    reason: str = ""

    @property
    def intact(self) -> bool:
        return self.broken_id is None


@contextmanager
def _rows(connection: Connection) -> Iterator[Iterator[sa.Row[Any]]]:
    # Streamed in batches (a server-side cursor on PostgreSQL), closed even when the
    # walk stops at a broken entry.
    result = connection.execution_options(yield_per=1000).execute(
        sa.select(_TABLE).order_by(_TABLE.c.id))
    try:
        yield iter(result)
    finally:
        result.close()


def verify_chain(connection: Connection) -> ChainReport:
    """Walk the log in id order and name the first entry whose link or hash is wrong."""
    with _rows(connection) as rows:
        return _walk(rows)


def _walk(rows: Iterator[sa.Row[Any]]) -> ChainReport:
    expected_prev, previous_id, checked = GENESIS, None, 0
    for row in rows:
        before = "the start of the log" if previous_id is None else f"entry {previous_id}"
        if row.prev_hash != expected_prev:
            return ChainReport(checked, expected_prev, row.id,
                               f"its link does not match {before}: an entry before it was "
                               "removed, changed or inserted")
        at = row.at if row.at.tzinfo is not None else row.at.replace(tzinfo=UTC)
        kind = row.actor_kind.value if isinstance(row.actor_kind, ActorKind) else row.actor_kind
        actual = entry_hash(row.prev_hash, at=at, action=row.action, actor_kind=kind,
                            actor_user_id=row.actor_user_id, entity_type=row.entity_type,
                            entity_id=row.entity_id, detail=row.detail)
        if row.hash != actual:
            return ChainReport(checked, expected_prev, row.id,
                               "its content does not match its hash: it was changed")
        expected_prev, previous_id, checked = row.hash, row.id, checked + 1
    return ChainReport(checked, expected_prev)
