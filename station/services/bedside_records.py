"""Vital signs and site checks: domain values to stored rows and back."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from station.domain.site_assessment import InfiltrationGrade, SiteAssessment
from station.domain.vital_signs import VitalSign, VitalSignsRecord
from station.persistence import observations as rows
from station.services.context import ServiceContext
from station.services.lookups import user_name
from station.services.store import audit

SITE_ASSESSED = "site.assessed"

# Stored column of each vital sign (integers except temperature, as the table has them).
_COLUMNS = {
    VitalSign.SYSTOLIC_BP: "systolic_mmhg",
    VitalSign.DIASTOLIC_BP: "diastolic_mmhg",
    VitalSign.HEART_RATE: "heart_rate_bpm",
    VitalSign.RESPIRATORY_RATE: "respiratory_rate_pm",
    VitalSign.TEMPERATURE: "temperature_c",
    VitalSign.SPO2: "spo2_percent",
}


def vitals_row(
    record: VitalSignsRecord, ctx: ServiceContext, appointment_id: int, infusion_id: int | None
) -> rows.VitalSigns:
    """The row for an accepted set of vital signs."""
    values = {
        _COLUMNS[sign]: (value if sign is VitalSign.TEMPERATURE else round(value))
        for sign, value in record.values.items()
    }
    return rows.VitalSigns(appointment_id=appointment_id, infusion_id=infusion_id,
                           observed_at=record.taken_at, recorded_by_id=ctx.actor.user_id,
                           **values)


def vitals_record(session: Session, row: rows.VitalSigns) -> VitalSignsRecord:
    """A stored row as the domain's record."""
    values = {sign: float(getattr(row, column)) for sign, column in _COLUMNS.items()
              if getattr(row, column) is not None}
    return VitalSignsRecord(row.observed_at, user_name(session, row.recorded_by_id), values)


def latest_vitals(session: Session, appointment_id: int) -> rows.VitalSigns | None:
    """The most recent vital signs of an appointment (by the time they were taken)."""
    return session.scalars(
        sa.select(rows.VitalSigns).where(rows.VitalSigns.appointment_id == appointment_id)
        .order_by(rows.VitalSigns.observed_at.desc(), rows.VitalSigns.id.desc())
    ).first()


def store_site(
    session: Session, ctx: ServiceContext, assessment: SiteAssessment, *,
    appointment_id: int, infusion_id: int | None, site: str,
) -> rows.SiteAssessment:
    """Add the row of an accepted site check and its audit entry."""
    row = rows.SiteAssessment(
        appointment_id=appointment_id, infusion_id=infusion_id,
        observed_at=assessment.assessed_at, recorded_by_id=ctx.actor.user_id, site=site[:64],
        infiltration_grade=int(assessment.grade), extent_cm=assessment.extent_cm,
        dressing_intact=assessment.dressing_intact, note=assessment.note[:500],
    )
    session.add(row)
    session.flush()
    audit(session, ctx, SITE_ASSESSED, row,
          {"dressing_intact": assessment.dressing_intact, "grade": int(assessment.grade),
           "extent_cm": assessment.extent_cm})
    return row


def site_assessment(session: Session, row: rows.SiteAssessment) -> SiteAssessment:
    """A stored site check as the domain's value."""
    return SiteAssessment(row.observed_at, user_name(session, row.recorded_by_id),
                          InfiltrationGrade(row.infiltration_grade), row.extent_cm or 0.0,
                          row.dressing_intact, row.note)


def latest_site(session: Session, appointment_id: int) -> rows.SiteAssessment | None:
    """The most recent site check of an appointment."""
    return session.scalars(
        sa.select(rows.SiteAssessment).where(rows.SiteAssessment.appointment_id == appointment_id)
        .order_by(rows.SiteAssessment.observed_at.desc(), rows.SiteAssessment.id.desc())
    ).first()
