"""Alarm transitions and audit entries: who, when, why; stored durably; never changed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from station.persistence.alarm_log import AlarmLog
from station.persistence.alarms import Alarm, AlarmCategory, AlarmPriority, AlarmTransition
from station.persistence.alarms import AlarmTransitionKind as Kind
from station.persistence.append_only import AppendOnlyError
from station.persistence.audit_log import AuditLog
from station.persistence.people import ActorKind
from station.persistence.records import Records
from tests.persistence.factories import T0, Seed


def _occlusion(seed: Seed, minutes: int = 0) -> Alarm:
    return Alarm(
        code="occlusion_downstream",
        priority=AlarmPriority.HIGH,
        category=AlarmCategory.TECHNICAL,
        latching=True,
        raised_at=T0 + timedelta(minutes=minutes),
        cause="pump reported downstream occlusion (pressure 610 mmHg)",
        infusion_id=seed.infusion_id,
        pump_id=seed.pump_id,
        chair_id=seed.chair_id,
        actor_kind=ActorKind.PUMP,
    )


def _by_nurse(
    seed: Seed, alarm_id: int, kind: Kind, minutes: int, **extra: object
) -> AlarmTransition:
    return AlarmTransition(
        alarm_id=alarm_id,
        kind=kind,
        priority=AlarmPriority.HIGH,
        at=T0 + timedelta(minutes=minutes),
        actor_kind=ActorKind.USER,
        actor_user_id=seed.user_id,
        **extra,
    )


def test_alarm_life_is_recorded_with_who_when_and_why(
    sessions: sessionmaker[Session], seed: Seed
) -> None:
    log = AlarmLog(sessions)
    alarm_id = log.raise_alarm(_occlusion(seed))
    log.record(
        _by_nurse(seed, alarm_id, Kind.AUDIO_PAUSED, 1, pause_until=T0 + timedelta(minutes=3))
    )
    log.record_many(
        [
            _by_nurse(
                seed, alarm_id, Kind.CONDITION_ENDED, 2, cause_code="line_clamped", cause="freed"
            ),
            _by_nurse(seed, alarm_id, Kind.RESET, 3),
        ]
    )

    history = log.history(alarm_id)

    assert [t.kind for t in history] == [
        Kind.RAISED,
        Kind.AUDIO_PAUSED,
        Kind.CONDITION_ENDED,
        Kind.RESET,
    ]
    assert history[0].actor_kind is ActorKind.PUMP and history[0].cause.startswith("pump")
    assert history[1].pause_until == T0 + timedelta(minutes=3)
    assert history[2].cause_code == "line_clamped" and history[2].cause == "freed"
    assert history[3].actor_user_id == seed.user_id
    assert log.latest_transitions([alarm_id]) == {alarm_id: Kind.RESET}


def test_latest_transitions_and_alarms_since(sessions: sessionmaker[Session], seed: Seed) -> None:
    log = AlarmLog(sessions)
    early = log.raise_alarm(_occlusion(seed, 0))
    late = log.raise_alarm(_occlusion(seed, 10))
    log.record(_by_nurse(seed, early, Kind.ACKNOWLEDGED, 1))

    assert log.latest_transitions([early, late]) == {early: Kind.ACKNOWLEDGED, late: Kind.RAISED}
    assert log.latest_transitions([]) == {}
    assert [a.id for a in log.alarms_since(T0 + timedelta(minutes=5))] == [late]
    assert [a.id for a in log.alarms_since(T0, infusion_id=seed.infusion_id)] == [early, late]


def test_alarm_records_cannot_be_saved_over(sessions: sessionmaker[Session], seed: Seed) -> None:
    log = AlarmLog(sessions)
    alarm_id = log.raise_alarm(_occlusion(seed))
    (raised,) = log.history(alarm_id)
    raised.cause = "edited"
    with pytest.raises(AppendOnlyError):
        Records(sessions).save(raised)
    assert log.history(alarm_id)[0].cause.startswith("pump")


def test_audit_entries_keep_order_actor_and_canonical_detail(
    sessions: sessionmaker[Session], seed: Seed
) -> None:
    times = iter([T0, T0 + timedelta(seconds=1)])
    audit = AuditLog(sessions, clock=lambda: next(times))
    first = audit.record(
        "soft_limit_override",
        actor_kind=ActorKind.USER,
        actor_user_id=seed.user_id,
        entity_type="order",
        entity_id=seed.order_id,
        detail={"reason": "physician confirmed", "limit": 180, "asked": 200},
    )
    second = audit.record("station_started", actor_kind=ActorKind.STATION)

    entries = audit.entries()

    assert [e.id for e in entries] == [first, second]
    assert entries[0].at == T0 and entries[1].at == T0 + timedelta(seconds=1)
    assert entries[0].detail == '{"asked":200,"limit":180,"reason":"physician confirmed"}'
    assert entries[0].detail_dict()["reason"] == "physician confirmed"
    assert [e.id for e in audit.entries(entity_type="order", entity_id=seed.order_id)] == [first]
    assert [e.id for e in audit.entries(since=T0 + timedelta(milliseconds=500))] == [second]


def test_audit_entries_cannot_be_changed_or_deleted(
    sessions: sessionmaker[Session], seed: Seed
) -> None:
    audit = AuditLog(sessions)
    audit.record("login", actor_kind=ActorKind.USER, actor_user_id=seed.user_id)
    (entry,) = audit.entries()
    with sessions() as session, pytest.raises(AppendOnlyError):
        session.get_one(type(entry), entry.id).action = "logout"
        session.flush()
    with sessions() as session, pytest.raises(AppendOnlyError):
        session.delete(session.get_one(type(entry), entry.id))
        session.flush()
    assert [e.action for e in audit.entries()] == ["login"]
