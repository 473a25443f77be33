"""Puts faults into one simulated pump and takes them out again, on time."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from devices.simulator.faults import INSTANT_FAULTS, Fault, FaultError, FaultKind
from devices.simulator.link import LinkFaults
from devices.simulator.physics import LineModel
from devices.simulator.pump import SimulatedPump


def apply_physical(line: LineModel, fault: Fault, present: bool) -> None:
    """Set or remove a physical fault on a line model (also used offline)."""
    faults = line.faults
    kind = fault.kind
    if kind is FaultKind.OCCLUSION:
        faults.occlusion_severity = fault.number("severity") if present else 0.0
    elif kind is FaultKind.DISLODGEMENT:
        faults.dislodged = present
    elif kind is FaultKind.INFILTRATION:
        faults.infiltration_fraction = fault.number("fraction") if present else 0.0
        if not present:
            line.state.tissue_volume_ml = 0.0  # a new cannula in a fresh site
    elif kind is FaultKind.AIR_IN_LINE:
        faults.air_in_line = present
    else:
        raise FaultError(f"{kind.value} is not a physical fault")


@dataclass
class ActiveFault:
    """A fault in place, and when it ends (simulated seconds), if it does."""

    fault: Fault
    ends_at: float | None


class FaultInjector:
    """The faults present on one pump and its link."""

    def __init__(self, pump: SimulatedPump, link: LinkFaults) -> None:
        self.pump = pump
        self.link = link
        self.active: dict[FaultKind, ActiveFault] = {}
        self._power_on_at: float | None = None

    def inject(self, fault: Fault, duration_s: float | None = None) -> None:
        """Start a fault now (replacing one of the same kind); it ends after `duration_s`."""
        if duration_s is not None and duration_s <= 0:
            raise FaultError(f"{fault.kind.value}: duration_s must be positive")
        now = self.pump.clock.now()
        if fault.kind in INSTANT_FAULTS:
            self._power_cycle(fault.number("off_s"), now)
            return
        ends_at = None if duration_s is None else now + duration_s
        self.active[fault.kind] = ActiveFault(fault, ends_at)
        self._set(fault, present=True)

    def clear(self, kind: FaultKind | None = None) -> None:
        """End one fault, or every fault when `kind` is None."""
        kinds = list(self.active) if kind is None else [kind]
        for each in kinds:
            entry = self.active.pop(each, None)
            if entry is not None:
                self._set(entry.fault, present=False)

    def poll(self) -> None:
        """End faults whose duration is over; power up after a timed power cycle."""
        now = self.pump.clock.now()
        for kind, entry in list(self.active.items()):
            if entry.ends_at is not None and now >= entry.ends_at:
                self.clear(kind)
        if self._power_on_at is not None and now >= self._power_on_at:
            self._power_on_at = None
            self.pump.power_on()

    def describe(self) -> dict[str, Any]:
        """The active faults and their parameters, for the control socket."""
        return {
            kind.value: {**entry.fault.params, "ends_at_s": entry.ends_at}
            for kind, entry in self.active.items()
        }

    def _power_cycle(self, off_s: float, now: float) -> None:
        if off_s <= 0:
            self.pump.power_cycle()
        else:
            self.pump.power_off()
            self._power_on_at = now + off_s

    def _set(self, fault: Fault, present: bool) -> None:
        kind, pump = fault.kind, self.pump
        pump.advance()  # the fault starts now, not at the last tick
        if kind is FaultKind.LOW_BATTERY:
            battery = pump.mechanics.battery
            if present:
                battery.run_on_battery(fault.number("level_percent"),
                                       fault.number("drain_percent_per_h"))
            else:
                battery.plug_in()
                if not pump.powered and self._power_on_at is None:
                    pump.power_on()
        elif kind is FaultKind.PULLED_CABLE:
            self.link.pulled = fault.text("mode") if present else None
        elif kind is FaultKind.GARBLED:
            self.link.garble_probability = fault.number("probability") if present else 0.0
        elif kind is FaultKind.SLOW_REPLIES:
            self.link.delay_s = fault.number("delay_s") if present else 0.0
        else:
            apply_physical(pump.mechanics.line, fault, present)
