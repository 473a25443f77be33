"""The append-only audit log: who did what, when; each entry durable before return."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from station.persistence.audit import AuditEntry, canonical_json
from station.persistence.base import utc_now
from station.persistence.errors import storage_errors
from station.persistence.people import ActorKind
from station.persistence.unit_of_work import store_one


class AuditLog:
    """Append audit entries and read them back in the order they were written."""

    def __init__(
        self, sessions: sessionmaker[Session], clock: Callable[[], datetime] = utc_now
    ) -> None:
        self._sessions = sessions
        self._clock = clock

    def record(
        self,
        action: str,
        *,
        actor_kind: ActorKind,
        actor_user_id: int | None = None,
        entity_type: str = "",
        entity_id: str | int = "",
        detail: Mapping[str, Any] | None = None,
    ) -> int:
        """Store one audit entry stamped with the current UTC time; return its id."""
        entry = AuditEntry(
            at=self._clock(),
            action=action,
            actor_kind=actor_kind,
            actor_user_id=actor_user_id,
            entity_type=entity_type,
            entity_id=str(entity_id),
            detail=canonical_json(detail or {}),
        )
        return store_one(self._sessions, entry, f"store the audit entry {action!r}")

    def entries(
        self,
        since: datetime | None = None,
        entity_type: str | None = None,
        entity_id: str | int | None = None,
    ) -> list[AuditEntry]:
        """Entries in write order, optionally from ``since`` on or about one record."""
        stmt = sa.select(AuditEntry)
        if since is not None:
            stmt = stmt.where(AuditEntry.at >= since)
        if entity_type is not None:
            stmt = stmt.where(AuditEntry.entity_type == entity_type)
        if entity_id is not None:
            stmt = stmt.where(AuditEntry.entity_id == str(entity_id))
        with storage_errors("cannot read the audit log"), self._sessions() as session:
            return list(session.scalars(stmt.order_by(AuditEntry.id)))
