"""The drug library as typed values. Loaded from TOML by :mod:`drug_library_loader`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from station.domain.units import Rate, RateUnit


@dataclass(frozen=True)
class RateLimits:
    """ISMP-style limits in the drug's rate unit: soft ones can be overridden with a reason."""

    unit: RateUnit
    hard_min: float
    hard_max: float
    soft_min: float | None = None
    soft_max: float | None = None


@dataclass(frozen=True)
class TitrationStepSpec:
    """One step of a protocol; ``duration`` None means "until the volume is in"."""

    rate: Rate
    duration: timedelta | None


@dataclass(frozen=True)
class TitrationProtocol:
    """The labelled rate schedule of a drug, with where it comes from."""

    steps: tuple[TitrationStepSpec, ...]
    source: str
    minimum_duration: timedelta | None = None
    vitals_at_each_step: bool = False
    # Ocrevus: after a reaction, half rate for at least this long before going up again.
    reaction_hold: timedelta | None = None


@dataclass(frozen=True)
class Premedication:
    """A pre-medication the protocol names, and how long before the start it is given."""

    name: str
    dose: str
    required: bool
    min_before: timedelta | None = None
    max_before: timedelta | None = None


@dataclass(frozen=True)
class MonitoringIntervals:
    """Timers the station runs for an infusion: site checks, vitals, pause reminders."""

    site_check: timedelta
    vital_signs: timedelta
    pause_alarm_medium: timedelta
    pause_alarm_high: timedelta


@dataclass(frozen=True)
class MonitoringOverrides:
    """The subset of :class:`MonitoringIntervals` a drug or a care unit sets itself."""

    site_check: timedelta | None = None
    vital_signs: timedelta | None = None
    pause_alarm_medium: timedelta | None = None
    pause_alarm_high: timedelta | None = None


@dataclass(frozen=True)
class AlarmTiming:
    """The unit's alarm timings the library sets (``[alarm_timing]``); the station's
    built-in defaults apply to what it leaves out."""

    audio_pause: timedelta | None = None
    escalate_after: Mapping[str, timedelta] = field(default_factory=dict)  # by condition


@dataclass(frozen=True)
class Drug:
    """One library entry (a drug and regimen, e.g. ocrelizumab first dose)."""

    id: str
    name: str
    limits: RateLimits
    titration: TitrationProtocol | None
    observation: timedelta
    filter_required: bool
    filter: str
    source: str
    premedications: tuple[Premedication, ...] = ()
    monitoring: MonitoringOverrides = field(default_factory=MonitoringOverrides)

    @property
    def rate_unit(self) -> RateUnit:
        return self.limits.unit


def _shorter(a: timedelta | None, b: timedelta | None, default: timedelta) -> timedelta:
    # Both a drug and a unit set it: the shorter interval is the safer one.
    values = [v for v in (a, b) if v is not None]
    return min(values) if values else default


@dataclass(frozen=True)
class DrugLibrary:
    """A validated, versioned drug library."""

    version: str
    schema: int
    effective: date
    defaults: MonitoringIntervals
    drugs: tuple[Drug, ...]
    units: Mapping[str, MonitoringOverrides] = field(default_factory=dict)
    sedating_medications: tuple[str, ...] = ()
    alarm_timing: AlarmTiming = field(default_factory=AlarmTiming)

    def find(self, drug_id: str) -> Drug | None:
        return next((d for d in self.drugs if d.id == drug_id), None)

    def drug(self, drug_id: str) -> Drug:
        found = self.find(drug_id)
        if found is None:
            raise KeyError(f"drug {drug_id!r} is not in drug library {self.version}")
        return found

    def monitoring(self, drug_id: str, unit: str | None = None) -> MonitoringIntervals:
        """Intervals for a drug in a unit: drug or unit value (shorter wins), else default."""
        d = self.drug(drug_id).monitoring
        u = self.units.get(unit, MonitoringOverrides()) if unit else MonitoringOverrides()
        base = self.defaults
        # The loader checks that every drug x unit merge keeps high after medium.
        return MonitoringIntervals(
            site_check=_shorter(d.site_check, u.site_check, base.site_check),
            vital_signs=_shorter(d.vital_signs, u.vital_signs, base.vital_signs),
            pause_alarm_medium=_shorter(
                d.pause_alarm_medium, u.pause_alarm_medium, base.pause_alarm_medium
            ),
            pause_alarm_high=_shorter(
                d.pause_alarm_high, u.pause_alarm_high, base.pause_alarm_high
            ),
        )
