"""The pump's mechanism: motion, dispensed volume, the line it drives and its battery.

Time-driven and protocol-free: `advance(dt)` moves the plunger at the programmed rate,
stops at the volume target (or carries on at the keep-vein-open rate), and stalls when
the line pressure reaches the occlusion limit. The protocol layer (pump.py) turns
the events it returns into prompts and alarms.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, StrEnum

import numpy as np

from devices.simulator.battery import Battery
from devices.simulator.physics import STEP_S, LineModel, LineParams
from devices.simulator.program import Direction, Program


class Motion(StrEnum):
    """What the plunger is doing; the prompt letters of the protocol."""

    INFUSING = "I"
    WITHDRAWING = "W"
    STOPPED = "S"
    PAUSED = "P"
    PURGING = "X"


class Event(Enum):
    """Something `advance` reports to the protocol layer."""

    STALLED = "stalled"  # occlusion limit reached: alarm S
    TARGET_REACHED = "target_reached"
    BATTERY_EMPTY = "battery_empty"


@dataclass(frozen=True)
class PumpSettings:
    """Pump-side settings that are not part of the host's program."""

    occlusion_limit_mmhg: float = 500.0
    kvo_rate_ml_h: float = 0.0  # 0: stop when the volume is reached, as a stock pump does
    purge_rate_ml_h: float = 600.0

    def __post_init__(self) -> None:
        if self.occlusion_limit_mmhg <= 0 or self.purge_rate_ml_h <= 0:
            raise ValueError("occlusion_limit_mmhg and purge_rate_ml_h must be positive")
        if self.kvo_rate_ml_h < 0:
            raise ValueError("kvo_rate_ml_h must not be negative")


class Mechanics:
    """One pump's plunger, counters, line model and battery."""

    def __init__(self, settings: PumpSettings, params: LineParams, rng: np.random.Generator):
        self.settings = settings
        self.program = Program()
        self.motion = Motion.STOPPED
        self.infused_ml = 0.0
        self.withdrawn_ml = 0.0
        self.phase_ml = 0.0  # dispensed since the program started; reset by a stop
        self.line = LineModel(params, rng)
        self.battery = Battery()
        self._pending_s = 0.0

    @property
    def pumping(self) -> bool:
        return self.motion in (Motion.INFUSING, Motion.WITHDRAWING, Motion.PURGING)

    def flow_ml_h(self) -> float:
        """Signed plunger flow now: positive into the patient."""
        if self.motion is Motion.PURGING:
            return self.settings.purge_rate_ml_h
        if self.motion not in (Motion.INFUSING, Motion.WITHDRAWING):
            return 0.0
        target = self.program.target_ml
        rate = self.program.rate_ml_h
        if target is not None and self.phase_ml >= target:
            rate = self.settings.kvo_rate_ml_h
        return -rate if self.motion is Motion.WITHDRAWING else rate

    def start(self) -> None:
        """RUN: pump in the programmed direction from where the program is."""
        infuse = self.program.direction is Direction.INFUSE
        self.motion = Motion.INFUSING if infuse else Motion.WITHDRAWING

    def stop(self) -> None:
        """STP semantics (docs/protocol-notes.md): pause, then stop."""
        if self.pumping and self.motion is not Motion.PURGING:
            self.motion = Motion.PAUSED
        else:
            self.motion = Motion.STOPPED
            self.phase_ml = 0.0

    def halt(self) -> None:
        """A stall or a time-out: stop pumping, keep the program where it was."""
        if self.pumping:
            self.motion = Motion.PAUSED if self.motion is not Motion.PURGING else Motion.STOPPED

    def advance(self, dt_s: float) -> list[Event]:
        """Integrate `dt_s` simulated seconds on the model's fixed step."""
        events: list[Event] = []
        self._pending_s += dt_s
        while self._pending_s >= STEP_S:
            self._pending_s -= STEP_S
            events.extend(self._step())
        return events

    def _step(self) -> list[Event]:
        events: list[Event] = []
        flow = self.flow_ml_h()
        volume = abs(flow) * STEP_S / 3600.0
        target = self.program.target_ml
        reached = (
            target is not None
            and self.motion in (Motion.INFUSING, Motion.WITHDRAWING)
            and self.phase_ml < target <= self.phase_ml + volume
        )
        if reached and target is not None:
            fraction = (target - self.phase_ml) / volume
            flow, volume = flow * fraction, target - self.phase_ml
        self._count(flow, volume)
        self.line.advance(STEP_S, flow)
        self.battery.advance(STEP_S, self.pumping)
        if reached:
            events.append(Event.TARGET_REACHED)
            if self.settings.kvo_rate_ml_h <= 0:
                self.motion, self.phase_ml = Motion.STOPPED, 0.0
        if self.pumping and self.line.state.pressure_mmhg >= self.settings.occlusion_limit_mmhg:
            self.halt()
            events.append(Event.STALLED)
        if self.battery.empty:
            events.append(Event.BATTERY_EMPTY)
        return events

    def _count(self, flow: float, volume: float) -> None:
        if flow > 0:
            self.infused_ml += volume
        elif flow < 0:
            self.withdrawn_ml += volume
        if self.motion is not Motion.PURGING:
            self.phase_ml += volume
