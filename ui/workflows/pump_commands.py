"""The pump commands a workflow needs; `devices.driver.poller.PumpPoller` satisfies it."""

from __future__ import annotations

from concurrent.futures import Future
from typing import Any, Protocol


class PumpCommands(Protocol):
    """Commands that return at once; each Future resolves on the pump's own thread."""

    def set_rate(self, ml_h: float) -> Future[float]: ...

    def set_volume(self, ml: float) -> Future[float]: ...

    def run(self) -> Future[Any]: ...

    def stop(self) -> Future[Any]: ...


PUMP_TIMEOUT_S = 10.0


def program_and_run(pump: PumpCommands, rate_ml_h: float, vtbi_ml: float | None = None
                    ) -> object:
    """Volume (if given), rate, run; blocks its caller, so call it on a worker thread."""
    if vtbi_ml is not None:
        pump.set_volume(vtbi_ml).result(PUMP_TIMEOUT_S)
    pump.set_rate(rate_ml_h).result(PUMP_TIMEOUT_S)
    return pump.run().result(PUMP_TIMEOUT_S)


def stop(pump: PumpCommands) -> object:
    """Stop the pump and wait for its answer (worker thread only)."""
    return pump.stop().result(PUMP_TIMEOUT_S)


def set_rate(pump: PumpCommands, rate_ml_h: float) -> float:
    """Change the running rate and wait for the pump's answer (worker thread only)."""
    return pump.set_rate(rate_ml_h).result(PUMP_TIMEOUT_S)
