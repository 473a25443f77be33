"""The infusion event store: each append is on disk before it returns."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from station.persistence.base import utc_now
from station.persistence.errors import storage_errors
from station.persistence.events import InfusionEvent
from station.persistence.unit_of_work import store_one


class EventStore:
    """Append and query infusion and pump events (IHE PCD-10 vocabulary)."""

    def __init__(
        self, sessions: sessionmaker[Session], clock: Callable[[], datetime] = utc_now
    ) -> None:
        self._sessions = sessions
        self._clock = clock

    def append(self, event: InfusionEvent) -> int:
        """Store ``event`` durably, stamping ``recorded_at``; return its id."""
        event.recorded_at = self._clock()
        return store_one(self._sessions, event, f"store the {event.kind.value} event")

    def for_infusion(
        self, infusion_id: int, since: datetime | None = None, until: datetime | None = None
    ) -> list[InfusionEvent]:
        """Events of one infusion in the order they occurred, optionally in [since, until)."""
        return self._query(InfusionEvent.infusion_id == infusion_id, since, until)

    def for_pump(
        self, pump_id: int, since: datetime | None = None, until: datetime | None = None
    ) -> list[InfusionEvent]:
        """Events of one pump in the order they occurred, optionally in [since, until)."""
        return self._query(InfusionEvent.pump_id == pump_id, since, until)

    def _query(
        self,
        condition: sa.ColumnElement[bool],
        since: datetime | None,
        until: datetime | None,
    ) -> list[InfusionEvent]:
        stmt = sa.select(InfusionEvent).where(condition)
        if since is not None:
            stmt = stmt.where(InfusionEvent.occurred_at >= since)
        if until is not None:
            stmt = stmt.where(InfusionEvent.occurred_at < until)
        stmt = stmt.order_by(InfusionEvent.occurred_at, InfusionEvent.id)
        with storage_errors("cannot read infusion events"), self._sessions() as session:
            return list(session.scalars(stmt))
