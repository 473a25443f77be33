"""Stored rows to the record's plain values (the parts that need no extra query)."""

from __future__ import annotations

from typing import TypeVar

from station.persistence.base import IdMixin
from station.persistence.delivery import Infusion, TitrationStep
from station.persistence.observations import VitalSigns
from station.persistence.orders import Order
from station.persistence.people import Patient
from station.records.visit_record import (
    InfusionPart,
    OrderPart,
    PatientPart,
    SegmentRow,
    TitrationRow,
    VitalsRow,
)

RowT = TypeVar("RowT", bound=IdMixin)
Names = dict[int | None, str]


def patient_part(p: Patient) -> PatientPart:
    return PatientPart(p.id, p.mrn, p.family_name, p.given_name, p.date_of_birth)


def order_part(o: Order, names: Names) -> OrderPart:
    return OrderPart(o.id, o.drug, o.dose_amount, o.dose_unit, o.diluent, o.volume_ml, o.route,
                     o.access.value.replace("_", " "), o.catheter_gauge, o.access_site,
                     o.titration_protocol, o.rate, o.rate_unit, o.verified_at,
                     names.get(o.verified_by_id, ""))


def infusion_part(i: Infusion, names: Names) -> InfusionPart:
    chair = i.appointment.chair
    return InfusionPart(
        i.id, i.status.value, i.pump.serial_number if i.pump else "",
        i.pump.model if i.pump else "", chair.label if chair else "", i.appointment.start_at,
        i.appointment.expected_duration_min, i.started_at, i.ended_at, i.rate_ml_h, i.vtbi_ml,
        i.library_version, i.patient_weight_kg, i.titrated, names.get(i.started_by_id, ""),
        names.get(i.completed_by_id, ""), i.observation_ends_at, i.shortfall_reason)


def segment_rows(i: Infusion) -> tuple[SegmentRow, ...]:
    return tuple(SegmentRow(s.seq, s.started_at, s.ended_at, s.rate_ml_h, s.volume_ml,
                            s.total_volume_ml) for s in i.segments)


def titration_row(s: TitrationStep, names: Names) -> TitrationRow:
    return TitrationRow(s.at, s.kind.value.replace("_", " "), s.step, s.rate_ml_h,
                        names.get(s.by_id, ""))


def vitals_row(v: VitalSigns, names: Names) -> VitalsRow:
    return VitalsRow(v.id, v.observed_at, v.systolic_mmhg, v.diastolic_mmhg, v.heart_rate_bpm,
                     v.respiratory_rate_pm, v.temperature_c, v.spo2_percent,
                     names.get(v.recorded_by_id, ""))
