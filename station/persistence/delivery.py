"""Pumps, infusions, their delivery segments and pauses."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from station.persistence.base import Base, IdMixin, enum_column
from station.persistence.orders import Order
from station.persistence.scheduling import Appointment


class Pump(IdMixin, Base):
    """An infusion pump the station talks to, reachable at a port URL."""

    __tablename__ = "pumps"

    port_url: Mapped[str] = mapped_column(sa.String(256))
    model: Mapped[str] = mapped_column(sa.String(64))
    serial_number: Mapped[str] = mapped_column(sa.String(64), unique=True)


class InfusionStatus(enum.Enum):
    """Coarse state of an infusion; the event log holds the detail."""

    PLANNED = "planned"
    RUNNING = "running"
    PAUSED = "paused"
    COMPLETED = "completed"
    ABORTED = "aborted"


# Backs the pump row lock of the services: at most one running or paused infusion per
# pump, whatever a second station or process does at the same moment.
ACTIVE_ON_PUMP = "status IN ('running', 'paused')"


class Infusion(IdMixin, Base):
    """One administration of an order on one pump, with the program the pump was sent.

    ``titrated`` says whether the drug's titration protocol sets the rate (no fixed rate
    in the order or given at the start); ``patient_weight_kg`` is the weight the program
    used. ``observation_ends_at`` and ``shortfall_reason`` are set at completion.
    """

    __tablename__ = "infusions"
    __table_args__ = (
        sa.Index("uq_infusions_active_pump", "pump_id", unique=True,
                 sqlite_where=sa.text(ACTIVE_ON_PUMP), postgresql_where=sa.text(ACTIVE_ON_PUMP)),
    )

    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id"), index=True)
    appointment_id: Mapped[int] = mapped_column(sa.ForeignKey("appointments.id"), index=True)
    pump_id: Mapped[int | None] = mapped_column(sa.ForeignKey("pumps.id"))
    dose_preparation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("dose_preparations.id"))
    started_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    status: Mapped[InfusionStatus] = mapped_column(
        enum_column(InfusionStatus), default=InfusionStatus.PLANNED
    )
    rate_ml_h: Mapped[float | None]
    vtbi_ml: Mapped[float | None]
    library_version: Mapped[str | None] = mapped_column(sa.String(64))
    patient_weight_kg: Mapped[float | None]
    titrated: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    started_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    completed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    observation_ends_at: Mapped[datetime | None]
    shortfall_reason: Mapped[str] = mapped_column(sa.String(200), default="",
                                                  server_default="")
    order: Mapped[Order] = relationship(lazy="joined")
    appointment: Mapped[Appointment] = relationship(lazy="joined")
    pump: Mapped[Pump | None] = relationship(lazy="joined")
    segments: Mapped[list[DeliverySegment]] = relationship(
        back_populates="infusion", order_by="DeliverySegment.seq", lazy="selectin"
    )


class SoftLimitOverride(IdMixin, Base):
    """A soft limit of the drug library crossed at programming, and the nurse's reason."""

    __tablename__ = "soft_limit_overrides"

    infusion_id: Mapped[int] = mapped_column(sa.ForeignKey("infusions.id"), index=True)
    at: Mapped[datetime]
    by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    drug: Mapped[str] = mapped_column(sa.String(128))
    zone: Mapped[str] = mapped_column(sa.String(32))  # e.g. "above the soft maximum"
    value: Mapped[float]  # the programmed rate, in the limit's unit
    limit: Mapped[float]
    unit: Mapped[str] = mapped_column(sa.String(16))  # the library's rate unit, e.g. "mL/h"
    reason: Mapped[str] = mapped_column(sa.String(500))


class DeliverySegment(IdMixin, Base):
    """A span of delivery between a Delivery Start and a Stop or Complete event."""

    __tablename__ = "delivery_segments"
    __table_args__ = (sa.UniqueConstraint("infusion_id", "seq"),)

    infusion_id: Mapped[int] = mapped_column(sa.ForeignKey("infusions.id"))
    seq: Mapped[int]
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    rate_ml_h: Mapped[float]
    volume_ml: Mapped[float | None]
    total_volume_ml: Mapped[float | None]
    infusion: Mapped[Infusion] = relationship(back_populates="segments")


class Pause(IdMixin, Base):
    """A pause of an infusion by staff (bathroom break, meal, reaction) and its end."""

    __tablename__ = "pauses"

    infusion_id: Mapped[int] = mapped_column(sa.ForeignKey("infusions.id"), index=True)
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    reason: Mapped[str] = mapped_column(sa.String(64))
    needs_walking_help: Mapped[bool] = mapped_column(default=False)
    started_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    ended_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(sa.String(500), default="", server_default="")
    rate_before_ml_h: Mapped[float | None]
    # Set on resuming: "same rate" / "half rate", the rate it resumed at, and whether
    # the pause was for a reaction (a titrated drug then holds the halved rate).
    resume_mode: Mapped[str | None] = mapped_column(sa.String(16))
    resumed_rate_ml_h: Mapped[float | None]
    resumed_after_reaction: Mapped[bool] = mapped_column(default=False,
                                                         server_default=sa.false())


class TitrationChangeKind(enum.Enum):
    """Why a titrated infusion's rate changed while running."""

    STEP_CONFIRMED = "step_confirmed"  # the nurse set the pump to the next step
    RATE_HALVED = "rate_halved"  # halved for a side effect (the rate is then held)


class TitrationStep(IdMixin, Base):
    """A confirmed titration step or a halving of a titrated infusion, in order."""

    __tablename__ = "titration_steps"

    infusion_id: Mapped[int] = mapped_column(sa.ForeignKey("infusions.id"), index=True)
    kind: Mapped[TitrationChangeKind] = mapped_column(enum_column(TitrationChangeKind))
    at: Mapped[datetime]
    step: Mapped[int | None]  # the protocol step number (confirmed steps)
    rate_ml_h: Mapped[float]
    vitals_taken_at: Mapped[datetime | None]
    by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
