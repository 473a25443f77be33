"""Fixtures for the driver tests: a driver over a scripted transport, events collected."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from devices.driver.config import DriverConfig
from devices.driver.pump_driver import PumpDriver
from devices.driver.scripted import ScriptedTransport, Step
from devices.driver.session import PumpSession, SessionTiming
from devices.driver.types import DriverEvent

FAST_TIMING = SessionTiming(reply_timeout_s=0.1, retries=1)


@pytest.fixture
def events() -> list[DriverEvent]:
    return []


@pytest.fixture
def scripted_driver(events: list[DriverEvent]) -> Iterator[Callable[[list[Step]], PumpDriver]]:
    """Build a PumpDriver on a script; on teardown the script must be fully consumed."""
    made: list[tuple[PumpSession, ScriptedTransport]] = []

    def build(steps: list[Step], config: DriverConfig | None = None) -> PumpDriver:
        transport = ScriptedTransport(steps)
        session = PumpSession(transport, timing=FAST_TIMING)
        session.start()
        made.append((session, transport))
        return PumpDriver(session, pump_id="chair-1", config=config or DriverConfig(
            timing=FAST_TIMING), emit=events.append)

    yield build
    for session, transport in made:
        session.close()
        transport.assert_consumed()
