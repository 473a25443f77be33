"""The station's own alarms (`storage_unavailable`, `sound_device_missing`...) after a
restart: each station takes up the ones it had open, by its name stored on them, so
their later transitions go to the same rows and none is raised twice; another station's
on the same database are not its own."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from devices.driver import LinkState
from station.alarms import ManualClock, TransitionKind
from station.monitoring import MonitorRecorder, PumpEndpoint, StationMonitor
from station.monitoring.station_monitor import SOUND_DEVICE_MISSING, STORAGE_UNAVAILABLE
from station.persistence import AlarmLog, make_sessionmaker
from station.persistence.alarms import Alarm, AlarmCategory, AlarmPriority
from station.persistence.people import ActorKind
from tests.monitoring.conftest import SPEED, LockableFile, Watched, migrated
from tests.monitoring.world import seed_running_infusion, stored_alarms, stored_kinds
from tests.persistence.conftest import pg_schema_url  # noqa: F401 - a fixture used here
from tests.support.simulator_process import SimulatorProcess


def test_a_storage_alarm_left_open_ends_on_its_own_row_after_the_restart(
        lockable_file: LockableFile, tmp_path: Path,
        simulator: Callable[..., SimulatorProcess], watch: Callable[..., Watched]) -> None:
    sessions, other = lockable_file.sessions, lockable_file.other
    spool = tmp_path / "spool.sqlite"
    seed_running_infusion(sessions)
    sim = simulator(speed=SPEED, pumps=1)
    endpoints = [PumpEndpoint("C1", sim.ports[0].port)]
    first = watch(sessions, endpoints, spool_path=spool, station="ws-1")
    first.link(LinkState.UP)
    first.samples(2)
    other.execute("BEGIN EXCLUSIVE")  # another program holds the file
    first.transition(STORAGE_UNAVAILABLE)
    first.service.stop()  # still locked: the alarm's RAISED waits in the spool
    other.execute("ROLLBACK")
    assert stored_alarms(sessions, STORAGE_UNAVAILABLE) == []

    # The database works: the restarted station writes the spool (the alarm row, open)
    # and takes the alarm up; the condition has ended, on that row.
    second = watch(sessions, endpoints, spool_path=spool, station="ws-1")
    second.transition(STORAGE_UNAVAILABLE, TransitionKind.CONDITION_ENDED)
    second.service.stop()
    [alarm] = stored_alarms(sessions, STORAGE_UNAVAILABLE)
    assert (alarm.station, alarm.chair_id, alarm.pump_id) == ("ws-1", None, None)
    assert stored_kinds(sessions, alarm.id) == ["raised", "condition_ended"]
    assert all(a.condition != STORAGE_UNAVAILABLE
               for a in second.service.station_snapshot().alarms)


@pytest.fixture
def pg_sessions(pg_schema_url: str) -> Iterator[sessionmaker[Session]]:  # noqa: F811
    engine: Engine = migrated(pg_schema_url)
    yield make_sessionmaker(engine)
    engine.dispose()


def station(sessions: sessionmaker[Session], clock: ManualClock,
            name: str | None) -> StationMonitor:
    """A station's alarms as a (re)started station builds them."""
    recorder = MonitorRecorder(sessions, utc_now=clock.utc_now, monotonic=clock.monotonic)
    return StationMonitor(recorder, clock, station=name)


@pytest.mark.postgres
def test_two_stations_on_one_database_each_take_up_only_their_own_station_alarms(
        pg_sessions: sessionmaker[Session]) -> None:
    clock = ManualClock(datetime(2026, 12, 8, 8, 0, tzinfo=UTC))
    for name in ("ws-1", "ws-2"):  # each with no loudspeaker, then killed
        station(pg_sessions, clock, name).sound_output(f"no audio device on {name}")
    AlarmLog(pg_sessions).raise_alarm(Alarm(  # stored before stations were named
        code=SOUND_DEVICE_MISSING, priority=AlarmPriority.MEDIUM,
        category=AlarmCategory.TECHNICAL, latching=False, raised_at=clock.utc_now(),
        cause="before 0008", actor_kind=ActorKind.STATION, actor_user_id=None))
    clock.advance(30.0)
    rows = {row.station: row.id for row in stored_alarms(pg_sessions, SOUND_DEVICE_MISSING)}
    assert set(rows) == {"ws-1", "ws-2", None}

    unnamed = station(pg_sessions, clock, None)
    assert (unnamed.begin(), unnamed.snapshot().alarms) == (None, ())
    for name in ("ws-1", "ws-2"):
        restarted = station(pg_sessions, clock, name)
        taken_up = restarted.begin()
        assert taken_up is not None
        [view] = taken_up.snapshot.alarms
        assert (view.condition, view.alarm_id) == (SOUND_DEVICE_MISSING,
                                                   f"stored-{rows[name]}")
        update = restarted.sound_output(None)  # this station's loudspeaker works now
        assert [t.kind for t in update.transitions] == [TransitionKind.CONDITION_ENDED]
        assert stored_kinds(pg_sessions, rows[name]) == ["raised", "condition_ended"]
    assert stored_kinds(pg_sessions, rows[None]) == ["raised"]
    assert len(stored_alarms(pg_sessions, SOUND_DEVICE_MISSING)) == 3
