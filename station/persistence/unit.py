"""A unit of several stations on one database: stations, chair leases, assignments and
acknowledgements asked for at the overview (migration 0005, docs/unit.md)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from station.persistence.base import Base, IdMixin


class UnitStation(Base):
    """A station of the unit and the last time it said it was alive."""

    __tablename__ = "unit_stations"

    name: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    host: Mapped[str] = mapped_column(sa.String(128), default="")
    started_at: Mapped[datetime]
    heartbeat_at: Mapped[datetime]


class ChairLease(Base):
    """Which station monitors a chair now; one row per chair, one holder at a time."""

    __tablename__ = "chair_leases"

    # The station's chair label (not a foreign key: a station may watch a chair that
    # the schedule does not know).
    chair_label: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    station: Mapped[str] = mapped_column(sa.ForeignKey("unit_stations.name"), index=True)
    acquired_at: Mapped[datetime]


class ChairAssignment(Base):
    """The pod a chair stands in and the nurse assigned to it for the shift."""

    __tablename__ = "chair_assignments"

    chair_id: Mapped[int] = mapped_column(sa.ForeignKey("chairs.id"), primary_key=True)
    pod: Mapped[str] = mapped_column(sa.String(32), default="")
    nurse_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))


class AckRequest(IdMixin, Base):
    """An acknowledgement asked for away from the chair's station (the overview).

    The owning station carries it out (its alarm engine stores the ACKNOWLEDGED
    transition, so every screen sees it) and writes the outcome here once.
    """

    __tablename__ = "alarm_ack_requests"
    __table_args__ = (sa.Index("ix_alarm_ack_requests_chair_open", "chair_label", "handled_at"),)

    alarm_id: Mapped[int] = mapped_column(sa.ForeignKey("alarms.id"))
    chair_label: Mapped[str] = mapped_column(sa.String(32))
    condition: Mapped[str] = mapped_column(sa.String(64))
    requested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    requested_by: Mapped[str] = mapped_column(sa.String(64))  # a name, for the record
    requested_at: Mapped[datetime]
    origin: Mapped[str] = mapped_column(sa.String(64))  # where it was asked: "overview@host"
    handled_at: Mapped[datetime | None]
    outcome: Mapped[str] = mapped_column(sa.String(200), default="")
