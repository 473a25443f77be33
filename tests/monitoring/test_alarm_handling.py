"""The alarm system's handling through a chair's monitoring: a unit's escalation time,
and the cause of an alarm that closed by itself. Manual clock, real SQLite file."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from station.alarms import CONDITIONS, AlarmError, Cause, CauseCode, Priority, TransitionKind
from station.alarms.conditions import with_overrides
from station.monitoring import MonitorSettings
from station.persistence import Records
from station.persistence.alarms import AlarmTransition as StoredTransition
from tests.monitoring.test_chair_monitor import Chair
from tests.monitoring.world import stored_alarms, stored_kinds


def battery_alarm_after(chair: Chair, seconds: float) -> Priority:
    """Low battery left unanswered for `seconds`: its priority then."""
    chair.connect()
    chair.sample(battery=10)
    chair.clock.advance(seconds)
    chair.monitor.tick()
    battery = chair.monitor.alarms.alarm("low_battery")
    assert battery is not None
    return battery.priority


def test_a_unit_sets_when_an_unanswered_alarm_escalates(
        sessions: sessionmaker[Session]) -> None:
    # low_battery waits 300 s by default; this unit wants the charge nurse sooner.
    unit = with_overrides(CONDITIONS, {"low_battery": {"escalate_after_s": 30.0}})
    chair = Chair(sessions, MonitorSettings(conditions=unit))
    assert battery_alarm_after(chair, 29.9) is Priority.MEDIUM
    chair.clock.advance(0.1)
    update = chair.monitor.tick()
    assert update is not None
    assert [(t.condition, t.kind, t.priority) for t in update.transitions] == [
        ("low_battery", TransitionKind.ESCALATED, Priority.HIGH)]
    [stored] = stored_alarms(sessions, "low_battery")
    assert stored_kinds(sessions, stored.id) == ["raised", "escalated"]


def test_the_default_table_is_used_without_a_unit_setting(
        sessions: sessionmaker[Session]) -> None:
    assert battery_alarm_after(Chair(sessions), 30) is Priority.MEDIUM


def test_the_cause_of_an_alarm_that_closed_by_itself_is_stored(
        sessions: sessionmaker[Session]) -> None:
    chair = Chair(sessions)
    chair.connect()
    chair.sample(battery=10)
    alarm = chair.monitor.alarms.alarm("low_battery")
    assert alarm is not None
    chair.sample(battery=90)  # plugged in: not latched, so it closes by itself
    assert chair.monitor.alarms.alarm("low_battery") is None

    update = chair.monitor.record_cause(alarm.alarm_id, "nurse.a",
                                        Cause(CauseCode.PUMP_FAULT, "left on battery"))
    assert [t.kind for t in update.transitions] == [TransitionKind.CAUSE_RECORDED]
    [stored] = stored_alarms(sessions, "low_battery")
    assert stored_kinds(sessions, stored.id) == ["raised", "condition_ended", "cause_recorded"]
    last = Records(sessions).select_all(
        sa.select(StoredTransition).where(StoredTransition.alarm_id == stored.id)
        .order_by(StoredTransition.id.desc()).limit(1))[0]
    assert (last.cause_code, last.cause) == ("pump_fault", "left on battery")
    assert "nurse.a" in last.detail  # a user known by name only is named

    with pytest.raises(AlarmError, match="no recent alarm"):
        chair.monitor.record_cause("not-an-alarm", "nurse.a", Cause(CauseCode.OTHER, "?"))
