"""The simulator process for tests: `devices.simulator.process`, plus I/O waits.

    with SimulatorProcess(pumps=2, speed=50, seed=1) as sim:
        port = sim.open_serial(1)
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from devices.simulator.process import BAUD, PumpPort, SimulatorProcess

__all__ = ["BAUD", "REPO_ROOT", "PumpPort", "SimulatorProcess", "wait_until"]

REPO_ROOT = Path(__file__).resolve().parents[2]


def wait_until(predicate: Any, timeout_s: float = 5.0, poll_s: float = 0.01) -> Any:
    """Poll `predicate` until it returns something truthy (I/O waits, not sleeps)."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"condition not met in {timeout_s} s")
        time.sleep(poll_s)
