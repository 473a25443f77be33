"""When a chair reads its clinical schedule again: on a write that concerns it, soon
after a refused read, and at the slow safety re-read; never on a fixed 10 s timer.

A `ChairMonitor` on a manual clock and a real SQLite file; the schedule source is the
injected reader, here one the test answers (a refused read is what a locked or
unreachable database gives `StoredSchedule`).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session, sessionmaker

from station.alarms import ManualClock
from station.monitoring import (
    ChairMonitor,
    ClinicalSchedule,
    MonitorRecorder,
    MonitorSettings,
    PumpEndpoint,
)
from station.monitoring.chair_monitor import REREAD_RETRY_S
from station.monitoring.changed import ChangedRecord
from station.persistence.errors import DatabaseUnavailableError

PAUSED_AT = datetime(2026, 11, 25, 7, 55, tzinfo=UTC)
SCHEDULE = ClinicalSchedule(appointment_id=3, infusion_id=11, paused_at=PAUSED_AT)


class Reader:
    """The chair's schedule as stored; refuses the reads it is told to."""

    def __init__(self) -> None:
        self.reads = 0
        self.refuse = 0
        self.schedule = ClinicalSchedule(appointment_id=3, infusion_id=11)

    def __call__(self, chair_label: str) -> ClinicalSchedule:
        self.reads += 1
        if self.refuse:
            self.refuse -= 1
            raise DatabaseUnavailableError(f"read the schedule of {chair_label}: locked")
        return self.schedule


def monitored(sessions: sessionmaker[Session], reader: Reader) -> tuple[ChairMonitor, ManualClock]:
    clock = ManualClock(datetime(2026, 11, 25, 8, 0, tzinfo=UTC))
    settings = MonitorSettings()
    recorder = MonitorRecorder(sessions, utc_now=clock.utc_now, monotonic=clock.monotonic,
                               conditions=settings.conditions)
    chair = ChairMonitor(PumpEndpoint("C1", "/dev/pts/9"), recorder, clock, settings, reader)
    return chair, clock


def tick_for(chair: ChairMonitor, clock: ManualClock, seconds: float) -> None:
    for _ in range(round(seconds / 0.25)):
        clock.advance(0.25)
        chair.tick()


def test_a_refused_read_is_tried_again_soon_then_only_at_the_safety_reread(
        sessions: sessionmaker[Session]) -> None:
    reader = Reader()
    reader.refuse = 1  # the database is away when monitoring starts
    chair, clock = monitored(sessions, reader)
    chair.begin()
    assert (reader.reads, chair.snapshot().schedule.infusion_id) == (1, None)
    reader.schedule = SCHEDULE  # what was written meanwhile: nobody will say so again
    tick_for(chair, clock, REREAD_RETRY_S - 0.25)
    assert reader.reads == 1
    tick_for(chair, clock, 0.25)
    assert reader.reads == 2 and chair.snapshot().schedule == SCHEDULE
    # Read: nothing more until a write concerns the chair, or the safety re-read.
    tick_for(chair, clock, 30.0)
    assert reader.reads == 2  # no 10 s timer any more
    tick_for(chair, clock, MonitorSettings().safety_reread_s - 30.0)
    assert reader.reads == 3


def test_a_write_concerns_the_chair_through_its_infusion_chair_row_or_pump(
        sessions: sessionmaker[Session]) -> None:
    reader = Reader()
    chair, _ = monitored(sessions, reader)
    chair.begin()
    assert chair.concerns(ChangedRecord(infusion_id=11))  # the scheduled infusion
    assert not chair.concerns(ChangedRecord(infusion_id=12))  # another chair's
    assert not chair.concerns(ChangedRecord(chair_row=1))  # C1 has no chairs row here
    assert not chair.concerns(ChangedRecord(pump_id=1))  # no pump identified yet
    reader.schedule = SCHEDULE
    update = chair.rebind()  # what the service runs when it does
    assert reader.reads == 2 and update.snapshot.schedule == SCHEDULE
