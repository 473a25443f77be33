"""Bedside observations: vital signs, side effects and IV site assessments."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from station.persistence.base import Base, IdMixin, enum_column


class ObservationMixin(IdMixin):
    """Common columns: which appointment (and infusion), when, by whom."""

    appointment_id: Mapped[int] = mapped_column(sa.ForeignKey("appointments.id"), index=True)
    infusion_id: Mapped[int | None] = mapped_column(sa.ForeignKey("infusions.id"), index=True)
    observed_at: Mapped[datetime]
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))


class VitalSigns(ObservationMixin, Base):
    """One set of vital signs; a value not taken is NULL."""

    __tablename__ = "vital_signs"

    systolic_mmhg: Mapped[int | None]
    diastolic_mmhg: Mapped[int | None]
    heart_rate_bpm: Mapped[int | None]
    respiratory_rate_pm: Mapped[int | None]
    temperature_c: Mapped[float | None]
    spo2_percent: Mapped[int | None]


class SideEffectKind(enum.Enum):
    """Side effects patients are told about, plus anything else."""

    DIZZINESS = "dizziness"
    NAUSEA = "nausea"
    MUSCLE_STIFFNESS = "muscle_stiffness"
    SITE_ITCHINESS = "site_itchiness"
    HEADACHE = "headache"
    FLUSHING = "flushing"
    RASH = "rash"
    CHILLS = "chills"
    FEVER = "fever"
    CHEST_TIGHTNESS = "chest_tightness"
    SHORTNESS_OF_BREATH = "shortness_of_breath"
    # Written before migration 0003 for the six symptoms above; not written any more.
    INFUSION_REACTION = "infusion_reaction"
    OTHER = "other"


class SideEffect(ObservationMixin, Base):
    """A side effect or reaction, graded with CTCAE 1-5, and what was done.

    ``rate_ml_h`` is the pump rate at onset. The latest reassessment is kept in
    ``reassessed_at`` / ``reassessed_grade`` (grade NULL with a time: resolved).
    """

    __tablename__ = "side_effects"
    __table_args__ = (
        sa.CheckConstraint("ctcae_grade BETWEEN 1 AND 5", name="ctcae_grade"),
        sa.CheckConstraint("reassessed_grade BETWEEN 1 AND 5", name="reassessed_grade"),
    )

    kind: Mapped[SideEffectKind] = mapped_column(enum_column(SideEffectKind))
    ctcae_grade: Mapped[int]
    action_taken: Mapped[str] = mapped_column(sa.String(200), default="")
    note: Mapped[str] = mapped_column(sa.String(500), default="")
    other_text: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    rate_ml_h: Mapped[float | None]
    suggested_action: Mapped[str] = mapped_column(sa.String(64), default="", server_default="")
    deviation_reason: Mapped[str] = mapped_column(sa.String(500), default="", server_default="")
    reassessed_at: Mapped[datetime | None]
    reassessed_grade: Mapped[int | None]


class SiteAssessment(ObservationMixin, Base):
    """A check of the IV site: infiltration grade 0-4 and its measured extent."""

    __tablename__ = "site_assessments"
    __table_args__ = (
        sa.CheckConstraint("infiltration_grade BETWEEN 0 AND 4", name="infiltration_grade"),
    )

    site: Mapped[str] = mapped_column(sa.String(64))
    infiltration_grade: Mapped[int]
    extent_cm: Mapped[float | None]
    phlebitis_signs: Mapped[bool] = mapped_column(default=False)
    dislodged: Mapped[bool] = mapped_column(default=False)
    # Rows from before migration 0003 read as False: nothing is assumed about them.
    dressing_intact: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    note: Mapped[str] = mapped_column(sa.String(500), default="")
