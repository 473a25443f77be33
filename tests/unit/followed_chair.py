"""Two stations on one database, for the tests and the benchmark of following changes.

Station B (the overview, another workstation) has its own engine and services and a
running infusion in chair C1; station A monitors C1 with a `MonitoringService` whose
schedule is read through services of its own, its safety re-read set to an hour, so
only a notification from the unit's change source brings it B's writes in time.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Engine

from station.alarms.clock import WallClock
from station.monitoring import MonitoringService, MonitorSettings, PumpEndpoint, StoredSchedule
from station.persistence import make_sessionmaker
from station.services import Actor, StationServices, load_library
from station.unit.sources import change_source
from tests.services.world import World, seed_world, start_running

HOUR_S = 3600.0


@dataclass
class FollowedChair:
    """B's world (its services, clock, the infusion) and A's monitoring of C1."""

    other: World
    infusion_id: int
    service: MonitoringService


def followed_chair(engine_a: Engine, engine_b: Engine, url: str,
                   no_pump_port: str) -> FollowedChair:
    """B seeded with C1 running; A's service built (not started, not yet a member).
    `no_pump_port`: a port with nothing behind it (the schedule needs no pump)."""
    library = load_library()
    other = seed_world(make_sessionmaker(engine_b), library)
    change_source(engine_b, url)  # B is a member of the unit too (its writes notify)
    infusion_id = start_running(other)
    reader = StationServices.build(make_sessionmaker(engine_a), clock=other.clock,
                                   library=library, actor=Actor(0, "station monitor"),
                                   clinic_tz=other.svc.context.clinic_tz)
    service = MonitoringService([PumpEndpoint("C1", no_pump_port)],
                                make_sessionmaker(engine_a),
                                settings=MonitorSettings(safety_reread_s=HOUR_S),
                                clock=WallClock(other.clock), schedule=StoredSchedule(reader))
    return FollowedChair(other, infusion_id, service)
