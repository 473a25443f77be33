"""Physical model of one pump's downstream line and the patient at its end.

The line is a compliance C (mL/mmHg) filled by the pump's flow Q_pump and drained
through a resistance R (mmHg per mL/h) into a back-pressure P_base:

    C dP/dt = Q_pump - (P - P_base) / R

so that in steady flow P = P_base + R x Q_pump. P_base is the venous pressure plus the
hydrostatic height of the insertion site. Faults change R and P_base (see
docs/simulator.md); an occlusion makes R very large, so P climbs at Q_pump / C until
the pump's limit. The sensed pressure adds motor ripple, sensor noise and movement
artifacts to P. Time advances on a fixed grid (`STEP_S`) whatever the caller's chunks,
so a run is reproducible from its seed and its flow history.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields, replace

import numpy as np

from devices.simulator.artifacts import MovementArtifacts

STEP_S = 0.05
CM_H2O_TO_MMHG = 0.73556
SECONDS_PER_HOUR = 3600.0
# An occlusion of severity 1 multiplies R by this: the line is, for the model, closed.
COMPLETE_OCCLUSION_FACTOR = 1.0e6


@dataclass(frozen=True)
class LineParams:
    """Parameters of the line, the catheter and the patient (units in the names)."""

    venous_mmhg: float = 9.0
    site_height_cm: float = 0.0  # insertion site above the pump's sensor; H2O column
    catheter_resistance_mmhg_per_ml_h: float = 0.06
    compliance_ml_per_mmhg: float = 0.002
    ripple_mmhg: float = 0.8
    ripple_cycles_per_ml: float = 20.0
    noise_sd_mmhg: float = 0.4
    artifact_rate_per_h: float = 0.0
    artifact_max_mmhg: float = 40.0
    artifact_max_s: float = 60.0
    tissue_baseline_mmhg: float = 2.0
    tissue_stiffness_mmhg_per_ml: float = 0.6
    infiltration_resistance_per_ml: float = 0.05
    dislodged_resistance_factor: float = 0.2
    air_compliance_factor: float = 4.0

    def __post_init__(self) -> None:
        for name in ("catheter_resistance_mmhg_per_ml_h", "compliance_ml_per_mmhg"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive")
        for item in fields(self):
            value = getattr(self, item.name)
            if not math.isfinite(value):
                raise ValueError(f"{item.name} must be finite")
            if item.name not in ("venous_mmhg", "site_height_cm") and value < 0:
                raise ValueError(f"{item.name} must not be negative")

    def updated(self, changes: dict[str, float]) -> LineParams:
        """A copy with some parameters changed; an unknown name is a ValueError."""
        known = {item.name for item in fields(self)}
        unknown = sorted(set(changes) - known)
        if unknown:
            raise ValueError(f"unknown line parameter(s) {unknown}; known: {sorted(known)}")
        return replace(self, **{name: float(value) for name, value in changes.items()})


@dataclass
class LineFaults:
    """Physical faults currently present on the line (set by the fault layer)."""

    occlusion_severity: float = 0.0  # 0 open .. 1 closed
    dislodged: bool = False
    infiltration_fraction: float = 0.0  # share of the flow going into tissue
    air_in_line: bool = False

    def labels(self) -> list[str]:
        """Names of the faults present, for labelled traces."""
        present = [
            ("occlusion", self.occlusion_severity > 0),
            ("dislodgement", self.dislodged),
            ("infiltration", self.infiltration_fraction > 0),
            ("air_in_line", self.air_in_line),
        ]
        return [name for name, active in present if active]


@dataclass
class LineState:
    """What the model integrates."""

    time_s: float = 0.0
    pressure_mmhg: float = 0.0
    ripple_phase: float = 0.0
    noise_mmhg: float = 0.0
    tissue_volume_ml: float = 0.0
    delivered_ml: dict[str, float] = field(
        default_factory=lambda: {"vein": 0.0, "tissue": 0.0, "outside": 0.0}
    )


class LineModel:
    """The downstream line and patient of one pump, advanced by `advance(dt, flow)`."""

    def __init__(self, params: LineParams, rng: np.random.Generator) -> None:
        self.params = params
        self.faults = LineFaults()
        self._rng = rng
        self._artifacts = MovementArtifacts(rng)
        self.state = LineState()
        self.state.pressure_mmhg = self.base_pressure()
        self._pending_s = 0.0

    def base_pressure(self) -> float:
        """Back-pressure at the catheter tip seen from the sensor, mmHg."""
        p = self.params
        hydrostatic = p.site_height_cm * CM_H2O_TO_MMHG
        if self.faults.dislodged:
            return hydrostatic  # the tip drips onto the bed: atmospheric
        share = self.faults.infiltration_fraction
        tissue = p.tissue_baseline_mmhg + p.tissue_stiffness_mmhg_per_ml * (
            self.state.tissue_volume_ml
        )
        return hydrostatic + (1.0 - share) * p.venous_mmhg + share * tissue

    def resistance(self) -> float:
        """Resistance from the sensor to the back-pressure, mmHg per mL/h."""
        p, f = self.params, self.faults
        r = p.catheter_resistance_mmhg_per_ml_h
        if f.dislodged:
            r *= p.dislodged_resistance_factor
        if f.infiltration_fraction > 0:
            r *= 1.0 + p.infiltration_resistance_per_ml * self.state.tissue_volume_ml
        if f.occlusion_severity >= 1.0:
            r *= COMPLETE_OCCLUSION_FACTOR
        elif f.occlusion_severity > 0:
            r /= 1.0 - f.occlusion_severity
        return r

    def compliance(self) -> float:
        p = self.params
        factor = p.air_compliance_factor if self.faults.air_in_line else 1.0
        return p.compliance_ml_per_mmhg * max(factor, 1e-6)

    def advance(self, dt_s: float, flow_ml_h: float) -> None:
        """Integrate `dt_s` seconds at pump flow `flow_ml_h` (negative: withdrawing)."""
        self._pending_s += dt_s
        while self._pending_s >= STEP_S:
            self._pending_s -= STEP_S
            self._step(flow_ml_h)

    def sensed_pressure(self) -> float:
        """What the pump's downstream sensor reads now, mmHg."""
        p, s = self.params, self.state
        ripple = p.ripple_mmhg * math.sin(2.0 * math.pi * s.ripple_phase)
        return s.pressure_mmhg + ripple + s.noise_mmhg + self._artifacts.value(s.time_s)

    def _step(self, flow_ml_h: float) -> None:
        p, s = self.params, self.state
        base, r, c = self.base_pressure(), self.resistance(), self.compliance()
        # Exact solution of the linear ODE over one step: stable for any R and C.
        tau_s = r * c * SECONDS_PER_HOUR
        target = base + r * flow_ml_h
        previous = s.pressure_mmhg
        s.pressure_mmhg += (target - previous) * -math.expm1(-STEP_S / tau_s)
        stored_ml = (s.pressure_mmhg - previous) * c
        out_ml = flow_ml_h * STEP_S / SECONDS_PER_HOUR - stored_ml
        self._deliver(max(out_ml, 0.0))
        s.ripple_phase = (s.ripple_phase + abs(flow_ml_h) * STEP_S / SECONDS_PER_HOUR
                          * p.ripple_cycles_per_ml) % 1.0
        if flow_ml_h == 0:
            s.ripple_phase = 0.0
        s.noise_mmhg = float(self._rng.normal(0.0, p.noise_sd_mmhg)) if p.noise_sd_mmhg else 0.0
        s.time_s += STEP_S
        self._artifacts.maybe_start(s.time_s, STEP_S, p)

    def _deliver(self, out_ml: float) -> None:
        s, f = self.state, self.faults
        if f.dislodged:
            s.delivered_ml["outside"] += out_ml
            return
        into_tissue = out_ml * f.infiltration_fraction
        s.tissue_volume_ml += into_tissue
        s.delivered_ml["tissue"] += into_tissue
        s.delivered_ml["vein"] += out_ml - into_tissue
