"""The infusion event log, in the vocabulary of the IHE PCD-10 pump events.

Each stored event maps one-to-one onto an IHE PCD-10 (IPEC) event or a FHIR
resource later; export is a mapping of these columns, not a rewrite.
"""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from station.persistence.append_only import AppendOnly
from station.persistence.base import Base, IdMixin, enum_column
from station.persistence.people import ActorMixin


class InfusionEventKind(enum.Enum):
    """The infusion-pump event vocabulary (IHE PCD-10 IPEC)."""

    DELIVERY_START = "delivery_start"
    DELIVERY_STOP = "delivery_stop"
    DELIVERY_COMPLETE = "delivery_complete"
    COMMUNICATION_STATUS_CHANGE = "communication_status_change"
    PATIENT_CHANGE = "patient_change"
    COUNTERS_CLEARED = "counters_cleared"


class NotDeliveringReason(enum.Enum):
    """Why a pump stopped delivering; our own detail goes into ``reason_detail``."""

    STOPPED_BY_CLINICIAN = "stopped_by_clinician"
    ALARM = "alarm"
    STANDBY = "standby"
    OTHER = "other"


class InfusionEvent(AppendOnly, ActorMixin, IdMixin, Base):
    """One event of an infusion or a pump, stored before anyone is told it is done.

    ``occurred_at`` is when it happened at the pump (it may arrive late, after a
    link outage); ``recorded_at`` is when the station stored it.
    """

    __tablename__ = "infusion_events"
    __table_args__ = (
        sa.Index("ix_infusion_events_infusion_occurred", "infusion_id", "occurred_at"),
        sa.CheckConstraint(
            "kind <> 'delivery_stop' OR not_delivering_reason IS NOT NULL",
            name="stop_has_reason",
        ),
    )

    kind: Mapped[InfusionEventKind] = mapped_column(enum_column(InfusionEventKind))
    infusion_id: Mapped[int | None] = mapped_column(sa.ForeignKey("infusions.id"))
    pump_id: Mapped[int | None] = mapped_column(sa.ForeignKey("pumps.id"), index=True)
    occurred_at: Mapped[datetime] = mapped_column(index=True)
    recorded_at: Mapped[datetime]
    not_delivering_reason: Mapped[NotDeliveringReason | None] = mapped_column(
        enum_column(NotDeliveringReason)
    )
    reason_detail: Mapped[str] = mapped_column(sa.String(200), default="")
    rate_ml_h: Mapped[float | None]
    segment_volume_ml: Mapped[float | None]
    total_volume_ml: Mapped[float | None]
    pump_online: Mapped[bool | None]
    patient_id: Mapped[int | None] = mapped_column(sa.ForeignKey("patients.id"))
