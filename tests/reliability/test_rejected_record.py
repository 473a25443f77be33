"""A write the database refuses for good (a constraint) must not block the ones behind it."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from tests.monitoring.test_chair_monitor import Chair
from tests.monitoring.world import seed_running_infusion, stored_alarms, stored_kinds


def test_a_record_refused_for_good_is_set_aside_and_the_later_ones_are_stored(
        chair: Chair, sessions: sessionmaker[Session]) -> None:
    seed_running_infusion(sessions)
    chair.monitor.begin()
    chair.connect()
    chair.sample(battery=10)
    chair.monitor.acknowledge("low_battery", "999999")  # no such users row: refused
    chair.sample(air=True, battery=10)
    chair.monitor.tick()

    assert chair.recorder.rejected == 1 and chair.recorder.waiting == 0
    assert "storage_unavailable" not in chair.open_conditions()
    [battery] = stored_alarms(sessions, "low_battery")
    assert stored_kinds(sessions, battery.id) == ["raised"]  # the refused one aside
    [air] = stored_alarms(sessions, "air_in_line")
    assert stored_kinds(sessions, air.id) == ["raised"]
