"""The time constant of a pressure step: the line's R x C, seen at the step's edge.

After a step of the back-pressure the line's compliance C drains through the
resistance R, so the sensed pressure relaxes exponentially with tau = R x C:

    p(t) = P_new + (P_old - P_new) x exp(-(t - t0) / tau)     (t > t0)

A posture change moves the back-pressure and leaves R alone: tau is the line's own
(0.15-1 s for a catheter and giving set). A dislodged catheter drips freely: R falls
about five-fold and so does tau. The edge of the step therefore measures the
resistance after it, independently of how far the level moved, whenever the
samples are dense enough to see a fraction of a second (10 rows a second; 2 rows a
second only for the slow lines). `fit_edge` fits t0 and tau on a small grid, with
P_old and P_new solved by least squares for each pair: the work is bounded by the
grid and by the samples of a few seconds, and is done once per candidate step.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

# Log-spaced time constants (19 % apart), 0.02 to 2 s: a free drip to a long line.
TAU_GRID_S = tuple(0.02 * 10 ** (k / 13) for k in range(27))
MAX_T0_STEPS = 24


@dataclass(frozen=True)
class EdgeFit:
    """The best exponential step through the edge samples."""

    tau_s: float
    t0_s: float
    before_mmhg: float
    after_mmhg: float
    rms_mmhg: float


def fit_edge(samples: Sequence[tuple[float, float]], edge_from_s: float,
             edge_to_s: float, t0_step_s: float = 0.05) -> EdgeFit | None:
    """Fit a step starting between `edge_from_s` and `edge_to_s` to `samples`.

    `samples` are (time, pressure) around the edge: some before it, a few seconds
    after. None when there are too few to say anything.
    """
    if len(samples) < 6 or edge_to_s <= edge_from_s:
        return None
    steps = min(MAX_T0_STEPS, max(1, math.ceil((edge_to_s - edge_from_s) / t0_step_s)))
    best: EdgeFit | None = None
    for i in range(steps):
        t0 = edge_from_s + (edge_to_s - edge_from_s) * (i + 0.5) / steps
        for tau in TAU_GRID_S:
            fit = _solve(samples, t0, tau)
            if fit is not None and (best is None or fit.rms_mmhg < best.rms_mmhg):
                best = fit
    return best


def _solve(samples: Sequence[tuple[float, float]], t0: float, tau: float) -> EdgeFit | None:
    # p = a x g + b x (1 - g), g = 1 before t0 and exp(-(t - t0) / tau) after:
    # linear in (a, b) = (P_old, P_new); normal equations of a 2x2 system.
    sgg = sgh = shh = sgp = shp = 0.0
    for t, p in samples:
        g = 1.0 if t <= t0 else math.exp(-(t - t0) / tau)
        h = 1.0 - g
        sgg += g * g
        sgh += g * h
        shh += h * h
        sgp += g * p
        shp += h * p
    det = sgg * shh - sgh * sgh
    if det <= 1e-9:
        return None
    a = (sgp * shh - shp * sgh) / det
    b = (shp * sgg - sgp * sgh) / det
    sse = 0.0
    for t, p in samples:
        g = 1.0 if t <= t0 else math.exp(-(t - t0) / tau)
        sse += (p - a * g - b * (1.0 - g)) ** 2
    return EdgeFit(tau, t0, a, b, math.sqrt(sse / len(samples)))
