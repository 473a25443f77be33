"""The pre-infusion checklist at the chair: sign-offs and pre-medications given."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from station.persistence.base import Base, IdMixin, enum_column


class ChecklistItemKind(enum.Enum):
    """A checklist item a nurse signs off (the latest sign-off of each kind counts)."""

    IDENTIFIERS_CONFIRMED = "identifiers_confirmed"
    MEDICATION_LIST_REVIEWED = "medication_list_reviewed"
    ALLERGIES_REVIEWED = "allergies_reviewed"


class ChecklistItem(IdMixin, Base):
    """One sign-off of a checklist item for an appointment, by whom and when."""

    __tablename__ = "checklist_items"

    appointment_id: Mapped[int] = mapped_column(sa.ForeignKey("appointments.id"), index=True)
    kind: Mapped[ChecklistItemKind] = mapped_column(enum_column(ChecklistItemKind))
    # Identifiers confirmed, comma-separated (e.g. "date_of_birth,full_name").
    identifiers: Mapped[str] = mapped_column(sa.String(200), default="")
    signed_at: Mapped[datetime]
    signed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))


class PremedicationGiven(IdMixin, Base):
    """A pre-medication given before the infusion: what, which dose, when, by whom."""

    __tablename__ = "premedications_given"

    appointment_id: Mapped[int] = mapped_column(sa.ForeignKey("appointments.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(128))
    dose: Mapped[str] = mapped_column(sa.String(64), default="")
    given_at: Mapped[datetime]
    recorded_at: Mapped[datetime]
    given_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
