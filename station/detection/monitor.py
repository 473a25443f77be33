"""One chair's line monitoring: samples in, alarm conditions raised and cleared."""

from __future__ import annotations

from station.alarms.manager import ChairAlarms
from station.alarms.pump_status import apply_pump_status
from station.detection.chair import DetectionSettings, LineDetectors
from station.detection.sample import Sample


class LineMonitor:
    """Feeds each pump sample to the detectors and the pump status to the chair's alarms.

    The monitoring service makes one per chair and calls `feed` for every poll; the
    analyze replay does the same over a trace.
    """

    def __init__(self, chair: ChairAlarms, settings: DetectionSettings | None = None) -> None:
        self.chair = chair
        self.detectors = LineDetectors(settings)

    def feed(self, sample: Sample) -> None:
        apply_pump_status(self.chair, sample.status)
        for name, present in self.detectors.update(sample).items():
            self.chair.set_condition(name, present, detail=self.detectors.detail(name))
