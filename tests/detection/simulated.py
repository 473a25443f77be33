"""Rows from the simulator's own line model (devices/simulator/physics.py).

The pressure relaxes through the line's R x C after every change, as the served
simulator's does; tests of the step edge need that physics, not a synthetic step.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from devices.simulator.physics import LineModel, LineParams
from station.detection.sample import Sample

Change = Callable[[LineModel], None]


def lower_site(cm: float) -> Change:
    """The arm moves down by `cm`: the hydrostatic offset falls, R stays."""
    def change(line: LineModel) -> None:
        height = line.params.site_height_cm - cm
        line.params = line.params.updated({"site_height_cm": height})
    return change


def dislodge(line: LineModel) -> None:
    """The catheter tip comes out of the vein."""
    line.faults.dislodged = True


def simulated_rows(duration_s: float, dt_s: float, rate_ml_h: float,
                   changes: dict[float, Change], *, seed: int = 0,
                   params: LineParams | None = None) -> list[Sample]:
    """Rows every `dt_s` of a line infusing at `rate_ml_h`; `changes` at their times."""
    line = LineModel(params or LineParams(), np.random.default_rng(seed))
    pending = sorted(changes.items())
    rows, now, volume = [], 0.0, 0.0
    for index in range(round(duration_s / dt_s) + 1):
        target = index * dt_s
        while pending and pending[0][0] <= target:
            at, change = pending.pop(0)
            line.advance(at - now, rate_ml_h)
            now = at
            change(line)
        line.advance(target - now, rate_ml_h)
        volume += rate_ml_h * (target - now) / 3600.0
        now = target
        rows.append(Sample(target, rate_ml_h, volume, line.sensed_pressure(), "I"))
    return rows
