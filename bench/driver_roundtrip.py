"""Command round trip through the pump driver over a pty to the simulator process.

    .venv/bin/python bench/driver_roundtrip.py [--count 2000]

Three figures, p50 / p99 / max in milliseconds, Safe mode on (CRC framing):
- exchange: one status query through `PumpSession.exchange` (write, reader thread, reply);
- poller:   the same query submitted through `PumpPoller.submit` from another thread,
            timed from the call to the resolved Future (two thread hand-offs more);
- set rate: `PumpPoller.set_rate`, three exchanges (query, set, read-back).
The simulator runs as its own process (its time is not the driver's, but it is in the
round trip, as a real pump's reply time would be). Target: p99 under 2 ms.
"""

from __future__ import annotations

import argparse
import queue
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from devices.driver import (
    DriverConfig,
    DriverEvent,
    LinkState,
    PumpDriver,
    PumpPoller,
    PumpSession,
    SerialTransport,
)
from tests.support.simulator_process import SimulatorProcess


def percentiles(samples_s: list[float]) -> str:
    ms = sorted(s * 1000 for s in samples_s)
    p50 = statistics.median(ms)
    p99 = ms[min(len(ms) - 1, int(0.99 * len(ms)))]
    return f"p50 {p50:.3f} ms, p99 {p99:.3f} ms, max {ms[-1]:.3f} ms (n={len(ms)})"


def timed(count: int, action: Callable[[], object]) -> list[float]:
    for _ in range(50):  # warm-up
        action()
    times = []
    for _ in range(count):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return times


def bench_session(port: str, count: int) -> list[float]:
    session = PumpSession(SerialTransport.open(port))
    driver = PumpDriver(session, pump_id="bench")
    session.start()
    try:
        driver.connect()
        return timed(count, lambda: session.exchange("0"))
    finally:
        driver.leave_safe_mode()
        session.close()


def bench_poller(port: str, count: int) -> tuple[list[float], list[float]]:
    events: queue.Queue[DriverEvent] = queue.Queue()
    config = DriverConfig(poll_interval_s=3600.0, safe_mode_timeout_s=255)
    poller = PumpPoller("bench", lambda: SerialTransport.open(port), events.put, config=config)
    poller.start()
    try:
        deadline = time.monotonic() + 10
        while poller.link_state is not LinkState.UP and time.monotonic() < deadline:
            time.sleep(0.01)
        query = timed(count, lambda: poller.submit(PumpDriver.heartbeat).result(timeout=5))
        set_rate = timed(count // 4, lambda: poller.set_rate(100.0).result(timeout=5))
        return query, set_rate
    finally:
        poller.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000)
    args = parser.parse_args()
    with SimulatorProcess() as sim:
        port = sim.ports[0].port
        exchange = bench_session(port, args.count)
        query, set_rate = bench_poller(port, args.count)
    print(f"exchange (status query, session):  {percentiles(exchange)}")
    print(f"poller   (status query, Future):   {percentiles(query)}")
    print(f"set rate (3 exchanges, Future):    {percentiles(set_rate)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
