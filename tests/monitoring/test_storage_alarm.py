"""A database that refuses writes is a technical alarm, against the simulator's pump."""

from __future__ import annotations

from collections.abc import Callable

from devices.driver import LinkState
from station.alarms import Priority, TransitionKind
from station.monitoring import STATION, PumpEndpoint
from tests.monitoring.conftest import SPEED, LockableFile, Watched
from tests.monitoring.world import seed_running_infusion, stored_alarms, stored_kinds
from tests.support.simulator_process import SimulatorProcess


def test_a_locked_database_raises_storage_unavailable_until_everything_is_stored(
        lockable_file: LockableFile, simulator: Callable[..., SimulatorProcess],
        watch: Callable[..., Watched]) -> None:
    sessions, other = lockable_file.sessions, lockable_file.other
    seed_running_infusion(sessions)
    sim = simulator(speed=SPEED, pumps=2)
    watched = watch(sessions, [PumpEndpoint("C1", sim.ports[0].port),
                               PumpEndpoint("C2", sim.ports[1].port)])
    watched.link(LinkState.UP)
    pump = watched.service.pump("C1")
    pump.set_rate(120.0).result(timeout=5)
    pump.run().result(timeout=5)
    watched.samples(3)

    other.execute("BEGIN EXCLUSIVE")  # another program holds the file
    _, raised, update = watched.transition("storage_unavailable")
    # One alarm for the station, not one per chair.
    assert (update.snapshot.chair_id, raised.chair_id) == (STATION, STATION)
    assert (raised.priority, watched.service.station_snapshot().sound_now) == (
        Priority.HIGH, Priority.HIGH)
    watched.samples(5)  # monitoring carries on meanwhile
    for chair in ("C1", "C2"):
        assert all(a.condition != "storage_unavailable"
                   for a in watched.service.snapshot(chair).alarms)
    other.execute("ROLLBACK")
    watched.transition("storage_unavailable", TransitionKind.CONDITION_ENDED)

    watched.service.stop()
    [alarm] = stored_alarms(sessions, "storage_unavailable")  # stored once it could be
    assert (alarm.category.value, alarm.chair_id) == ("technical", None)
    assert stored_kinds(sessions, alarm.id) == ["raised", "condition_ended"]
