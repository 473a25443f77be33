"""Time from a latched pump alarm to the driver's PumpAlarm event, at 1 Hz polling.

    .venv/bin/python bench/driver_alarm_latency.py [--trials 30] [--poll-hz 1]

Three measurements against the simulator process on a pty:
- stall, Basic mode: an occlusion stalls the pump; the latch moment is taken from the
  simulator's control socket, polled every 5 ms; the driver learns of it by polling;
- reset, Basic mode: a power cycle through the control socket latches `A?R` at a known
  moment (the request's send time: an upper bound on the latency);
- reset, Safe mode: the same, picked up from the unsolicited auto-alarm packet.
Target: stall seen within 2 s p95 at 1 Hz polling; auto-alarm at once.
"""

from __future__ import annotations

import argparse
import queue
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from devices.driver import (
    DriverConfig,
    DriverEvent,
    LinkState,
    PumpAlarm,
    PumpPoller,
    serial_transport_factory,
)
from devices.protocol import AlarmCode
from tests.support.simulator_process import SimulatorProcess

OCCLUSION_LIMIT = "60"


def summary(name: str, latencies: list[float]) -> str:
    ms = sorted(x * 1000 for x in latencies)
    p95 = ms[min(len(ms) - 1, int(0.95 * len(ms)))]
    return (f"{name}: p50 {statistics.median(ms):.0f} ms, p95 {p95:.0f} ms, "
            f"max {ms[-1]:.0f} ms (n={len(ms)})")


class Bench:
    """One simulator, one poller, events in a queue."""

    def __init__(self, sim: SimulatorProcess, poll_hz: float, safe: bool) -> None:
        self.sim = sim
        self.events: queue.Queue[DriverEvent] = queue.Queue()
        config = DriverConfig(poll_interval_s=1 / poll_hz,
                              safe_mode_timeout_s=15 if safe else None)
        self.poller = PumpPoller("bench", serial_transport_factory(sim.ports[0].port),
                                 self.events.put, config=config)
        self.poller.start()
        while self.poller.link_state is not LinkState.UP:
            time.sleep(0.01)

    def alarm(self, code: AlarmCode, timeout_s: float = 30.0) -> PumpAlarm | None:
        deadline = time.monotonic() + timeout_s
        while (left := deadline - time.monotonic()) > 0:
            try:
                event = self.events.get(timeout=left)
            except queue.Empty:
                return None
            if isinstance(event, PumpAlarm) and event.code is code:
                return event
        return None

    def status(self) -> str:
        return str(self.sim.control(op="status", pump=1)["pumps"][0]["status"])

    def drain(self) -> None:
        while not self.events.empty():
            self.events.get_nowait()


def reset_latency(bench: Bench, trials: int) -> list[float]:
    latencies = []
    for _ in range(trials):
        time.sleep(random.uniform(0.3, 1.3))  # a random phase against the poll schedule
        bench.drain()
        sent = time.monotonic()
        bench.sim.control(op="power_cycle", pump=1, off_s=0)
        alarm = bench.alarm(AlarmCode.RESET)
        if alarm is not None:
            latencies.append(alarm.at.monotonic - sent)
    return latencies


def stall_latency(bench: Bench, trials: int) -> list[float]:
    latencies = []
    bench.poller.set_rate(200.0).result(timeout=5)
    for _ in range(trials):
        bench.sim.control(op="clear", pump=1)
        time.sleep(random.uniform(0.5, 1.5))  # the line relaxes; a random phase
        bench.drain()
        bench.poller.run().result(timeout=5)
        bench.sim.control(op="inject", pump=1, fault="occlusion", params={"severity": 1.0})
        latched = None
        while latched is None and bench.events.empty():
            if bench.status() == "A?S":
                latched = time.monotonic()
            time.sleep(0.005)
        alarm = bench.alarm(AlarmCode.STALL)
        if latched is not None and alarm is not None:
            latencies.append(alarm.at.monotonic - latched)
    return latencies


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=30)
    parser.add_argument("--poll-hz", type=float, default=1.0)
    args = parser.parse_args()
    results = []
    with SimulatorProcess(speed=20, extra_args=("--occlusion-limit", OCCLUSION_LIMIT)) as sim:
        basic = Bench(sim, args.poll_hz, safe=False)
        results.append(summary("stall, Basic mode (polling)", stall_latency(basic, args.trials)))
        results.append(summary("reset, Basic mode (polling)", reset_latency(basic, args.trials)))
        basic.poller.close()
        safe = Bench(sim, args.poll_hz, safe=True)
        results.append(summary("reset, Safe mode (auto-alarm)", reset_latency(safe, args.trials)))
        safe.poller.close()
    print(f"poll rate {args.poll_hz:g} Hz")
    print("\n".join(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
