"""The local spool, on real SQLite files: what a locked database refused survives the
recorder that kept it, is written once by the next one (also when an earlier replay was
cut off between its commit and the spool's removal); a full local disk is the
technical alarm `spool_unavailable` with the records kept in memory, and records kept
in memory are spooled, in order, once the spool can be written again."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from station.alarms import CONDITIONS, AlarmTransition, ManualClock, Priority, TransitionKind
from station.alarms.sink import SYSTEM_ACTOR
from station.monitoring import MonitorRecorder, RecordContext, StationMonitor
from station.monitoring.spool import LocalSpool
from station.monitoring.spool_records import Spooled
from station.persistence import (
    Records,
    TelemetrySample,
    create_engine,
    load_series,
    make_sessionmaker,
)
from station.persistence.events import InfusionEvent
from station.persistence.schema import upgrade_engine
from station.persistence.telemetry import to_epoch_us
from tests.monitoring.world import Seeded, seed_running_infusion, stored_alarms, stored_kinds
from tests.unit.conftest import NOON


@dataclass
class Station:
    """A SQLite file another program can lock, and a spool file beside it."""

    sessions: sessionmaker[Session]
    seeded: Seeded
    db_path: Path
    spool_path: Path
    now: list[float]
    lock: sqlite3.Connection

    def recorder(self, spool: LocalSpool | None = None) -> MonitorRecorder:
        return MonitorRecorder(self.sessions, utc_now=lambda: NOON,
                               monotonic=lambda: self.now[0],
                               spool=spool or LocalSpool(self.spool_path))

    def context(self) -> RecordContext:
        return RecordContext(self.seeded.pump_id, self.seeded.infusion_id,
                             self.seeded.chair_id)


@pytest.fixture
def station(tmp_path: Path) -> Iterator[Station]:
    db_path = tmp_path / "station.sqlite"
    engine = create_engine(f"sqlite:///{db_path}", busy_timeout_ms=50)
    upgrade_engine(engine)
    sessions = make_sessionmaker(engine)
    lock = sqlite3.connect(db_path, isolation_level=None)
    yield Station(sessions, seed_running_infusion(sessions), db_path,
                  tmp_path / "spool" / "ws-1.sqlite", [0.0], lock)
    lock.close()
    engine.dispose()


def step(kind: TransitionKind, seconds: float, actor: str = SYSTEM_ACTOR) -> AlarmTransition:
    return AlarmTransition("engine-1", "C1", "occlusion", kind, Priority.HIGH,
                           NOON + timedelta(seconds=seconds), seconds, actor)


def outage_records(station: Station, recorder: MonitorRecorder) -> list[int]:
    """An alarm, its acknowledgement, a link event and 12 samples while the file is
    locked; the sample times (microseconds)."""
    context = station.context()
    recorder.alarm_transition(step(TransitionKind.RAISED, 0), context)
    recorder.communication_changed(context, online=False, occurred_at=NOON,
                                   detail="link up -> lost")
    times = []
    for second in range(12):
        station.now[0] = float(second)  # the writer flushes (and fails) once a second
        at = NOON + timedelta(seconds=second, milliseconds=3)
        recorder.telemetry_row(TelemetrySample(station.seeded.infusion_id, at, 100.0,
                                               second / 36, 15.0))
        times.append(to_epoch_us(at))
        recorder.tick()
    recorder.alarm_transition(step(TransitionKind.ACKNOWLEDGED, 5, str(station.seeded.user_id)),
                              context)
    return times


def backup(source: Path, target: Path) -> None:
    """A consistent copy of a live SQLite file (its write-ahead log included)."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


def assert_stored_once(station: Station, times: list[int]) -> None:
    [alarm] = stored_alarms(station.sessions, "occlusion")
    assert alarm.raised_at == NOON
    assert stored_kinds(station.sessions, alarm.id) == ["raised", "acknowledged"]
    events = Records(station.sessions).select_all(sa.select(InfusionEvent))
    assert [(e.pump_online, e.occurred_at) for e in events] == [(False, NOON)]
    series = load_series(station.sessions, station.seeded.infusion_id)
    assert series.times_us.tolist() == times  # every sample, once, in order
    assert np.allclose(series.volume_ml, [s / 36 for s in range(12)])


def test_records_the_database_refused_outlive_the_recorder_and_are_stored_once(
        station: Station) -> None:
    station.lock.execute("BEGIN EXCLUSIVE")
    first = station.recorder()
    times = outage_records(station, first)
    assert first.refusing and first.telemetry_pending == 12
    kept = LocalSpool(station.spool_path).entries()
    assert [kind for _, kind, _ in kept][:3] == ["alarm_raised", "event", "chunks"]
    assert kept[-1][1] == "alarm_step"
    # The process dies here: nothing is closed, nothing flushed.
    station.lock.execute("ROLLBACK")
    copy = station.spool_path.with_suffix(".copy")
    backup(station.spool_path, copy)  # as if the next one dies after its commits

    second = station.recorder()
    second.start()
    assert (second.waiting, second.rejected, second.refusing) == (0, 0, False)
    assert LocalSpool(station.spool_path).entries() == []
    assert_stored_once(station, times)

    backup(copy, station.spool_path)
    third = station.recorder()
    third.start()  # the same entries again: each found stored, none written twice
    assert (third.waiting, third.rejected) == (0, 0)  # nothing refused by a key either
    assert_stored_once(station, times)


def test_a_full_local_disk_is_a_technical_alarm_and_the_records_stay_in_memory(
        station: Station) -> None:
    station.lock.execute("BEGIN EXCLUSIVE")
    recorder = station.recorder(LocalSpool(station.spool_path, max_bytes=1))
    clock = ManualClock(NOON)
    monitor = StationMonitor(recorder, clock)
    context = station.context()
    sent = 0
    while recorder.spool_error is None and sent < 40:  # the spool's one page fills
        recorder.alarm_transition(step(TransitionKind.RAISED if sent == 0
                                       else TransitionKind.AUDIO_PAUSED, sent), context)
        sent += 1
    assert recorder.spool_error is not None and "full" in recorder.spool_error
    monitor.check()
    [alarm] = [a for a in monitor.snapshot().alarms if a.condition == "spool_unavailable"]
    assert alarm.priority is Priority.HIGH
    assert CONDITIONS["spool_unavailable"].category.value == "technical"
    assert recorder.waiting > sent  # all of them, and the station's own transitions

    station.lock.execute("ROLLBACK")
    recorder.tick()
    monitor.tick()
    recorder.tick()
    assert recorder.waiting == 0 and recorder.spool_error is None
    assert "spool_unavailable" not in {a.condition for a in monitor.snapshot().alarms}
    [stored] = stored_alarms(station.sessions, "occlusion")
    assert len(stored_kinds(station.sessions, stored.id)) == sent


def test_records_kept_in_memory_are_spooled_in_order_once_the_spool_can_be_written(
        station: Station, tmp_path: Path) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the spool's folder should be")
    spool_path = blocked / "ws-1.sqlite"
    station.lock.execute("BEGIN EXCLUSIVE")
    first = station.recorder(LocalSpool(spool_path))
    context = station.context()
    first.alarm_transition(step(TransitionKind.RAISED, 0), context)
    first.alarm_transition(step(TransitionKind.AUDIO_PAUSED, 1), context)
    assert first.spool_error is not None and first.waiting == 2

    blocked.unlink()  # the folder can be made now
    first.alarm_transition(step(TransitionKind.AUDIO_RESUMED, 2), context)
    assert first.spool_error is None
    kept = LocalSpool(spool_path).entries()
    assert [Spooled.of(kind, payload).data["kind"] for _, kind, payload in kept] == [
        "raised", "audio_paused", "audio_resumed"]

    station.lock.execute("ROLLBACK")  # the first recorder is gone; the next one writes
    second = station.recorder(LocalSpool(spool_path))
    second.start()
    [alarm] = stored_alarms(station.sessions, "occlusion")
    assert stored_kinds(station.sessions, alarm.id) == ["raised", "audio_paused",
                                                        "audio_resumed"]
