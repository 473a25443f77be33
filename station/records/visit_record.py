"""One visit's record as plain, immutable values: what the documents and exports read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from station.persistence.telemetry import TelemetrySeries


@dataclass(frozen=True)
class PatientPart:
    """Who was treated: the two identifiers (name and date of birth) and the MRN."""

    patient_id: int
    mrn: str
    family_name: str
    given_name: str
    date_of_birth: date


@dataclass(frozen=True)
class OrderPart:
    """What was ordered, and who verified it."""

    order_id: int
    drug: str
    dose_amount: float
    dose_unit: str
    diluent: str
    volume_ml: float
    route: str
    access: str
    catheter_gauge: int | None
    access_site: str
    titration_protocol: str
    rate: float | None
    rate_unit: str | None
    verified_at: datetime | None
    verified_by: str


@dataclass(frozen=True)
class InfusionPart:
    """The program sent to the pump, and how the infusion ended."""

    infusion_id: int
    status: str
    pump_serial: str
    pump_model: str
    chair: str
    booked_at: datetime
    booked_minutes: int
    started_at: datetime | None
    ended_at: datetime | None
    rate_ml_h: float | None
    vtbi_ml: float | None
    library_version: str | None
    patient_weight_kg: float | None
    titrated: bool
    started_by: str
    completed_by: str
    observation_ends_at: datetime | None
    shortfall_reason: str


@dataclass(frozen=True)
class CheckRow:
    """A pre-start check: a checklist sign-off or a pre-medication given."""

    at: datetime
    what: str
    detail: str
    by: str


@dataclass(frozen=True)
class SegmentRow:
    """One run of the pump at one rate, with its volume and the running total."""

    seq: int
    started_at: datetime
    ended_at: datetime | None
    rate_ml_h: float
    volume_ml: float | None
    total_volume_ml: float | None


@dataclass(frozen=True)
class PauseRow:
    """A pause by staff, its reason and how it ended."""

    started_at: datetime
    ended_at: datetime | None
    reason: str
    note: str
    rate_before_ml_h: float | None
    resume_mode: str | None
    resumed_rate_ml_h: float | None
    walking_help: bool
    by: str

    @property
    def duration(self) -> timedelta | None:
        return None if self.ended_at is None else self.ended_at - self.started_at


@dataclass(frozen=True)
class TitrationRow:
    """A confirmed titration step or a halving."""

    at: datetime
    kind: str
    step: int | None
    rate_ml_h: float
    by: str


@dataclass(frozen=True)
class SideEffectRow:
    """A side effect with its CTCAE grade, the suggested and the taken action."""

    side_effect_id: int
    observed_at: datetime
    kind: str
    grade: int
    action_taken: str
    suggested_action: str
    deviation_reason: str
    other_text: str
    rate_ml_h: float | None
    titration_step: int | None
    reassessed_at: datetime | None
    reassessed_grade: int | None
    by: str


@dataclass(frozen=True)
class VitalsRow:
    """One set of vital signs; None where a value was not taken."""

    vitals_id: int
    observed_at: datetime
    systolic_mmhg: int | None
    diastolic_mmhg: int | None
    heart_rate_bpm: int | None
    respiratory_rate_pm: int | None
    temperature_c: float | None
    spo2_percent: int | None
    by: str


@dataclass(frozen=True)
class SiteRow:
    """A check of the IV site."""

    observed_at: datetime
    site: str
    infiltration_grade: int
    extent_cm: float | None
    dressing_intact: bool
    note: str
    by: str


@dataclass(frozen=True)
class AlarmStep:
    """One transition of an alarm."""

    at: datetime
    kind: str
    priority: str
    cause: str
    by: str


@dataclass(frozen=True)
class AlarmRow:
    """An alarm as raised, its steps, and how long until someone acknowledged it."""

    alarm_id: int
    code: str
    priority: str
    category: str
    latching: bool
    raised_at: datetime
    cause: str
    steps: tuple[AlarmStep, ...]

    @property
    def acknowledged_at(self) -> datetime | None:
        return next((s.at for s in self.steps if s.kind == "acknowledged"), None)

    @property
    def time_to_acknowledge(self) -> timedelta | None:
        ack = self.acknowledged_at
        return None if ack is None else ack - self.raised_at

    @property
    def recorded_cause(self) -> str:
        """The cause a nurse recorded, else the cause given when raised."""
        causes = [s.cause for s in self.steps if s.kind == "cause_recorded" and s.cause]
        return causes[-1] if causes else self.cause


@dataclass(frozen=True)
class EventRow:
    """An infusion event in the IHE PCD-10 vocabulary."""

    event_id: int
    kind: str
    occurred_at: datetime
    not_delivering_reason: str | None
    reason_detail: str
    rate_ml_h: float | None
    segment_volume_ml: float | None
    total_volume_ml: float | None
    by: str


@dataclass(frozen=True)
class ActionRow:
    """An audit entry: who did what, when."""

    at: datetime
    action: str
    subject: str
    by: str


@dataclass(frozen=True)
class Totals:
    """Delivered against ordered, and the time spent delivering and paused."""

    ordered_ml: float
    delivered_ml: float
    delivering: timedelta
    paused: timedelta
    pauses: int
    alarms: int
    side_effects: int


@dataclass(frozen=True)
class VisitRecord:
    """Everything stored about one infusion visit, in time order within each part."""

    patient: PatientPart
    order: OrderPart
    infusion: InfusionPart
    checks: tuple[CheckRow, ...]
    segments: tuple[SegmentRow, ...]
    pauses: tuple[PauseRow, ...]
    titration: tuple[TitrationRow, ...]
    side_effects: tuple[SideEffectRow, ...]
    vitals: tuple[VitalsRow, ...]
    site_checks: tuple[SiteRow, ...]
    alarms: tuple[AlarmRow, ...]
    events: tuple[EventRow, ...]
    actions: tuple[ActionRow, ...]
    totals: Totals
    telemetry: TelemetrySeries
