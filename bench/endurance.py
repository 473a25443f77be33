"""Endurance: a 12-hour shift of 16 simulated pumps at 60x, with titrations, breaks, faults.

    .venv/bin/python bench/endurance.py [--minutes 12] [--pumps 16] [--speed 60] [--seed 1]

The monitoring service runs in this process (headless, one SQLite file, durable writes)
against `pump-sim --speed 60` as its own process on ptys, one infusion running per
pump. A shift of `minutes x speed` simulated minutes follows a seeded plan per pump:
a titration step every 30 simulated minutes, two bathroom breaks (pause, resume after
10 minutes), and faults through the control socket: occlusions that stall the pump
(the alarm reset and the pump restarted, as a nurse would), air in line, pulled
cables (silent, 8 s real), garbled replies. Measured every 5 s: this process's RSS,
open file descriptors and CPU; the simulator's CPU. At the end: alarm transitions
published (each stored before it is published) against the rows stored, and samples
delivered under an infusion against the telemetry stored (gap rows apart).
Targets: RSS growth under 10 % after the warm-up (the first sixth of the run, at least
one minute), no descriptor growth, no record lost and none written twice.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import sys
import tempfile
import threading
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import memory_probe

from devices.driver import DriverConfig, Sample
from station.monitoring import ChairUpdate, MonitoringService, MonitorSettings, PumpEndpoint
from station.persistence import Records, make_sessionmaker, open_database
from station.persistence.alarms import AlarmTransition
from station.persistence.delivery import Infusion, InfusionStatus, Pump
from station.persistence.events import InfusionEvent
from station.persistence.people import Patient, User
from station.persistence.scheduling import Appointment, Chair
from station.persistence.telemetry import TelemetryChunk
from tests.persistence.factories import T0, make_order
from tests.support.simulator_process import SimulatorProcess

SAMPLE_EVERY_S = 5.0
PROBE_EVERY_S = 60.0  # gc.get_objects() and the allocated blocks: once a minute
FAULTS = ("occlusion", "air_in_line", "pulled_cable", "garbled")


@dataclass(order=True)
class Action:
    at_s: float  # wall seconds from the start
    pump: int = field(compare=False)
    what: str = field(compare=False)
    value: float = field(default=0.0, compare=False)


def plan(pumps: int, shift_min: float, speed: float, rng: random.Random) -> list[Action]:
    """Each pump's shift as wall-clock actions (simulated minutes / speed)."""
    wall = 60.0 / speed  # wall seconds per simulated minute
    actions: list[Action] = []
    for pump in range(1, pumps + 1):
        rate = rng.uniform(40, 120)
        actions.append(Action(rng.uniform(0, 5) * wall, pump, "start", rate))
        for step_min in np.arange(30.0, shift_min, 30.0):
            rate = min(rate * 1.2, 400.0)
            actions.append(Action(float(step_min) * wall, pump, "rate", rate))
        for _ in range(2):
            at = rng.uniform(20, shift_min - 30)
            actions += [Action(at * wall, pump, "pause"), Action((at + 10) * wall, pump, "resume")]
        for _ in range(3):
            at = rng.uniform(15, shift_min - 20)
            fault = rng.choice(FAULTS)
            actions += [Action(at * wall, pump, fault),
                        Action((at + 5) * wall, pump, "recover")]
    return sorted(actions)


def seed(sessions: Any, pumps: int) -> None:
    """A nurse, and per pump a patient, chair, appointment, order and running infusion."""
    records = Records(sessions)
    records.add(User(username="nurse.bench", display_name="Nurse Bench", created_at=T0))
    for n in range(1, pumps + 1):
        patient = Patient(mrn=f"MRN-{n:04d}", family_name="Bench", given_name=f"P{n}",
                          date_of_birth=date(1970, 1, 1) + timedelta(days=n))
        chair = Chair(label=f"C{n}")
        appointment = Appointment(patient=patient, chair=chair, start_at=T0,
                                  expected_duration_min=720)
        order = make_order(patient, appointment)
        pump = Pump(port_url="unknown yet", model="NE1000", serial_number=f"SN{n:04d}")
        infusion = Infusion(order=order, appointment=appointment, pump=pump, started_at=T0,
                            status=InfusionStatus.RUNNING)
        records.add(patient, chair, appointment, order, pump, infusion)


class Counts:
    """What the service published: transitions (stored first) and samples under an infusion."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.transitions = 0
        self.samples = 0

    def __call__(self, update: ChairUpdate) -> None:
        with self.lock:
            self.transitions += len(update.transitions)
            if isinstance(update.event, Sample) and update.snapshot.infusion_id is not None:
                self.samples += 1


def rss_kib(pid: str = "self") -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def cpu_s(pid: int | None = None) -> float:
    if pid is None:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Shift:
    """Carries out the plan's actions on the service's pollers and the simulator."""

    def __init__(self, service: MonitoringService, sim: SimulatorProcess, nurse: str) -> None:
        self.service, self.sim, self.nurse = service, sim, nurse
        self.rates: dict[int, float] = {}
        self.refused = 0

    def do(self, action: Action) -> None:
        chair, pump = f"C{action.pump}", action.pump
        poller = self.service.pump(chair)
        handlers: dict[str, Callable[[], object]] = {
            "start": lambda: (poller.set_rate(action.value), poller.run()),
            "rate": lambda: poller.set_rate(action.value),
            "pause": poller.stop,
            "resume": poller.run,
            "occlusion": lambda: self.sim.control(op="inject", pump=pump, fault="occlusion",
                                                  params={"severity": 1.0}, duration_s=120),
            "air_in_line": lambda: self.sim.control(op="inject", pump=pump, fault="air_in_line",
                                                    duration_s=120),
            "garbled": lambda: self.sim.control(op="inject", pump=pump, fault="garbled",
                                                params={"probability": 0.2}, duration_s=300),
            "pulled_cable": lambda: self.sim.control(op="inject", pump=pump,
                                                     fault="pulled_cable",
                                                     params={"mode": "silent"},
                                                     duration_s=8 * self.speed),
            "recover": lambda: self.recover(chair),
        }
        if action.what in ("start", "rate"):
            self.rates[pump] = action.value
        done = handlers[action.what]()
        for future in done if isinstance(done, tuple) else (done,):
            if isinstance(future, Future):
                future.add_done_callback(self._count_refusal)

    speed = 60.0

    def recover(self, chair: str) -> None:
        """A nurse at the chair: latched alarms reset where the cause is gone, pump on."""
        for view in self.service.snapshot(chair).alarms:
            if view.state == "latched":
                future = self.service.reset(chair, view.condition, self.nurse)
                future.add_done_callback(self._count_refusal)
        self.service.pump(chair).run().add_done_callback(self._count_refusal)

    def _count_refusal(self, future: Future[Any]) -> None:
        if future.exception() is not None:
            self.refused += 1


def stored_counts(sessions: Any) -> dict[str, int]:
    with sessions() as session:
        transitions = session.scalar(sa.select(sa.func.count()).select_from(AlarmTransition))
        events = session.scalar(sa.select(sa.func.count()).select_from(InfusionEvent))
        chunks = session.scalars(sa.select(TelemetryChunk.rate_ml_h)).all()
    rates = np.frombuffer(b"".join(chunks), dtype="<f4")
    gaps = int(np.isnan(rates).sum())
    return {"transitions": int(transitions or 0), "samples": int(rates.size) - gaps,
            "gap_rows": gaps, "events": int(events or 0)}


def open_bench_database(args: argparse.Namespace, folder: Path) -> sa.Engine:
    """The station's SQLite file, with the experiments' cache sizes if asked."""
    query = ("" if args.sqlite_statement_cache is None
             else f"?cached_statements={args.sqlite_statement_cache}")
    engine = open_database(f"sqlite:///{folder / 'station.sqlite'}{query}")
    if args.sqlite_cache_kib is not None:
        # An experiment on where the memory goes: SQLite's page cache per connection.
        engine.dispose()
        event.listen(engine, "connect", lambda dbapi, _record: dbapi.execute(
            f"PRAGMA cache_size = -{args.sqlite_cache_kib}"))
    return engine


def run(args: argparse.Namespace) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix="endurance-"))
    engine = open_bench_database(args, folder)
    statements = StatementCensus(engine)
    sessions = make_sessionmaker(engine)
    seed(sessions, args.pumps)
    rng = random.Random(args.seed)
    shift_min = args.minutes * args.speed
    actions = plan(args.pumps, shift_min, args.speed, rng)
    settings = MonitorSettings(driver=DriverConfig(poll_interval_s=args.poll_s),
                               detection_time_scale=args.speed)
    counts = Counts()
    series: list[dict[str, float]] = []
    with SimulatorProcess(pumps=args.pumps, speed=args.speed, seed=args.seed) as sim:
        endpoints = [PumpEndpoint(f"C{n}", sim.ports[n - 1].port)
                     for n in range(1, args.pumps + 1)]
        service = MonitoringService(endpoints, sessions, settings=settings)
        service.subscribe(counts)
        shift = Shift(service, sim, "1")
        shift.speed = args.speed
        sim_pid = sim.pid
        service.start()
        t0 = time.monotonic()
        cpu0, sim_cpu0 = cpu_s(), cpu_s(sim_pid)
        next_sample, next_probe, pending = t0, t0, list(actions)
        end = t0 + args.minutes * 60.0
        warm = max(60.0, args.minutes * 10.0)  # the first sixth of the run, at least a minute
        probe = Probe(args, warm)
        while (now := time.monotonic()) < end:
            while pending and t0 + pending[0].at_s <= now:
                shift.do(pending.pop(0))
            if now >= next_sample:
                next_sample += SAMPLE_EVERY_S
                sample: dict[str, float] = {
                    "t_s": now - t0, "rss_kib": rss_kib(), "fds": open_fds(),
                    "cpu_s": cpu_s() - cpu0, "sim_cpu_s": cpu_s(sim_pid) - sim_cpu0}
                sample.update(memory_probe.smaps())
                if now >= next_probe:
                    next_probe += PROBE_EVERY_S
                    sample.update(probe.minute(now - t0))
                    sample["distinct_sql"] = statements.distinct
                series.append(sample)
            time.sleep(0.05)
        probe.finish()
        health = service.health()
        pool = engine.pool.status()
        service.stop()
    published = (counts.transitions, counts.samples)
    stored = stored_counts(sessions)
    engine.dispose()
    after = [s for s in series if s["t_s"] >= warm] or series
    wall = series[-1]["t_s"]
    return {
        "minutes": args.minutes, "pumps": args.pumps, "speed": args.speed,
        "simulated_hours": shift_min / 60.0, "actions": len(actions),
        "rss_at_warmup_kib": after[0]["rss_kib"], "rss_end_kib": series[-1]["rss_kib"],
        "rss_max_kib": max(s["rss_kib"] for s in series),
        "rss_growth_pct": 100.0 * (series[-1]["rss_kib"] - after[0]["rss_kib"])
        / after[0]["rss_kib"],
        "fds_at_warmup": after[0]["fds"], "fds_end": series[-1]["fds"],
        "fds_max": max(s["fds"] for s in series),
        "station_cpu_pct": 100.0 * series[-1]["cpu_s"] / wall,
        "simulator_cpu_pct": 100.0 * series[-1]["sim_cpu_s"] / wall,
        "transitions_published": published[0], "transitions_stored": stored["transitions"],
        "samples_published": published[1], "samples_stored": stored["samples"],
        "gap_rows": stored["gap_rows"], "pump_events": stored["events"],
        "commands_refused": shift.refused,
        "distinct_sql": statements.distinct, "distinct_sql_top": statements.top(),
        "sqlite_statement_cache": args.sqlite_statement_cache,
        "handler_faults": health.handler_faults,
        "db_mib": (folder / "station.sqlite").stat().st_size / 2**20, "pool": pool,
        **growth(after), "census_growth": probe.census, "tracemalloc_top": probe.traced,
        "malloc_trim": args.malloc_trim, "malloc_arena_max": os.environ.get("MALLOC_ARENA_MAX"),
        "series": series,
    }


class StatementCensus:
    """Distinct SQL texts the engine sent: Python's sqlite3 prepares and caches one
    statement per text (128 per connection by default), so texts that differ by their
    number of parameters each hold SQLite memory until evicted."""

    def __init__(self, engine: sa.Engine) -> None:
        self._lock = threading.Lock()
        self._texts: Counter[str] = Counter()
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, _conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        with self._lock:
            self._texts[statement] += 1

    @property
    def distinct(self) -> int:
        with self._lock:
            return len(self._texts)

    def top(self, n: int = 5) -> list[str]:
        """The statement shapes with the most distinct texts (first 60 characters)."""
        with self._lock:
            shapes = Counter(text[:60] for text in self._texts)
        return [f"{count} texts: {shape}" for shape, count in shapes.most_common(n)]


class Probe:
    """The once-a-minute measures, an optional malloc_trim, and the census or
    tracemalloc comparison between the end of the warm-up and the end of the run."""

    def __init__(self, args: argparse.Namespace, warm_s: float) -> None:
        self.args, self.warm_s = args, warm_s
        self._census_at_warm: Counter[str] | None = None
        self._trace_at_warm: tracemalloc.Snapshot | None = None
        self.census: list[tuple[str, int]] = []
        self.traced: list[str] = []
        if args.tracemalloc:
            tracemalloc.start(args.tracemalloc)

    def minute(self, t_s: float) -> dict[str, float]:
        values: dict[str, float] = {}
        if self.args.malloc_trim:
            before = rss_kib()
            memory_probe.malloc_trim()
            values["trimmed_kib"] = before - rss_kib()
        values.update(memory_probe.python_measures())
        values.update(memory_probe.native_measures())
        if t_s >= self.warm_s and self._census_at_warm is None:
            self._census_at_warm = memory_probe.type_census()
            if self.args.tracemalloc:
                self._trace_at_warm = tracemalloc.take_snapshot()
        return values

    def finish(self) -> None:
        if self._census_at_warm is not None:
            self.census = memory_probe.census_growth(self._census_at_warm,
                                                     memory_probe.type_census())
        if self._trace_at_warm is not None:
            diff = tracemalloc.take_snapshot().compare_to(self._trace_at_warm, "traceback")
            self.traced = ["\n".join([str(stat), *stat.traceback.format()[-8:]])
                           for stat in diff[:10]]
            tracemalloc.stop()


def growth(after: list[dict[str, float]]) -> dict[str, Any]:
    """Slopes after the warm-up (KiB a minute, in three windows) and the verdict."""
    t = [s["t_s"] for s in after]
    slopes = {key: memory_probe.window_slopes(t, [s[key] for s in after])
              for key in ("rss_kib", "anon_kib", "file_kib")}
    probed = [s for s in after if "allocated_blocks" in s]
    blocks = memory_probe.slope_kib_per_min([s["t_s"] for s in probed],
                                            [s["allocated_blocks"] for s in probed])
    # SQLite's page cache follows the database's size up to its cache_size (2 MiB per
    # connection by default), so it climbs for as long as a 60x run lasts: bounded.
    beside_cache = memory_probe.window_slopes(
        [s["t_s"] for s in probed],
        [s["rss_kib"] - s.get("sqlite_page_cache_kib", 0) for s in probed])
    return {"slopes_kib_per_min": slopes, "allocated_blocks_per_min": blocks,
            "rss_levels_off": memory_probe.levels_off(slopes["rss_kib"]),
            "rss_beside_page_cache_kib_per_min": beside_cache,
            "rss_beside_page_cache_levels_off": memory_probe.levels_off(beside_cache)}


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.machine()


def report(result: dict[str, Any]) -> str:
    lost_t = result["transitions_published"] - result["transitions_stored"]
    lost_s = result["samples_published"] - result["samples_stored"]
    lines = [
        f"{result['pumps']} pumps, {result['simulated_hours']:.1f} simulated hours in "
        f"{result['minutes']} min at {result['speed']:g}x; {result['actions']} planned actions",
        f"RSS {result['rss_at_warmup_kib'] / 1024:.1f} MiB after warm-up -> "
        f"{result['rss_end_kib'] / 1024:.1f} MiB at the end "
        f"({result['rss_growth_pct']:+.1f} %; max {result['rss_max_kib'] / 1024:.1f} MiB)",
        f"open fds {result['fds_at_warmup']} after warm-up -> {result['fds_end']} "
        f"(max {result['fds_max']})",
        f"CPU: station {result['station_cpu_pct']:.1f} % of one core, simulator "
        f"{result['simulator_cpu_pct']:.1f} %",
        f"alarm transitions published {result['transitions_published']}, stored "
        f"{result['transitions_stored']} (difference {lost_t})",
        f"samples under an infusion {result['samples_published']}, stored "
        f"{result['samples_stored']} (difference {lost_s}); gap rows {result['gap_rows']}; "
        f"pump events stored {result['pump_events']}",
        f"commands refused by pump or engine {result['commands_refused']}, handler faults "
        f"{result['handler_faults']}, database {result['db_mib']:.1f} MiB; {result['pool']}",
        "RSS slope after warm-up, KiB/min in thirds: "
        + ", ".join(f"{v:.0f}" for v in result["slopes_kib_per_min"]["rss_kib"])
        + " (anon " + ", ".join(f"{v:.0f}" for v in result["slopes_kib_per_min"]["anon_kib"])
        + "; file " + ", ".join(f"{v:.0f}" for v in result["slopes_kib_per_min"]["file_kib"])
        + f"); allocated blocks {result['allocated_blocks_per_min']:+.0f}/min; "
        + ("levels off" if result["rss_levels_off"] else "STILL CLIMBING"),
        "RSS less SQLite's page cache, KiB/min in thirds: "
        + ", ".join(f"{v:.0f}" for v in result["rss_beside_page_cache_kib_per_min"]) + "; "
        + ("levels off" if result["rss_beside_page_cache_levels_off"] else "STILL CLIMBING"),
        f"distinct SQL texts {result['distinct_sql']}: "
        + "; ".join(result["distinct_sql_top"][:3]),
        "objects grown since warm-up: "
        + ", ".join(f"{name} +{n}" for name, n in result["census_growth"][:8]),
        f"machine: {cpu_model()}, {os.cpu_count()} CPUs, "
        f"load {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}",
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=12.0, help="wall minutes (12)")
    parser.add_argument("--pumps", type=int, default=16)
    parser.add_argument("--speed", type=float, default=60.0)
    parser.add_argument("--poll-s", type=float, default=1.0, help="driver poll interval")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--sqlite-cache-kib", type=int,
                        help="SQLite page cache per connection (default: SQLite's 2 MiB)")
    parser.add_argument("--sqlite-statement-cache", type=int,
                        help="prepared statements kept per connection (default: Python's 128)")
    parser.add_argument("--malloc-trim", action="store_true",
                        help="call glibc's malloc_trim(0) once a minute (an experiment)")
    parser.add_argument("--tracemalloc", type=int, default=0, metavar="FRAMES",
                        help="trace Python allocations with this many frames (slow)")
    parser.add_argument("--json", type=Path, help="write the figures and the series here")
    args = parser.parse_args()
    result = run(args)
    print(report(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))
    ok = (result["rss_growth_pct"] < 10.0 and result["fds_end"] <= result["fds_at_warmup"]
          and result["transitions_published"] == result["transitions_stored"]
          and result["samples_published"] == result["samples_stored"])
    print("targets met" if ok else "TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
