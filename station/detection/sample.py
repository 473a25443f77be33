"""One pump sample as the detectors see it."""

from __future__ import annotations

from dataclasses import dataclass

INFUSING = "I"


@dataclass(frozen=True)
class Sample:
    """Time, flow, volume, downstream pressure (None if not reported) and status."""

    time_s: float
    rate_ml_h: float
    volume_ml: float
    pressure_mmhg: float | None
    status: str

    @property
    def infusing(self) -> bool:
        """Pumping into the patient: the only time line pressure says anything."""
        return self.status == INFUSING and self.rate_ml_h > 0

    @property
    def pump_alarm(self) -> str | None:
        """The pump's latched alarm letter (`S` for `A?S`), if any."""
        return self.status[2:] if self.status.startswith("A?") else None
