"""Line samples from fast pressure reads between the pump's full polls.

The station reads the whole pump state (rate, volume, pressure, conditions) about once
a second and the pressure alone about ten times a second: the dislodgement detector
needs the step's edge, a fraction of a second long (step_edge.py). Each fast read
becomes a full `Sample` here, with the rate of the last full poll and the volume it
reported carried forward at that rate, and the status of the read's own reply. The
monitoring service and the benchmark's station-sampled corpus both build their
samples this way, so the benchmark measures what the station sees.
"""

from __future__ import annotations

from station.detection.sample import INFUSING, Sample

# Past this, the last full poll is too old to lend its rate: the volume is held.
MAX_CARRY_S = 5.0


class PressureBetweenPolls:
    """Fills the fast pressure reads of one pump from its last full poll."""

    def __init__(self) -> None:
        self._polled: Sample | None = None

    def polled(self, sample: Sample) -> Sample:
        """A full poll: remembered, and passed on as it is."""
        self._polled = sample
        return sample

    def read(self, time_s: float, pressure_mmhg: float, status: str) -> Sample | None:
        """A fast read; None before the first full poll (no rate to go with it)."""
        last = self._polled
        if last is None:
            return None
        volume = last.volume_ml
        elapsed = time_s - last.time_s
        if last.infusing and status == INFUSING and 0 < elapsed <= MAX_CARRY_S:
            volume += last.rate_ml_h * elapsed / 3600.0
        return Sample(time_s, last.rate_ml_h, volume, pressure_mmhg, status)
