"""A monitoring service joined to the unit for as long as a `with` block runs."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy.engine import Engine

from station.monitoring.service import MonitoringService
from station.persistence import make_sessionmaker
from station.unit.record_follow import follow_record_changes
from station.unit.sources import change_source
from station.unit.station_agent import HEARTBEAT_S, UnitStationAgent

STATION_ENV = "INFUSION_STATION_NAME"


def station_name() -> str:
    """`INFUSION_STATION_NAME`, else the host name (two stations on one machine must be
    given names, or they would share their leases)."""
    return os.environ.get(STATION_ENV) or socket.gethostname()


def _utc_now() -> datetime:
    return datetime.now(UTC)


@contextmanager
def unit_member(service: MonitoringService, engine: Engine, *, station: str | None = None,
                heartbeat_s: float = HEARTBEAT_S) -> Iterator[UnitStationAgent]:
    """Take the service's chairs (ChairInUseError if another live station holds one)
    before the block, give them back after it. Meanwhile the service hears of the
    writes other stations make to its chairs' records (`follow_record_changes`)."""
    url = engine.url.render_as_string(hide_password=False)
    source = change_source(engine, url)
    agent = UnitStationAgent(service, service.chair_ids, make_sessionmaker(engine),
                             source, station=station or station_name(),
                             utc_now=_utc_now, heartbeat_s=heartbeat_s)
    unfollow = follow_record_changes(service, source)
    try:
        agent.start()
        try:
            yield agent
        finally:
            agent.stop()
    finally:
        unfollow()
