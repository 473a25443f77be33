"""The pump's samples against the stored program: near end, complete, KVO, rate mismatch.

Level conditions, set or cleared on every sample, so each is raised once and ends by
itself (the table keeps them unlatched and low priority, except `rate_mismatch`).
The pump reports its programmed rate (`RAT`), not the keep-vein-open flow, so KVO is
"still infusing after the volume was reached". The pump's volume counter is taken as
the infusion's: the services clear it (`CLD`) when they start one.
"""

from __future__ import annotations

from devices.driver import Sample
from devices.protocol import Prompt
from station.alarms import ChairAlarms
from station.domain.refusals import say_number
from station.domain.titration import check_pump_rate
from station.monitoring.config import MonitorSettings
from station.monitoring.program import InfusionProgram

VOLUME_NEAR_END = "volume_near_end"
VOLUME_COMPLETE = "volume_complete"
KVO_RUNNING = "kvo_running"
RATE_MISMATCH = "rate_mismatch"
# The pump shows the volume to 0.01 mL at best: closer than that to the VTBI is reached.
VOLUME_RESOLUTION_ML = 0.01


class ProgramWatch:
    """Sets one chair's programme conditions from each sample and the bound programme."""

    def __init__(self, alarms: ChairAlarms, settings: MonitorSettings) -> None:
        self._alarms = alarms
        self._settings = settings
        self._mismatched = 0  # consecutive infusing samples off the expected rate

    def feed(self, sample: Sample, program: InfusionProgram | None) -> None:
        vtbi = None if program is None else program.vtbi_ml
        complete = self._volume(sample, vtbi)
        expected = None if program is None else program.expected_rate_ml_h
        self._rate(sample, expected, complete)

    def unbound(self) -> None:
        """No infusion on the pump any more: none of these conditions applies."""
        self._mismatched = 0
        for name in (VOLUME_NEAR_END, VOLUME_COMPLETE, KVO_RUNNING, RATE_MISMATCH):
            self._alarms.clear_condition(name)

    def _volume(self, sample: Sample, vtbi: float | None) -> bool:
        """Near end, complete and KVO from the volume given; True once the VTBI is reached."""
        if vtbi is None or vtbi <= 0:
            for name in (VOLUME_NEAR_END, VOLUME_COMPLETE, KVO_RUNNING):
                self._alarms.clear_condition(name)
            return False
        left = vtbi - sample.volume_ml
        complete = left <= VOLUME_RESOLUTION_ML
        given = f"{say_number(sample.volume_ml, 2)} of {say_number(vtbi, 2)} mL given"
        near = not complete and left <= self._near_end_ml(vtbi, sample.rate_ml_h)
        self._alarms.set_condition(VOLUME_NEAR_END, near,
                                   detail=f"{given}, {say_number(left, 2)} mL left")
        self._alarms.set_condition(VOLUME_COMPLETE, complete, detail=given)
        infusing = sample.status is Prompt.INFUSING
        self._alarms.set_condition(KVO_RUNNING, complete and infusing,
                                   detail=f"{given}; the pump still infuses")
        return complete

    def _near_end_ml(self, vtbi: float, rate_ml_h: float) -> float:
        """Remaining volume under which the end is near: a share of the VTBI, or the
        time left at the current rate, whichever is more."""
        by_share = vtbi * self._settings.near_end_fraction
        by_time = max(rate_ml_h, 0.0) * self._settings.near_end_s / 3600.0
        return max(by_share, by_time)

    def _rate(self, sample: Sample, expected: float | None, complete: bool) -> None:
        # Only a pump infusing its programme is checked: stopped, paused or at KVO it is
        # not delivering the step, and other conditions say so.
        if expected is None or complete or sample.status is not Prompt.INFUSING:
            self._mismatched = 0
            self._alarms.clear_condition(RATE_MISMATCH)
            return
        check = check_pump_rate(expected, sample.rate_ml_h)
        if check.ok:
            self._mismatched = 0
            self._alarms.clear_condition(RATE_MISMATCH)
            return
        # Debounced: a step being sent to the pump takes a sample or two to show.
        self._mismatched += 1
        if self._mismatched >= self._settings.rate_mismatch_samples:
            self._alarms.raise_condition(RATE_MISMATCH, detail=check.message)
