"""A labelled corpus of infusion traces, made with the simulator's physics.

Each trace is drawn from its seed: line and patient parameters, a constant rate or a
titration ladder (20-300 mL/h), bathroom breaks (pump paused, the patient walks),
posture changes, movement artifacts, and at most one line event (occlusion,
dislodgement or infiltration) with its onset anywhere in the infusion. The pump, the
line model and the fault code are the simulator's own (devices/simulator), driven by
a manual clock, as `devices.simulator.simulate_trace` does; this module adds the
schedule (rate steps, pauses, posture) that simulate_trace does not have.

Two samplings of the same scenarios: `mixed` (rows every 0.1-5 s, drawn per trace: what
`analyze` may be given) and `station` (what the monitoring service feeds its detectors:
a full poll every second, the pressure alone read 10 times a second in between, each
read given the last poll's rate and its volume carried forward, as
station.detection.between_polls does live).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from devices.protocol import RateUnit
from devices.simulator import Fault, LineParams, ManualClock, PumpSettings, SimulatedPump
from devices.simulator.injector import FaultInjector
from devices.simulator.link import LinkFaults
from devices.simulator.trace import sample as sample_pump
from station.detection.between_polls import PressureBetweenPolls
from station.detection.sample import Sample

EVENTS = ("occlusion", "dislodgement", "infiltration")
SAMPLE_INTERVALS_S = (0.1, 0.5, 1.0, 2.0, 5.0)  # 10 to 0.2 rows per second
SAMPLINGS = ("station", "mixed")
STATION_READ_S = 0.1  # station.monitoring.config.STATION_PRESSURE_INTERVAL_S
STATION_POLL_S = 1.0  # devices.driver.DriverConfig.poll_interval_s


@dataclass
class Scenario:
    """Everything that happens in one trace, decided from the seed up front."""

    seed: int
    duration_s: float
    dt_s: float
    params: LineParams
    occlusion_limit_mmhg: float
    rates: list[tuple[float, float]]  # (time, rate mL/h), sorted
    breaks: list[tuple[float, float]]  # (start, end): pump paused
    posture: list[tuple[float, float]]  # (time, site height cm)
    event: str | None
    onset_s: float
    fraction: float = 1.0
    kind: str = "constant"  # or "ladder"
    sampling: str = "mixed"  # or "station" (SAMPLINGS)


@dataclass
class Trace:
    """The rows of one trace and its ground truth."""

    scenario: Scenario
    samples: list[Sample] = field(default_factory=list)
    tissue_ml: list[float] = field(default_factory=list)  # per row
    stall_s: float | None = None  # first A?S row

    def rate_at(self, t: float) -> float:
        rate = self.scenario.rates[0][1]
        for when, value in self.scenario.rates:
            if when <= t:
                rate = value
        return rate


def _ladder(rng: np.random.Generator, duration_s: float) -> list[tuple[float, float]]:
    start = float(rng.uniform(20, 60))
    step_s = float(rng.choice([900.0, 1800.0]))
    top = float(rng.uniform(150, 300))
    rates, t, rate = [], 0.0, start
    while t < duration_s:
        rates.append((t, min(rate, top)))
        t, rate = t + step_s, rate + start
    return rates


def _breaks(rng: np.random.Generator, duration_s: float) -> list[tuple[float, float]]:
    count = int(rng.choice([0, 1, 1, 2]))
    starts = sorted(float(rng.uniform(600, duration_s - 900)) for _ in range(count))
    out: list[tuple[float, float]] = []
    for start in starts:
        if out and start < out[-1][1] + 600:
            continue
        out.append((start, start + float(rng.uniform(180, 600))))
    return out


def _posture(rng: np.random.Generator, duration_s: float, start_cm: float,
             breaks: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Arm moves every ~20 min (a few cm); walking during breaks, a new seat after."""
    changes = [(0.0, start_cm)]
    t = float(rng.exponential(1200))
    while t < duration_s:
        changes.append((t, start_cm + float(np.clip(rng.normal(0, 4), -10, 10))))
        t += float(rng.exponential(1200))
    for start, end in breaks:
        walk = start + 20.0
        while walk < end - 20:
            changes.append((walk, start_cm + float(rng.uniform(-30, 20))))
            walk += float(rng.uniform(20, 60))
        changes.append((end - 10.0, start_cm + float(np.clip(rng.normal(0, 3), -8, 8))))
    return sorted(changes)


def make_scenario(seed: int, event: str | None = None) -> Scenario:
    """Draw one trace's scenario; `event` forces the line event (None: drawn too)."""
    rng = np.random.default_rng(seed)
    duration = float(rng.uniform(3600, 3 * 3600))
    params = LineParams(
        venous_mmhg=float(rng.uniform(5, 12)),
        catheter_resistance_mmhg_per_ml_h=float(rng.uniform(0.03, 0.10)),
        compliance_ml_per_mmhg=float(rng.uniform(0.0015, 0.003)),
        artifact_rate_per_h=float(rng.uniform(1, 6)),
        site_height_cm=float(rng.uniform(-5, 15)),
    )
    ladder = rng.random() < 0.5
    rates = _ladder(rng, duration) if ladder else [(0.0, float(rng.uniform(20, 300)))]
    breaks = _breaks(rng, duration)
    posture = _posture(rng, duration, params.site_height_cm, breaks)
    drawn = str(rng.choice([*EVENTS, "none"]))
    chosen = event if event is not None else (None if drawn == "none" else drawn)
    onset = float(rng.uniform(300, duration - 900))
    return Scenario(seed, duration, float(rng.choice(SAMPLE_INTERVALS_S)), params,
                    float(rng.uniform(300, 800)), rates, breaks, posture, chosen, onset,
                    float(rng.uniform(0.5, 1.0)), "ladder" if ladder else "constant")


class _Schedule:
    """Applies a scenario's timed actions to the pump as time passes."""

    def __init__(self, scenario: Scenario, pump: SimulatedPump, injector: FaultInjector):
        actions: list[tuple[float, str, float]] = [(t, "rate", r) for t, r in scenario.rates]
        actions += [(s, "pause", 0.0) for s, _ in scenario.breaks]
        actions += [(e, "resume", 0.0) for _, e in scenario.breaks]
        actions += [(t, "height", h) for t, h in scenario.posture]
        if scenario.event is not None:
            actions.append((scenario.onset_s, "event", 0.0))
        self._actions = sorted(actions)
        self._next = 0
        self._scenario, self._pump, self._injector = scenario, pump, injector

    def due(self, until_s: float) -> list[tuple[float, str, float]]:
        out = []
        while self._next < len(self._actions) and self._actions[self._next][0] <= until_s:
            out.append(self._actions[self._next])
            self._next += 1
        return out

    def apply(self, action: str, value: float) -> None:
        mech = self._pump.mechanics
        stalled = self._pump.alarm is not None
        if action == "rate":
            mech.program.set_rate(value, RateUnit.ML_H)
        elif action == "pause" and not stalled:
            mech.stop()
        elif action == "resume" and not stalled:
            mech.start()
        elif action == "height":
            mech.line.params = mech.line.params.updated({"site_height_cm": value})
        elif action == "event":
            event = self._scenario.event
            params = {"fraction": self._scenario.fraction} if event == "infiltration" else {}
            self._injector.inject(Fault.make(event, params))


def station_sampled(scenario: Scenario) -> Scenario:
    """The same scenario, read as the station reads it."""
    scenario.dt_s, scenario.sampling = STATION_READ_S, "station"
    return scenario


def simulate(scenario: Scenario) -> Trace:
    """Run one scenario; rows every `dt_s`, ending 5 min after a stall.

    Sampled as the station samples, only every `STATION_POLL_S` is a full poll; the
    reads in between carry the poll's rate and volume forward (PressureBetweenPolls).
    """
    between = PressureBetweenPolls() if scenario.sampling == "station" else None
    poll_every = round(STATION_POLL_S / STATION_READ_S)
    clock = ManualClock()
    settings = PumpSettings(occlusion_limit_mmhg=scenario.occlusion_limit_mmhg)
    pump = SimulatedPump(clock, np.random.default_rng(scenario.seed + 1_000_003),
                         settings=settings, params=scenario.params)
    pump.alarm = None  # nobody acknowledges the power-up alarm offline
    pump.mechanics.program.set_rate(scenario.rates[0][1], RateUnit.ML_H)
    pump.mechanics.start()
    injector = FaultInjector(pump, LinkFaults())
    schedule = _Schedule(scenario, pump, injector)
    trace = Trace(scenario)
    steps = round(scenario.duration_s / scenario.dt_s)
    for index in range(steps + 1):
        target = index * scenario.dt_s
        for when, action, value in schedule.due(target):
            clock.advance(max(0.0, when - clock.now()))
            pump.poll()
            schedule.apply(action, value)
        clock.advance(target - clock.now())
        pump.poll()
        row = sample_pump(pump)
        sample = Sample(row.time_s, row.rate_ml_h, row.volume_ml, row.pressure_mmhg,
                        row.status)
        if between is not None:
            read = None
            if index % poll_every and row.pressure_mmhg is not None:
                read = between.read(row.time_s, row.pressure_mmhg, row.status)
            sample = read or between.polled(sample)
        trace.samples.append(sample)
        trace.tissue_ml.append(pump.mechanics.line.state.delivered_ml["tissue"])
        if row.status == "A?S" and trace.stall_s is None:
            trace.stall_s = row.time_s
        if trace.stall_s is not None and row.time_s > trace.stall_s + 300:
            break
    return trace
