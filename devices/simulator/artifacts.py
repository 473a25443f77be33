"""Patient-movement artifacts: random pressure humps of tens of mmHg.

Arrivals are a Poisson process (`artifact_rate_per_h`, off at 0); each hump lasts
2 s to `artifact_max_s`, peaks at a quarter to all of `artifact_max_mmhg`, and is
positive four times in five (an arm bent or pressed on) or negative (arm raised).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from devices.simulator.physics import LineParams

MIN_DURATION_S = 2.0
POSITIVE_SHARE = 0.8


@dataclass(frozen=True)
class Artifact:
    """One hump: start time, length and signed peak."""

    start_s: float
    duration_s: float
    peak_mmhg: float

    def value(self, t_s: float) -> float:
        x = (t_s - self.start_s) / self.duration_s
        return self.peak_mmhg * math.sin(math.pi * x) if 0.0 <= x <= 1.0 else 0.0


class MovementArtifacts:
    """The artifacts in progress for one patient."""

    def __init__(self, rng: np.random.Generator) -> None:
        self._rng = rng
        self._active: list[Artifact] = []

    def value(self, t_s: float) -> float:
        return sum(artifact.value(t_s) for artifact in self._active)

    def maybe_start(self, t_s: float, dt_s: float, params: LineParams) -> None:
        """Drop finished humps; start a new one with probability rate x dt."""
        self._active = [a for a in self._active if t_s <= a.start_s + a.duration_s]
        rate = params.artifact_rate_per_h
        if rate <= 0 or self._rng.random() >= rate * dt_s / 3600.0:
            return
        longest = max(params.artifact_max_s, MIN_DURATION_S)
        duration = float(self._rng.uniform(MIN_DURATION_S, longest))
        peak = float(self._rng.uniform(0.25, 1.0)) * params.artifact_max_mmhg
        if self._rng.random() >= POSITIVE_SHARE:
            peak = -peak
        self._active.append(Artifact(t_s, duration, peak))
