"""Offline simulation, faster than real time and without ports: labelled traces.

The same pump, model and fault code as the served simulator, driven by a manual
clock. Use it to generate a labelled corpus for detection work:

    rows = simulate_trace(LineParams(), [TimedFault(Fault.make("occlusion"), 600.0)],
                          1800.0, 1.0, rate_ml_h=50.0, seed=7)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from devices.protocol import RateUnit
from devices.simulator.clock import ManualClock
from devices.simulator.faults import TimedFault
from devices.simulator.injector import FaultInjector
from devices.simulator.link import LinkFaults
from devices.simulator.mechanics import PumpSettings
from devices.simulator.physics import LineParams
from devices.simulator.pump import SimulatedPump
from devices.simulator.trace import TraceRow, sample


def simulate_trace(
    params: LineParams,
    faults: Sequence[TimedFault],
    duration_s: float,
    dt_s: float,
    *,
    rate_ml_h: float,
    seed: int = 0,
    settings: PumpSettings | None = None,
    volume_ml: float = 0.0,
) -> list[TraceRow]:
    """Infuse at `rate_ml_h` for `duration_s`, sampling every `dt_s`; faults on time.

    `volume_ml` > 0 sets a volume to be infused (then the pump stops, or carries on at
    the KVO rate of `settings`). Rows carry the physical fault labels.
    """
    if dt_s <= 0 or duration_s < 0:
        raise ValueError("dt_s must be positive and duration_s not negative")
    clock = ManualClock()
    pump = SimulatedPump(clock, np.random.default_rng(seed), settings=settings, params=params)
    pump.alarm = None  # nobody is there to acknowledge the power-up alarm
    program = pump.mechanics.program
    program.set_rate(rate_ml_h, RateUnit.ML_H)
    program.set_volume(volume_ml)
    pump.mechanics.start()
    injector = FaultInjector(pump, LinkFaults())
    started: set[int] = set()
    rows = [sample(pump)]
    for index in range(1, round(duration_s / dt_s) + 1):
        target = index * dt_s
        _start_due(faults, started, injector, target)
        clock.advance(target - clock.now())
        injector.poll()
        pump.advance()
        rows.append(sample(pump))
    return rows


def _start_due(
    faults: Sequence[TimedFault], started: set[int], injector: FaultInjector, until_s: float
) -> None:
    """Inject faults whose onset falls before `until_s`, advancing the pump to each onset."""
    clock = injector.pump.clock
    assert isinstance(clock, ManualClock)
    for index in sorted(range(len(faults)), key=lambda i: faults[i].onset_s):
        timed = faults[index]
        if index in started or timed.onset_s > until_s:
            continue
        started.add(index)
        if timed.onset_s > clock.now():
            clock.advance(timed.onset_s - clock.now())
            injector.poll()
            injector.pump.advance()
        injector.inject(timed.fault, timed.duration_s)
