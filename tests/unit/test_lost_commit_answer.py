"""A write whose commit reached the database but whose answer was lost (the server went
away between the two) is not stored a second time by the monitoring's retry: alarms and
events are looked for first, telemetry chunks are inserted only where their key (the
infusion and first sample time, unique since migration 0007) is free."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from station.alarms import AlarmTransition, Priority, TransitionKind
from station.alarms.sink import SYSTEM_ACTOR
from station.monitoring import MonitorRecorder, RecordContext
from station.persistence import (
    DatabaseUnavailableError,
    Records,
    StorageError,
    TelemetrySample,
    TelemetryWriter,
    load_series,
    make_sessionmaker,
)
from station.persistence.events import InfusionEvent
from station.persistence.telemetry import TelemetryChunk, to_epoch_us
from tests.monitoring.conftest import migrated
from tests.monitoring.world import seed_running_infusion, stored_alarms, stored_kinds
from tests.unit.conftest import NOON


def test_a_committed_write_whose_answer_was_lost_is_stored_once(tmp_path: Path) -> None:
    engine = migrated(f"sqlite:///{tmp_path / 'station.sqlite'}")
    sessions = make_sessionmaker(engine)
    seeded = seed_running_infusion(sessions)
    # After the commit is on disk: what the station sees when the connection breaks
    # before the server's answer arrives (nothing else here can produce that).
    answers_to_lose = answers_lost(sessions)
    recorder = MonitorRecorder(sessions, utc_now=lambda: NOON, monotonic=lambda: 0.0)
    context = RecordContext(seeded.pump_id, seeded.infusion_id, seeded.chair_id)

    def step(kind: TransitionKind, seconds: float, actor: str = SYSTEM_ACTOR) -> AlarmTransition:
        return AlarmTransition("engine-1", "C1", "occlusion", kind, Priority.HIGH,
                               NOON + timedelta(seconds=seconds), seconds, actor)

    answers_to_lose[0] = 1
    recorder.alarm_transition(step(TransitionKind.RAISED, 0), context)
    assert recorder.waiting == 1  # stored, but the station cannot know
    recorder.alarm_transition(step(TransitionKind.ACKNOWLEDGED, 5, str(seeded.user_id)),
                              context)
    answers_to_lose[0] = 1
    recorder.tick()  # the RAISED is found stored; the acknowledgement's answer is lost
    recorder.communication_changed(context, online=False, occurred_at=NOON,
                                   detail="link up -> lost")
    answers_to_lose[0] = 1
    recorder.tick()  # the acknowledgement is found; the event's answer is lost
    recorder.tick()  # the event is found
    assert recorder.waiting == 0

    [alarm] = stored_alarms(sessions, "occlusion")
    assert stored_kinds(sessions, alarm.id) == ["raised", "acknowledged"]
    events = Records(sessions).select_all(sa.select(InfusionEvent))
    assert [(e.pump_online, e.occurred_at) for e in events] == [(False, NOON)]
    engine.dispose()


def answers_lost(sessions: sessionmaker[Session]) -> list[int]:
    """How many commit answers to throw away next (the commits themselves stand)."""
    to_lose = [0]

    def lose_the_answer(_session: Session) -> None:
        if to_lose[0]:
            to_lose[0] -= 1
            raise DatabaseUnavailableError("server closed the connection unexpectedly")

    event.listen(sessions, "after_commit", lose_the_answer)
    return to_lose


def stored_chunks(sessions: sessionmaker[Session], infusion_id: int) -> list[tuple[int, int]]:
    stmt = (sa.select(TelemetryChunk.t0_us, TelemetryChunk.n_samples)
            .where(TelemetryChunk.infusion_id == infusion_id).order_by(TelemetryChunk.t0_us))
    with sessions() as session:
        return [(t0, n) for t0, n in session.execute(stmt)]


def at(second: int) -> int:
    return to_epoch_us(NOON + timedelta(seconds=second))


def test_a_telemetry_flush_whose_answer_was_lost_is_stored_once(db_url: str) -> None:
    engine = migrated(db_url)
    sessions = make_sessionmaker(engine)
    infusion_id = seed_running_infusion(sessions).infusion_id
    to_lose = answers_lost(sessions)
    now = [0.0]
    writer = TelemetryWriter(sessions, clock=lambda: now[0], chunk_samples=4)

    def add(second: int) -> None:
        writer.add(TelemetrySample(infusion_id, NOON + timedelta(seconds=second), 90.0,
                                   second / 40))

    add(0)
    add(1)
    writer.flush()  # one fragment: samples 0 and 1
    for second in (2, 3, 4):
        add(second)
    to_lose[0] = 1
    # Fragment 0-1 merged with 2-3 into a full chunk, a fragment for 4: committed, but
    # the writer hears a broken connection.
    with pytest.raises(StorageError):
        writer.flush()
    assert writer.pending == 3
    add(5)
    assert writer.flush() == 4  # the lost flush again (inserting nothing), then sample 5
    writer.close()

    series = load_series(sessions, infusion_id)
    assert series.times_us.tolist() == [at(s) for s in range(6)]
    assert stored_chunks(sessions, infusion_id) == [(at(0), 4), (at(4), 1), (at(5), 1)]
    engine.dispose()


def test_the_recorder_stores_a_flush_whose_answer_was_lost_once(tmp_path: Path) -> None:
    engine = migrated(f"sqlite:///{tmp_path / 'station.sqlite'}")
    sessions = make_sessionmaker(engine)
    infusion_id = seed_running_infusion(sessions).infusion_id
    to_lose = answers_lost(sessions)
    now = [0.0]
    recorder = MonitorRecorder(sessions, utc_now=lambda: NOON, monotonic=lambda: now[0])
    sample: Callable[[int], None] = lambda second: recorder.telemetry_row(  # noqa: E731
        TelemetrySample(infusion_id, NOON + timedelta(seconds=second), 90.0, second / 40))

    sample(0)
    now[0] = 1.0
    to_lose[0] = 1
    sample(1)  # the flush of 0 and 1 is committed, its answer lost: the backlog keeps it
    assert recorder.waiting == 1 and recorder.telemetry_pending == 2
    sample(2)  # waits behind it, in order
    recorder.tick()
    assert recorder.waiting == 0 and recorder.rejected == 0
    recorder.close()

    assert load_series(sessions, infusion_id).times_us.tolist() == [at(s) for s in range(3)]
    engine.dispose()
