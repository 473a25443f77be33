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


class Infusion(IdMixin, Base):
    """One administration of an order on one pump."""

    __tablename__ = "infusions"

    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id"), index=True)
    appointment_id: Mapped[int] = mapped_column(sa.ForeignKey("appointments.id"), index=True)
    pump_id: Mapped[int | None] = mapped_column(sa.ForeignKey("pumps.id"))
    dose_preparation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("dose_preparations.id"))
    started_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    status: Mapped[InfusionStatus] = mapped_column(
        enum_column(InfusionStatus), default=InfusionStatus.PLANNED
    )
    order: Mapped[Order] = relationship(lazy="joined")
    appointment: Mapped[Appointment] = relationship(lazy="joined")
    pump: Mapped[Pump | None] = relationship(lazy="joined")
    segments: Mapped[list[DeliverySegment]] = relationship(
        back_populates="infusion", order_by="DeliverySegment.seq", lazy="selectin"
    )


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
