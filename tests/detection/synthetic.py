"""Synthetic pressure traces for detector tests: a line at steady flow plus events.

P = base + R x Q, with sensor noise and pump ripple; events are added as functions of
time and of the volume infused, so each test says exactly what the line does.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from station.detection.sample import Sample

Shape = Callable[[float, float], float]  # (time_s, volume_ml) -> mmHg added


def line_trace(duration_s: float, dt_s: float = 1.0, rate_ml_h: float = 100.0, *,
               base_mmhg: float = 9.0, r_mmhg_per_ml_h: float = 0.06,
               shapes: tuple[Shape, ...] = (), seed: int = 0,
               rate_at: Callable[[float], float] | None = None,
               status_at: Callable[[float], str] | None = None) -> list[Sample]:
    """Samples every `dt_s`; `rate_at`/`status_at` override the flow and the status."""
    rng = np.random.default_rng(seed)
    samples, volume = [], 0.0
    for index in range(round(duration_s / dt_s) + 1):
        t = index * dt_s
        status = status_at(t) if status_at else "I"
        rate = (rate_at(t) if rate_at else rate_ml_h) if status == "I" else 0.0
        volume += rate * dt_s / 3600.0
        ripple = 0.8 * math.sin(2 * math.pi * 20 * volume)
        p = base_mmhg + r_mmhg_per_ml_h * rate + ripple + float(rng.normal(0, 0.4))
        p += sum(shape(t, volume) for shape in shapes)
        samples.append(Sample(t, rate, volume, p, status))
    return samples


def step(at_s: float, mmhg: float) -> Shape:
    return lambda t, v: mmhg if t >= at_s else 0.0


def hump(at_s: float, duration_s: float, peak_mmhg: float) -> Shape:
    """A movement artifact: half a sine wave."""
    def shape(t: float, v: float) -> float:
        x = (t - at_s) / duration_s
        return peak_mmhg * math.sin(math.pi * x) if 0 <= x <= 1 else 0.0
    return shape


def ramp_in_time(at_s: float, mmhg_per_s: float, cap_mmhg: float) -> Shape:
    return lambda t, v: min(cap_mmhg, mmhg_per_s * (t - at_s)) if t >= at_s else 0.0


def creep_in_volume(at_s: float, drop_mmhg: float, mmhg_per_ml: float) -> Shape:
    """An infiltration: a drop at onset, then a rise with every mL infused."""
    start: list[float] = []

    def shape(t: float, v: float) -> float:
        if t < at_s:
            return 0.0
        if not start:
            start.append(v)
        return -drop_mmhg + mmhg_per_ml * (v - start[0])
    return shape


def first_raise(results: list[tuple[float, bool]]) -> float | None:
    """Time of the first sample where the condition became present."""
    return next((t for t, present in results if present), None)
