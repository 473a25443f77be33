"""End-to-end alarm latency: a fault injected into `pump-sim` to the alarm at the station.

    .venv/bin/python bench/alarm_latency.py [--trials 20] [--speed 10] [--real-time-trials 0]

The monitoring service runs headless (`MonitoringService`, one SQLite file, durable
writes) against the simulator as its own process on ptys. Each trial records the
monotonic time just before the control request that injects the fault, and the time
the subscriber receives the RAISED transition, which is after the transition is
stored. Scenarios:
- stall: occlusion at 600 mL/h with the pump's limit at 80 mmHg (the line climbs
  about 0.4 s of pump time, 40 ms real at --speed 10, before `A?S`), Safe mode (the
  auto-alarm, the default) and Basic mode (found by the 1 Hz poll);
- lost link: cable pulled silently (the worst case: nothing arrives, nothing closes),
  the driver's default timings (poll 1 s, link time-out 5 s); also the time from the
  last valid sample, which is what the 10 s requirement counts from;
- dislodgement: at 150 mL/h after the line has settled. The detector works in pump
  time (`detection_time_scale` = --speed), so the pump is polled once per pump second
  and its pressure read `--pressure-reads` times per pump second (10, the station's
  default; every 0.1 s real at --speed 1, 0.02 s at --speed 5), and the latency is
  also given in pump seconds: what it would be live, with real pumps polled as the
  station polls them.
The stall and lost-link cases use the station's driver settings (1 s poll, 10 pressure
reads a second: in Basic mode the `A?S` is seen by the next read).
Targets: stall p95 under 2 s; lost link under 10 s always; dislodgement p95 under 10 s.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import queue
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from devices.driver import DriverConfig, LinkState, Sample
from station.alarms import AlarmTransition, TransitionKind
from station.monitoring import ChairUpdate, MonitoringService, MonitorSettings, PumpEndpoint
from station.monitoring.config import station_driver_config
from station.persistence import make_sessionmaker, open_database
from tests.support.simulator_process import SimulatorProcess

CHAIR = "bench"
WHO = "bench"


@dataclass
class Result:
    name: str
    latencies_s: list[float] = field(default_factory=list)
    missed: int = 0
    scale: float = 1.0  # pump seconds per real second, for the pump-time column
    # Where the time went, per trial: the request to the driver's event (pump, link,
    # driver), the event to the alarm engine's raise (queue, monitoring thread), the
    # raise to the subscriber (durable storage of the transition, publication).
    parts: dict[str, list[float]] = field(default_factory=dict)

    def add(self, sent: float, found: tuple[float, AlarmTransition, ChairUpdate]) -> None:
        published, raised, update = found
        self.latencies_s.append(published - sent)
        if update.event is None:
            return
        for name, value in (("to the driver's event", update.event.at.monotonic - sent),
                            ("event to raise", raised.monotonic_s - update.event.at.monotonic),
                            ("raise to stored and published", published - raised.monotonic_s)):
            self.parts.setdefault(name, []).append(value)

    def breakdown(self) -> str:
        return ", ".join(f"{name} {statistics.median(values) * 1000:.1f} ms"
                         for name, values in self.parts.items())

    def row(self) -> str:
        if not self.latencies_s:
            return f"| {self.name} | - | - | - | 0 | {self.missed} |"
        ms = sorted(x * 1000 for x in self.latencies_s)
        p95 = ms[math.ceil(0.95 * len(ms)) - 1]
        cells = [statistics.median(ms), p95, ms[-1]]
        if self.scale != 1.0:
            text = [f"{v:.0f} ms ({v * self.scale / 1000:.1f} s pump time)" for v in cells]
        else:
            text = [f"{v:.0f} ms" for v in cells]
        return f"| {self.name} | {' | '.join(text)} | {len(ms)} | {self.missed} |"


class Rig:
    """One simulator process, one monitoring service on its pump 1, updates in a queue."""

    def __init__(self, sim: SimulatorProcess, db_url: str, settings: MonitorSettings) -> None:
        self.sim = sim
        self.engine = open_database(db_url)
        self.updates: queue.Queue[tuple[float, ChairUpdate]] = queue.Queue()
        self.service = MonitoringService([PumpEndpoint(CHAIR, sim.ports[0].port)],
                                         make_sessionmaker(self.engine), settings=settings)
        self.service.subscribe(lambda u: self.updates.put((time.monotonic(), u)))
        self.service.start()
        self.wait(lambda u: u.snapshot.link_state is LinkState.UP, 20.0)

    def close(self) -> None:
        self.service.stop()
        self.engine.dispose()

    def control(self, op: str, **message: object) -> None:
        reply = self.sim.control(op=op, pump=1, **message)
        if not reply.get("ok"):
            raise RuntimeError(f"{op}: {reply}")

    def wait(self, match: Callable[[ChairUpdate], bool], timeout_s: float
             ) -> tuple[float, ChairUpdate] | None:
        deadline = time.monotonic() + timeout_s
        while (left := deadline - time.monotonic()) > 0:
            try:
                at, update = self.updates.get(timeout=left)
            except queue.Empty:
                return None
            if match(update):
                return at, update
        return None

    def transition(self, condition: str, kind: TransitionKind, timeout_s: float
                   ) -> tuple[float, AlarmTransition, ChairUpdate] | None:
        def matches(u: ChairUpdate) -> bool:
            return any(t.condition == condition and t.kind is kind for t in u.transitions)
        found = self.wait(matches, timeout_s)
        if found is None:
            return None
        at, update = found
        return at, next(t for t in update.transitions if t.condition == condition), update

    def samples(self, count: int) -> None:
        """Wait for `count` fresh samples (updates queued earlier do not count)."""
        self.drain()
        for _ in range(count):
            self.wait(lambda u: isinstance(u.event, Sample), 10.0)

    def drain(self) -> None:
        while not self.updates.empty():
            self.updates.get_nowait()

    def reset_when_ended(self, condition: str, timeout_s: float = 30.0) -> None:
        """Wait until a latched alarm's condition has ended, then reset it."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            views = {a.condition: a for a in self.service.snapshot(CHAIR).alarms}
            view = views.get(condition)
            if view is None:
                return
            if view.state == "latched":
                self.service.reset(CHAIR, condition, WHO).result(timeout=5)
                return
            time.sleep(0.05)
        raise TimeoutError(f"{condition} did not end in {timeout_s} s")


@contextmanager
def rig(speed: float, settings: MonitorSettings, *sim_args: str) -> Iterator[Rig]:
    with tempfile.TemporaryDirectory() as tmp, SimulatorProcess(
            speed=speed, seed=random.randrange(1000), extra_args=sim_args) as sim:
        one = Rig(sim, f"sqlite:///{tmp}/bench.sqlite", settings)
        try:
            yield one
        finally:
            one.close()


def stall(trials: int, speed: float, safe: bool) -> Result:
    mode = "Safe mode, auto-alarm" if safe else "Basic mode, 1 Hz poll, 10 Hz pressure reads"
    result = Result(f"stall (A?S), {mode}")
    settings = MonitorSettings(driver=replace(station_driver_config(),
                                              safe_mode_timeout_s=15 if safe else None))
    with rig(speed, settings, "--occlusion-limit", "80") as one:
        pump = one.service.pump(CHAIR)
        pump.set_rate(600.0).result(timeout=5)
        for _ in range(trials):
            one.control("clear")
            one.reset_when_ended("pump_stall")
            pump.run().result(timeout=5)
            time.sleep(random.uniform(0.5, 1.5))  # the line settles; a random poll phase
            one.drain()
            sent = time.monotonic()
            one.control("inject", fault="occlusion", params={"severity": 1.0})
            found = one.transition("pump_stall", TransitionKind.RAISED, 10.0)
            if found is None:
                result.missed += 1
                continue
            result.add(sent, found)
    return result


def lost_link(trials: int, speed: float) -> tuple[Result, Result]:
    from_pull = Result("lost link, cable pulled (silent), from the pull")
    from_reply = Result("lost link, from the last valid sample")
    settings = MonitorSettings(driver=replace(station_driver_config(), backoff_max_s=1.0))
    with rig(speed, settings) as one:
        for _ in range(trials):
            time.sleep(random.uniform(0.5, 1.5))
            one.drain()
            sent = time.monotonic()
            one.control("pull_cable", mode="silent")
            found = one.transition("link_lost", TransitionKind.RAISED, 15.0)
            one.control("plug_cable")
            if found is None:
                from_pull.missed += 1
                from_reply.missed += 1
            else:
                at, _raised, update = found
                from_pull.add(sent, found)
                last = update.snapshot.latest_sample
                if last is not None:
                    from_reply.latencies_s.append(at - last.at.monotonic)
            if one.wait(lambda u: u.snapshot.link_state is LinkState.UP, 30.0) is None:
                raise RuntimeError("the link did not come back")
    return from_pull, from_reply


def dislodgement(trials: int, speed: float, polls_per_pump_second: float = 1.0,
                 reads_per_pump_second: float = 10.0) -> Result:
    name = "dislodgement (advisory, detector)"
    if polls_per_pump_second != 1.0:
        name += f", {polls_per_pump_second:g} polls per pump second"
    fast = reads_per_pump_second > polls_per_pump_second
    name += (f", {reads_per_pump_second:g} pressure reads per pump second" if fast
             else ", no pressure reads between polls")
    result = Result(name, scale=speed)
    settings = MonitorSettings(
        driver=DriverConfig(poll_interval_s=1.0 / (polls_per_pump_second * speed),
                            pressure_interval_s=(1.0 / (reads_per_pump_second * speed)
                                                 if fast else None)),
        detection_time_scale=speed)
    with rig(speed, settings) as one:
        pump = one.service.pump(CHAIR)
        pump.set_rate(150.0).result(timeout=5)
        pump.run().result(timeout=5)
        one.samples(int(50 * polls_per_pump_second))  # the line settles, its level is learnt
        for _ in range(trials):
            one.samples(int(random.uniform(10, 30) * polls_per_pump_second))
            one.drain()
            sent = time.monotonic()
            one.control("inject", fault="dislodgement")
            found = one.transition("dislodgement", TransitionKind.RAISED, 60.0)
            one.control("clear")
            if found is None:
                result.missed += 1
            else:
                result.add(sent, found)
            one.reset_when_ended("dislodgement", 120.0)
    return result


def machine() -> str:
    model = next((line.split(":", 1)[1].strip() for line in
                  Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor())
    memory = subprocess.run(["free", "-h"], check=False, capture_output=True, text=True).stdout
    total = memory.splitlines()[1].split()[1] if memory else "?"
    return (f"{os.cpu_count()} CPUs (nproc), {model}, {total} RAM, "
            f"Python {platform.python_version()}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--speed", type=float, default=10.0)
    parser.add_argument("--real-time-trials", type=int, default=0,
                        help="also dislodgement at --speed 1 with the default 1 s poll")
    parser.add_argument("--only", choices=["stall", "link", "dislodgement"])
    parser.add_argument("--dislodgement-polls", type=float, default=1.0,
                        help="polls per pump second for the dislodgement case (default 1)")
    parser.add_argument("--pressure-reads", type=float, default=10.0,
                        help="pressure reads per pump second for the dislodgement case "
                             "(default 10, the station's; at most --dislodgement-polls: none)")
    args = parser.parse_args()
    started = time.monotonic()
    results: list[Result] = []
    if args.only in (None, "stall"):
        results += [stall(args.trials, args.speed, safe=True),
                    stall(args.trials, args.speed, safe=False)]
    if args.only in (None, "link"):
        results += list(lost_link(args.trials, args.speed))
    if args.only in (None, "dislodgement"):
        results.append(dislodgement(args.trials, args.speed, args.dislodgement_polls,
                                    args.pressure_reads))
        if args.real_time_trials:
            real = dislodgement(args.real_time_trials, 1.0)
            real.name += ", real time (--speed 1, 1 s poll, 10 Hz pressure reads)"
            results.append(real)
    print(f"machine: {machine()}")
    print(f"simulator --speed {args.speed:g}; {time.monotonic() - started:.0f} s in all\n")
    print("| case | p50 | p95 | max | n | missed |")
    print("|---|---|---|---|---|---|")
    for result in results:
        print(result.row())
    print("\nmedians, where the time goes:")
    for result in results:
        if result.parts:
            print(f"- {result.name}: {result.breakdown()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
