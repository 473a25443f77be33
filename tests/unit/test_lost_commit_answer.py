"""A write whose commit reached the database but whose answer was lost (the server went
away between the two) is not stored a second time by the monitoring's retry."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from station.alarms import AlarmTransition, Priority, TransitionKind
from station.alarms.sink import SYSTEM_ACTOR
from station.monitoring import MonitorRecorder, RecordContext
from station.persistence import DatabaseUnavailableError, Records, make_sessionmaker
from station.persistence.events import InfusionEvent
from tests.monitoring.conftest import migrated
from tests.monitoring.world import seed_running_infusion, stored_alarms, stored_kinds
from tests.unit.conftest import NOON


def test_a_committed_write_whose_answer_was_lost_is_stored_once(tmp_path: Path) -> None:
    engine = migrated(f"sqlite:///{tmp_path / 'station.sqlite'}")
    sessions = make_sessionmaker(engine)
    seeded = seed_running_infusion(sessions)
    answers_to_lose = [0]

    def lose_the_answer(_session: Session) -> None:
        # After the commit is on disk: what the station sees when the connection breaks
        # before the server's answer arrives (nothing else here can produce that).
        if answers_to_lose[0]:
            answers_to_lose[0] -= 1
            raise DatabaseUnavailableError("server closed the connection unexpectedly")

    event.listen(sessions, "after_commit", lose_the_answer)
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
