"""The HL7 outbox: messages waiting for the receiver's acknowledgement, in order."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from station.persistence.base import Base, IdMixin


class OutboxMessage(IdMixin, Base):
    """One HL7 message to send; ``id`` is the sending order, ``acked_at`` NULL until the
    receiver's ACK (AA or CA) arrived. ``control_id`` (MSH-10) is unique, so queuing
    the same message twice keeps one."""

    __tablename__ = "hl7_outbox"

    control_id: Mapped[str] = mapped_column(sa.String(64), unique=True)
    message_type: Mapped[str] = mapped_column(sa.String(32))
    infusion_id: Mapped[int | None] = mapped_column(sa.ForeignKey("infusions.id"))
    payload: Mapped[str] = mapped_column(sa.Text)
    queued_at: Mapped[datetime]
    acked_at: Mapped[datetime | None] = mapped_column(index=True)
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    last_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(sa.String(500), default="", server_default="")
