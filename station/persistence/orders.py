"""Infusion orders, their pre-medications and the preparation of each dose."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from station.persistence.base import Base, IdMixin, enum_column
from station.persistence.people import Patient
from station.persistence.scheduling import Appointment


class VascularAccess(enum.Enum):
    """Kind of vascular access the order prescribes."""

    PERIPHERAL = "peripheral"
    CENTRAL_LINE = "central_line"


class Order(IdMixin, Base):
    """A physician's infusion order for one appointment.

    ``rate``/``rate_unit`` are set for fixed-rate orders (NULL: the drug's titration
    protocol gives the rate); ``patient_weight_kg`` is needed for per-kg rates.
    """

    __tablename__ = "orders"
    __table_args__ = (
        sa.CheckConstraint("(rate IS NULL) = (rate_unit IS NULL)", name="rate_with_unit"),
    )

    patient_id: Mapped[int] = mapped_column(sa.ForeignKey("patients.id"), index=True)
    appointment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("appointments.id"), index=True)
    ordered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    ordered_at: Mapped[datetime]
    drug: Mapped[str] = mapped_column(sa.String(128))
    dose_amount: Mapped[float]
    dose_unit: Mapped[str] = mapped_column(sa.String(16))
    diluent: Mapped[str] = mapped_column(sa.String(64))
    volume_ml: Mapped[float]
    route: Mapped[str] = mapped_column(sa.String(16), default="IV")
    access: Mapped[VascularAccess] = mapped_column(enum_column(VascularAccess))
    catheter_gauge: Mapped[int | None]
    access_site: Mapped[str] = mapped_column(sa.String(64), default="")
    # Key into the drug library's titration protocols (station.domain), not a copy.
    titration_protocol: Mapped[str] = mapped_column(sa.String(64))
    observation_min: Mapped[int]
    site_check_interval_min: Mapped[int]
    # A library rate unit as spelled there ("mL/h", "mL/kg/min"); services convert.
    rate: Mapped[float | None]
    rate_unit: Mapped[str | None] = mapped_column(sa.String(16))
    patient_weight_kg: Mapped[float | None]
    # Pharmacist or physician verification; NULL until verified.
    verified_at: Mapped[datetime | None]
    verified_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    patient: Mapped[Patient] = relationship(lazy="joined")
    appointment: Mapped[Appointment | None] = relationship(lazy="joined")
    premedications: Mapped[list[PreMedication]] = relationship(
        back_populates="order", cascade="all, delete-orphan", lazy="selectin"
    )


class PreMedication(IdMixin, Base):
    """A pre-medication the order names (e.g. an antihistamine before the infusion)."""

    __tablename__ = "premedications"

    order_id: Mapped[int] = mapped_column(
        sa.ForeignKey("orders.id", ondelete="CASCADE"), index=True
    )
    drug: Mapped[str] = mapped_column(sa.String(128))
    dose: Mapped[str] = mapped_column(sa.String(64))
    route: Mapped[str] = mapped_column(sa.String(16))
    minutes_before: Mapped[int] = mapped_column(default=30)
    order: Mapped[Order] = relationship(back_populates="premedications")


class DosePreparation(IdMixin, Base):
    """The compounded dose for an order: when, which lot, until when, checked by whom."""

    __tablename__ = "dose_preparations"

    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id"), index=True)
    compounded_at: Mapped[datetime]
    lot: Mapped[str] = mapped_column(sa.String(64))
    beyond_use_at: Mapped[datetime]
    checked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
