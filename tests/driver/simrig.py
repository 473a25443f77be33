"""A driver polling a simulator that runs as its own process on a real pty."""

from __future__ import annotations

import queue
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from devices.driver.config import DriverConfig
from devices.driver.poller import PumpPoller
from devices.driver.session import SessionTiming
from devices.driver.transport import serial_transport_factory
from devices.driver.types import DriverEvent, LinkState, LinkStateChanged
from tests.support.simulator_process import SimulatorProcess

QUICK = SessionTiming(reply_timeout_s=0.3, retries=1)


class Rig:
    """One simulator process, one poller on its pump 1, the events in a queue."""

    def __init__(self, tmp_path: Path, *, sim_args: tuple[str, ...] = (), speed: float = 1.0,
                 use_link: bool = False, **config: Any) -> None:
        self.link_dir = tmp_path / "links"
        self.link_dir.mkdir(exist_ok=True)
        self.sim = SimulatorProcess(speed=speed,
                                    extra_args=("--link-dir", str(self.link_dir), *sim_args))
        self.sim.start()
        self.url = str(self.link_dir / "pump1") if use_link else self.sim.ports[0].port
        self.events: queue.Queue[DriverEvent] = queue.Queue()
        self.seen: list[DriverEvent] = []
        settings: dict[str, Any] = {"poll_interval_s": 0.2, "link_timeout_s": 1.5,
                                    "timing": QUICK, "backoff_initial_s": 0.05,
                                    "backoff_max_s": 0.2} | config
        self.poller = PumpPoller("chair-1", serial_transport_factory(self.url), self.events.put,
                                 config=DriverConfig(**settings))

    def start(self) -> Rig:
        self.poller.start()
        self.wait_for(lambda e: isinstance(e, LinkStateChanged) and e.new is LinkState.UP)
        return self

    def wait_for(self, match: Callable[[DriverEvent], bool], timeout_s: float = 10.0
                 ) -> DriverEvent:
        """The next event that matches (the others are kept in `seen`)."""
        deadline = time.monotonic() + timeout_s
        while (left := deadline - time.monotonic()) > 0:
            try:
                event = self.events.get(timeout=left)
            except queue.Empty:
                break
            self.seen.append(event)
            if match(event):
                return event
        raise TimeoutError(f"no matching event in {timeout_s} s; seen: {self.seen[-5:]}")

    def control(self, op: str, **message: Any) -> dict[str, Any]:
        reply = self.sim.control(op=op, pump=1, **message)
        assert reply["ok"], reply
        return reply

    def pump_status(self) -> dict[str, Any]:
        status: dict[str, Any] = self.control("status")["pumps"][0]
        return status

    def close(self) -> None:
        self.poller.close()
        self.sim.stop()
