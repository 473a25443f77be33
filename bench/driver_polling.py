"""Polling 16 simulated pumps at 2 Hz: CPU, memory and descriptors of the driver side.

    .venv/bin/python bench/driver_polling.py [--pumps 16] [--rate-hz 2] [--minutes 10]
        [--pressure-hz 10] [--detectors]

`--pressure-hz` adds the fast pressure read between polls (`XPR` alone, as the station
does at 10 Hz); `--detectors` has the consumer feed every sample and read to one
`LineDetectors` per pump (through `PressureBetweenPolls`), the line monitoring's work.
The simulator process's own CPU is given too.

The simulator runs as its own process; this process is only the driver side (16
PumpPollers, their reader threads, and a consumer thread that takes every event off a
queue as the station would). Every 10 s it records this process's CPU time, resident
memory, open file descriptors and threads. Targets: CPU under 5 % of one core; no growth
in memory or descriptors (compared after a one-minute warm-up, or a sixth of the run if
shorter).
"""

from __future__ import annotations

import argparse
import os
import queue
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from devices.driver import (
    DriverConfig,
    DriverEvent,
    LinkState,
    LinkStateChanged,
    PressureReading,
    PumpPoller,
    Sample,
    serial_transport_factory,
)
from station.detection import LineDetectors, PressureBetweenPolls
from station.detection import Sample as LineSample
from tests.support.simulator_process import SimulatorProcess

SNAPSHOT_S = 10.0


def consume(events: queue.Queue[DriverEvent | None], counts: Counter[str],
            detect: bool) -> None:
    lines: dict[str, tuple[PressureBetweenPolls, LineDetectors]] = {}
    while (event := events.get()) is not None:
        counts[type(event).__name__] += 1
        if isinstance(event, LinkStateChanged) and event.new is LinkState.LOST:
            counts["lost"] += 1
        if detect and isinstance(event, Sample | PressureReading):
            between, detectors = lines.setdefault(
                event.pump_id, (PressureBetweenPolls(), LineDetectors()))
            if isinstance(event, Sample):
                line: LineSample | None = between.polled(LineSample(
                    event.at.monotonic, event.rate_ml_h, event.volume_ml,
                    event.pressure_mmhg, event.status.value))
            else:
                line = between.read(event.at.monotonic, event.pressure_mmhg,
                                    event.status.value)
            if line is not None:
                detectors.update(line)


def snapshot(process: psutil.Process, start_cpu: float, start_wall: float) -> dict[str, float]:
    cpu = process.cpu_times()
    return {"t_s": time.monotonic() - start_wall, "cpu_s": cpu.user + cpu.system - start_cpu,
            "rss_mb": process.memory_info().rss / 2**20, "fds": process.num_fds(),
            "threads": process.num_threads()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pumps", type=int, default=16)
    parser.add_argument("--rate-hz", type=float, default=2.0)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--pressure-hz", type=float, default=0.0,
                        help="fast pressure reads per second between polls (0: none)")
    parser.add_argument("--detectors", action="store_true",
                        help="the consumer runs the line detectors on every sample and read")
    args = parser.parse_args()
    duration = args.minutes * 60
    warm_up = min(60.0, duration / 6)
    events: queue.Queue[DriverEvent | None] = queue.Queue()
    counts: Counter[str] = Counter()
    consumer = threading.Thread(target=consume, args=(events, counts, args.detectors),
                                name="consumer")
    consumer.start()
    process = psutil.Process(os.getpid())
    with SimulatorProcess(pumps=args.pumps) as sim:
        fast = 1 / args.pressure_hz if args.pressure_hz else None
        config = DriverConfig(poll_interval_s=1 / args.rate_hz, pressure_interval_s=fast)
        assert sim._process is not None  # started by the context manager
        sim_process = psutil.Process(sim._process.pid)
        pollers = [PumpPoller(f"pump-{p.pump}", serial_transport_factory(p.port), events.put,
                              config=config) for p in sim.ports]
        for poller in pollers:
            poller.start()
        time.sleep(warm_up)
        cpu0, sim0 = process.cpu_times(), sim_process.cpu_times()
        start_cpu, start_wall = cpu0.user + cpu0.system, time.monotonic()
        samples_at_start, reads_at_start = counts["Sample"], counts["PressureReading"]
        rows = [snapshot(process, start_cpu, start_wall)]
        while time.monotonic() - start_wall < duration - warm_up:
            time.sleep(min(SNAPSHOT_S, duration - warm_up - (time.monotonic() - start_wall)))
            rows.append(snapshot(process, start_cpu, start_wall))
        samples = counts["Sample"] - samples_at_start
        reads = counts["PressureReading"] - reads_at_start
        sim1 = sim_process.cpu_times()
        sim_cpu_s = sim1.user + sim1.system - sim0.user - sim0.system
        for poller in pollers:
            poller.request_close()
        for poller in pollers:
            poller.close()
    events.put(None)
    consumer.join()
    report(args, rows, (samples, reads), counts, (warm_up, sim_cpu_s))
    return 0


def report(args: argparse.Namespace, rows: list[dict[str, float]], got: tuple[int, int],
           counts: Counter[str], spent: tuple[float, float]) -> None:
    first, last = rows[0], rows[-1]
    warm_up, sim_cpu_s = spent
    samples, reads = got
    span = last["t_s"]
    cpu_pct = 100 * last["cpu_s"] / span
    expected = args.pumps * args.rate_hz * span
    print(f"{args.pumps} pumps at {args.rate_hz:g} Hz, pressure reads {args.pressure_hz:g} "
          f"per second, detectors {'on' if args.detectors else 'off'}; measured {span:.0f} s "
          f"after a {warm_up:.0f} s warm-up")
    print(f"driver-side CPU: {cpu_pct:.2f} % of one core; the simulator process "
          f"{100 * sim_cpu_s / span:.2f} %")
    if args.pressure_hz:
        wanted = args.pumps * (args.pressure_hz - args.rate_hz) * span
        print(f"pressure reads: {reads} ({100 * reads / wanted:.1f} % of {wanted:.0f} "
              f"between the polls)")
    print(f"samples: {samples} ({100 * samples / expected:.1f} % of {expected:.0f} expected); "
          f"lost links: {counts['lost']}; alarms: {counts['PumpAlarm']}")
    print(f"RSS MB: start {first['rss_mb']:.1f}, end {last['rss_mb']:.1f}, "
          f"max {max(r['rss_mb'] for r in rows):.1f}")
    print(f"FDs: start {first['fds']:.0f}, end {last['fds']:.0f}, "
          f"max {max(r['fds'] for r in rows):.0f}; threads: start {first['threads']:.0f}, "
          f"end {last['threads']:.0f}")


if __name__ == "__main__":
    raise SystemExit(main())
