"""The three line detectors of one chair, sharing one baseline, fed sample by sample."""

from __future__ import annotations

from dataclasses import dataclass, field

from station.detection.baseline import BaselineSettings, LineBaseline
from station.detection.dislodgement import DislodgementDetector, DislodgementSettings
from station.detection.infiltration import InfiltrationDetector, InfiltrationSettings
from station.detection.occlusion import OcclusionDetector, OcclusionSettings
from station.detection.resistance import ResistanceEstimate, ResistanceSettings
from station.detection.sample import Sample

STALL = "S"


@dataclass(frozen=True)
class DetectionSettings:
    """Every detector setting of one chair (per unit or per drug)."""

    baseline: BaselineSettings = field(default_factory=BaselineSettings)
    resistance: ResistanceSettings = field(default_factory=ResistanceSettings)
    occlusion: OcclusionSettings = field(default_factory=OcclusionSettings)
    dislodgement: DislodgementSettings = field(default_factory=DislodgementSettings)
    infiltration: InfiltrationSettings = field(default_factory=InfiltrationSettings)


class LineDetectors:
    """Occlusion, dislodgement and infiltration for one line: constant work per sample."""

    def __init__(self, settings: DetectionSettings | None = None) -> None:
        s = settings or DetectionSettings()
        self.baseline = LineBaseline(s.baseline, ResistanceEstimate(s.resistance))
        self.occlusion = OcclusionDetector(s.occlusion)
        self.dislodgement = DislodgementDetector(s.dislodgement)
        self.infiltration = InfiltrationDetector(s.infiltration)

    def update(self, sample: Sample) -> dict[str, bool]:
        """Feed one sample; returns whether each condition is present now."""
        self.baseline.update(sample)
        if sample.pump_alarm == STALL:
            self.occlusion.pump_stalled()
        return {
            d.name: d.update(sample, self.baseline)
            for d in (self.occlusion, self.dislodgement, self.infiltration)
        }

    def detail(self, name: str) -> str:
        """What the detector of `name` saw, for the alarm record."""
        detector = {d.name: d for d in (self.occlusion, self.dislodgement, self.infiltration)}
        return detector[name].detail
