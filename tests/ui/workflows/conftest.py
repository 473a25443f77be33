"""Workflow view fixtures: a seeded clinic day in a real SQLite file, the services on a
settable clock, one worker runner, and a real PumpPoller on a simulator process's pty.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from devices.driver.config import DriverConfig
from devices.driver.poller import PumpPoller
from devices.driver.session import SessionTiming
from devices.driver.transport import serial_transport_factory
from devices.driver.types import DriverEvent, LinkState
from tests.persistence.conftest import engine, sessions
from tests.services.conftest import db_url, library, world
from tests.support.simulator_process import SimulatorProcess
from ui.workflows.service_runner import ServiceRunner

__all__ = ["db_url", "engine", "library", "sessions", "world"]

SPEED = 20.0  # simulated seconds per real second


class SimPump:
    """A simulator process with one pump, and the station's poller talking to it."""

    def __init__(self) -> None:
        self.sim = SimulatorProcess(speed=SPEED, seed=5)
        self.sim.start()
        self.events: list[DriverEvent] = []
        config = DriverConfig(poll_interval_s=0.2, timing=SessionTiming(reply_timeout_s=0.5,
                                                                         retries=2))
        self.poller = PumpPoller("chair-1", serial_transport_factory(self.sim.ports[0].port),
                                 self.events.append, config=config)

    def status(self) -> dict[str, Any]:
        reply = self.sim.control(op="status", pump=1)
        assert reply["ok"], reply
        pump: dict[str, Any] = reply["pumps"][0]
        return pump

    def close(self) -> None:
        self.poller.close()
        self.sim.stop()


@pytest.fixture
def sim_pump(qtbot: QtBot) -> Iterator[SimPump]:
    """A pump on a pty whose poller's link is up."""
    pump = SimPump()
    try:
        pump.poller.start()
        qtbot.waitUntil(lambda: pump.poller.link_state is LinkState.UP, timeout=15000)
        yield pump
    finally:
        pump.close()


@pytest.fixture
def runner() -> Iterator[ServiceRunner]:
    """The worker for service calls; waits for its thread at the end of the test."""
    service_runner = ServiceRunner()
    yield service_runner
    assert service_runner.shutdown()
