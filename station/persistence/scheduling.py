"""Referrals, insurance authorisations, chairs and appointments."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from station.persistence.base import Base, IdMixin, enum_column
from station.persistence.people import Patient


class Referral(IdMixin, Base):
    """A referral to the infusion centre; it must be verified before a first infusion."""

    __tablename__ = "referrals"

    patient_id: Mapped[int] = mapped_column(sa.ForeignKey("patients.id"), index=True)
    referring_provider: Mapped[str] = mapped_column(sa.String(128))
    received_at: Mapped[datetime]
    verified_at: Mapped[datetime | None]
    verified_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))


class AuthorisationStatus(enum.Enum):
    """State of an insurer's prior authorisation."""

    PENDING = "pending"
    APPROVED = "approved"
    DENIED = "denied"
    EXPIRED = "expired"


class InsuranceAuthorisation(IdMixin, Base):
    """An insurer's prior authorisation for a patient's treatment."""

    __tablename__ = "insurance_authorisations"

    patient_id: Mapped[int] = mapped_column(sa.ForeignKey("patients.id"), index=True)
    payer: Mapped[str] = mapped_column(sa.String(128))
    number: Mapped[str] = mapped_column(sa.String(64))
    valid_from: Mapped[date]
    valid_to: Mapped[date]
    status: Mapped[AuthorisationStatus] = mapped_column(enum_column(AuthorisationStatus))


class Chair(IdMixin, Base):
    """A treatment chair (recliner) of the centre."""

    __tablename__ = "chairs"

    label: Mapped[str] = mapped_column(sa.String(32), unique=True)
    private_room: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)


class AppointmentStatus(enum.Enum):
    """Life cycle of an appointment, from booking to the end of observation."""

    BOOKED = "booked"
    CHECKED_IN = "checked_in"
    IN_CHAIR = "in_chair"
    INFUSING = "infusing"
    OBSERVATION = "observation"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"


class Appointment(IdMixin, Base):
    """A booked infusion slot: every infusion has one; there are no walk-ins."""

    __tablename__ = "appointments"
    __table_args__ = (sa.Index("ix_appointments_chair_start", "chair_id", "start_at"),)

    patient_id: Mapped[int] = mapped_column(sa.ForeignKey("patients.id"), index=True)
    chair_id: Mapped[int | None] = mapped_column(sa.ForeignKey("chairs.id"))
    start_at: Mapped[datetime] = mapped_column(index=True)
    expected_duration_min: Mapped[int]
    wants_private_room: Mapped[bool] = mapped_column(default=False)
    with_companion: Mapped[bool] = mapped_column(default=False)
    requests_note: Mapped[str] = mapped_column(sa.String(500), default="")
    status: Mapped[AppointmentStatus] = mapped_column(
        enum_column(AppointmentStatus), default=AppointmentStatus.BOOKED
    )
    patient: Mapped[Patient] = relationship(lazy="joined")
    chair: Mapped[Chair | None] = relationship(lazy="joined")
