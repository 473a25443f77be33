"""The alarm log: alarms as raised and every later transition, each stored durably."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from station.persistence.alarms import Alarm, AlarmTransition, AlarmTransitionKind
from station.persistence.errors import storage_errors
from station.persistence.unit_of_work import store_durably, store_one


class AlarmLog:
    """Append alarms and their transitions (pause, acknowledge, reset...) and read them."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def raise_alarm(self, alarm: Alarm) -> int:
        """Store a new alarm and its RAISED transition in one durable commit."""
        raised = AlarmTransition(
            kind=AlarmTransitionKind.RAISED,
            priority=alarm.priority,
            at=alarm.raised_at,
            cause=alarm.cause,
            actor_kind=alarm.actor_kind,
            actor_user_id=alarm.actor_user_id,
        )
        raised.alarm = alarm
        store_durably(self._sessions, [alarm, raised], "store the alarm")
        return alarm.id

    def record(self, transition: AlarmTransition) -> int:
        """Store one transition of an existing alarm durably; return its id."""
        return store_one(self._sessions, transition, f"store the alarm {transition.kind.value}")

    def record_many(self, transitions: Iterable[AlarmTransition]) -> None:
        """Store several transitions in one durable commit (e.g. a reset of a group)."""
        store_durably(self._sessions, list(transitions), "store the alarm transitions")

    def history(self, alarm_id: int) -> list[AlarmTransition]:
        """Every transition of an alarm, oldest first."""
        stmt = (
            sa.select(AlarmTransition)
            .where(AlarmTransition.alarm_id == alarm_id)
            .order_by(AlarmTransition.at, AlarmTransition.id)
        )
        with storage_errors("cannot read the alarm history"), self._sessions() as session:
            return list(session.scalars(stmt))

    def alarms_since(self, since: datetime, infusion_id: int | None = None) -> list[Alarm]:
        """Alarms raised at or after ``since``, optionally of one infusion, oldest first."""
        stmt = sa.select(Alarm).where(Alarm.raised_at >= since)
        if infusion_id is not None:
            stmt = stmt.where(Alarm.infusion_id == infusion_id)
        with storage_errors("cannot read alarms"), self._sessions() as session:
            return list(session.scalars(stmt.order_by(Alarm.raised_at, Alarm.id)))

    def latest_transitions(self, alarm_ids: Iterable[int]) -> dict[int, AlarmTransitionKind]:
        """The latest transition kind of each alarm (its current state), in one query."""
        ids = list(alarm_ids)
        if not ids:
            return {}
        latest = (
            sa.select(sa.func.max(AlarmTransition.id).label("id"))
            .where(AlarmTransition.alarm_id.in_(ids))
            .group_by(AlarmTransition.alarm_id)
            .scalar_subquery()
        )
        stmt = sa.select(AlarmTransition.alarm_id, AlarmTransition.kind).where(
            AlarmTransition.id.in_(latest)
        )
        with storage_errors("cannot read alarm states"), self._sessions() as session:
            return {alarm_id: kind for alarm_id, kind in session.execute(stmt)}
