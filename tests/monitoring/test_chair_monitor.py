"""One chair's monitoring fed driver events by hand, on a manual clock and a real SQLite file.

The events are the driver's own types, built as the driver builds them; the time is
the test's, so the link watch and the budget are checked to the tick.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from devices.driver import (
    AlarmSource,
    LinkState,
    LinkStateChanged,
    PumpAlarm,
    PumpIdentified,
    PumpInfo,
    Sample,
    Stamp,
)
from devices.protocol import AlarmCode, ExtendedConditions, Prompt
from station.alarms import ManualClock, Priority, TransitionKind
from station.monitoring import (
    STATION,
    ChairMonitor,
    MonitorRecorder,
    MonitorSettings,
    PumpEndpoint,
    StationMonitor,
)
from station.persistence import create_engine, make_sessionmaker
from station.persistence.schema import upgrade_engine
from tests.monitoring.world import pump_events, seed_running_infusion, stored_alarms, stored_kinds

INFO = PumpInfo(model="NE1000", firmware="V3.928", version_text="NE1000V3.928", extension=True,
                is_simulator=True, serial_number="SN0001", safe_mode_timeout_s=15)
PUMP = "C1"


class Chair:
    """A ChairMonitor on a manual clock, and driver events stamped by that clock."""

    def __init__(self, sessions: sessionmaker[Session],
                 settings: MonitorSettings | None = None) -> None:
        settings = settings or MonitorSettings()
        self.clock = ManualClock(datetime(2026, 11, 25, 8, 0, tzinfo=UTC))
        self.recorder = MonitorRecorder(sessions, utc_now=self.clock.utc_now,
                                        monotonic=self.clock.monotonic,
                                        conditions=settings.conditions)
        self.monitor = ChairMonitor(PumpEndpoint(PUMP, "/dev/pts/9"), self.recorder,
                                    self.clock, settings)

    def stamp(self) -> Stamp:
        return Stamp(self.clock.utc_now(), self.clock.monotonic())

    def connect(self, old: LinkState = LinkState.CONNECTING) -> None:
        self.monitor.handle(PumpIdentified(PUMP, self.stamp(), INFO))
        self.monitor.handle(LinkStateChanged(PUMP, self.stamp(), old, LinkState.UP, "answers"))

    def sample(self, *, air: bool = False, battery: int = 100) -> Sample:
        sample = Sample(PUMP, self.stamp(), Prompt.INFUSING, 100.0, 1.0, 15.0,
                        ExtendedConditions(air, battery))
        self.monitor.handle(sample)
        return sample

    def open_conditions(self) -> set[str]:
        return {a.condition for a in self.monitor.snapshot().alarms}


@pytest.fixture
def chair(sessions: sessionmaker[Session]) -> Chair:
    return Chair(sessions)


def test_a_pump_silent_for_the_watch_time_is_a_lost_link_even_if_the_driver_says_nothing(
        chair: Chair, sessions: sessionmaker[Session]) -> None:
    chair.connect()
    chair.sample()
    chair.clock.advance(MonitorSettings().link_watch_s - 0.01)
    assert chair.monitor.tick() is None

    chair.clock.advance(0.01)
    update = chair.monitor.tick()

    assert update is not None
    assert [(t.condition, t.kind) for t in update.transitions] == [
        ("link_lost", TransitionKind.RAISED)]
    assert [a.code for a in stored_alarms(sessions)] == ["link_lost"]


def test_the_watch_counts_from_the_start_of_monitoring_not_from_construction(
        chair: Chair, sessions: sessionmaker[Session]) -> None:
    chair.clock.advance(60.0)  # built a minute before the service started
    chair.monitor.begin()
    chair.clock.advance(MonitorSettings().link_watch_s - 0.01)
    chair.monitor.tick()
    assert stored_alarms(sessions) == []

    chair.clock.advance(0.01)
    chair.monitor.tick()
    assert [a.code for a in stored_alarms(sessions)] == ["link_lost"]


def test_the_power_up_alarm_waits_for_the_pump_row_so_its_record_names_the_pump(
        chair: Chair, sessions: sessionmaker[Session]) -> None:
    seeded = seed_running_infusion(sessions, chair_label=PUMP)
    chair.monitor.handle(PumpAlarm(PUMP, chair.stamp(), AlarmCode.RESET, AlarmSource.CONNECT,
                                   acknowledged_at_pump=True))
    assert stored_alarms(sessions) == []

    chair.connect()

    [alarm] = stored_alarms(sessions)
    assert (alarm.code, alarm.pump_id, alarm.chair_id, alarm.infusion_id) == (
        "pump_reset", seeded.pump_id, seeded.chair_id, seeded.infusion_id)
    assert chair.monitor.snapshot().infusion_id == seeded.infusion_id


def test_a_failed_connection_releases_the_held_alarm_with_the_lost_link(
        chair: Chair, sessions: sessionmaker[Session]) -> None:
    chair.monitor.handle(PumpAlarm(PUMP, chair.stamp(), AlarmCode.SAFE_TIMEOUT,
                                   AlarmSource.CONNECT, acknowledged_at_pump=True))
    chair.monitor.handle(LinkStateChanged(PUMP, chair.stamp(), LinkState.CONNECTING,
                                          LinkState.LOST, "cannot connect: NoReplyError"))

    assert {a.code for a in stored_alarms(sessions)} == {"safe_mode_timeout", "link_lost"}


def test_an_outage_is_one_offline_and_one_online_event_with_the_gap(
        chair: Chair, sessions: sessionmaker[Session]) -> None:
    seeded = seed_running_infusion(sessions, chair_label=PUMP)
    chair.connect()
    last = chair.sample()
    chair.clock.advance(5.5)
    chair.monitor.handle(LinkStateChanged(PUMP, chair.stamp(), LinkState.UP, LinkState.LOST,
                                          "no valid reply for 5.5 s"))
    chair.clock.advance(20.0)  # the link watch ticks meanwhile: no second alarm, no event
    chair.monitor.tick()
    chair.clock.advance(4.5)
    chair.connect(old=LinkState.LOST)

    offline, online = pump_events(sessions, seeded.pump_id)
    assert (offline.pump_online, offline.occurred_at) == (False, last.at.utc)
    assert offline.reason_detail == "link up -> lost: no valid reply for 5.5 s"
    assert online.pump_online
    assert online.reason_detail == "link up again after 30.0 s without data"
    [alarm] = stored_alarms(sessions, "link_lost")
    assert stored_kinds(sessions, alarm.id) == ["raised", "condition_ended"]


def test_a_stall_is_the_pumps_alarm_and_an_occlusion_the_detector_had_not_seen(
        chair: Chair, sessions: sessionmaker[Session]) -> None:
    chair.connect()
    chair.sample()
    chair.clock.advance(1.0)
    update = chair.monitor.handle(PumpAlarm(PUMP, chair.stamp(), AlarmCode.STALL,
                                            AlarmSource.AUTO, acknowledged_at_pump=False))

    assert [(t.condition, t.kind) for t in update.transitions] == [
        ("pump_stall", TransitionKind.RAISED), ("occlusion", TransitionKind.RAISED)]
    assert update.snapshot.sound_now is Priority.HIGH
    assert [a.code for a in stored_alarms(sessions)] == ["pump_stall", "occlusion"]


def test_air_in_line_latches_and_low_battery_follows_the_charge(chair: Chair) -> None:
    chair.connect()
    chair.sample(air=True, battery=50)
    assert {"air_in_line"} <= chair.open_conditions()

    chair.sample(air=False, battery=20)
    assert {"air_in_line", "low_battery"} <= chair.open_conditions()
    chair.sample(air=False, battery=80)

    states = {a.condition: a.state for a in chair.monitor.snapshot().alarms}
    assert states["air_in_line"] == "latched"
    assert "low_battery" not in states


@pytest.fixture
def locked_sqlite(tmp_path: Path) -> Iterator[tuple[sessionmaker[Session], sqlite3.Connection]]:
    """A migrated SQLite file with a short busy timeout, and a connection to lock it."""
    engine = create_engine(f"sqlite:///{tmp_path / 'station.sqlite'}", busy_timeout_ms=50)
    upgrade_engine(engine)
    other = sqlite3.connect(tmp_path / "station.sqlite", isolation_level=None)
    yield make_sessionmaker(engine), other
    other.close()
    engine.dispose()


def test_alarms_raised_while_the_database_is_locked_are_stored_in_order_afterwards(
        locked_sqlite: tuple[sessionmaker[Session], sqlite3.Connection]) -> None:
    sessions, other = locked_sqlite
    chair = Chair(sessions)
    chair.connect()
    other.execute("BEGIN EXCLUSIVE")
    chair.monitor.handle(PumpAlarm(PUMP, chair.stamp(), AlarmCode.STALL, AlarmSource.AUTO,
                                   acknowledged_at_pump=False))
    chair.sample()  # the prompt again: the stall's condition ends, its alarm stays latched
    station = StationMonitor(chair.recorder, chair.clock)
    update = station.check()  # as the service does after each event
    assert update is not None and update.snapshot.chair_id == STATION
    # The stall, its end, the storage alarm of the station: kept in order.
    assert chair.recorder.waiting == 3
    assert "pump_stall" in chair.open_conditions()
    assert "storage_unavailable" not in chair.open_conditions()  # the station's, not C1's
    assert [a.condition for a in station.snapshot().alarms] == ["storage_unavailable"]

    other.execute("ROLLBACK")
    chair.clock.advance(0.25)
    chair.monitor.tick()
    chair.recorder.tick()
    station.tick()  # everything stored: the storage alarm ends

    assert chair.recorder.waiting == 0
    [alarm] = stored_alarms(sessions, "pump_stall")
    assert stored_kinds(sessions, alarm.id) == ["raised", "condition_ended"]
    [storage] = stored_alarms(sessions, "storage_unavailable")
    assert (storage.priority.value, storage.category.value) == ("high", "technical")
    assert storage.id > alarm.id
    assert (storage.chair_id, storage.pump_id, storage.infusion_id) == (None, None, None)
    assert stored_kinds(sessions, storage.id) == ["raised", "condition_ended"]
    assert station.snapshot().alarms == ()
