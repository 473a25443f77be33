"""Patients with their allergies and medication list; users, roles and who did what."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from station.persistence.base import Base, IdMixin, enum_column


class Role(IdMixin, Base):
    """A role a user holds, e.g. nurse, charge nurse, physician, pharmacist, admin."""

    __tablename__ = "roles"

    name: Mapped[str] = mapped_column(sa.String(64), unique=True)
    description: Mapped[str] = mapped_column(sa.String(200), default="")


user_roles = sa.Table(
    "user_roles",
    Base.metadata,
    sa.Column("user_id", sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("role_id", sa.ForeignKey("roles.id", ondelete="CASCADE"), primary_key=True),
)


class SecretKind(enum.Enum):
    """What a user types to sign in: a password or a numeric PIN."""

    PASSWORD = "password"
    PIN = "pin"


class User(IdMixin, Base):
    """A person who signs in to the station.

    Credentials are argon2id hashes only (``station.access.credentials``). A badge is
    also stored as an argon2id hash; ``badge_key`` is 16 bits of the badge's SHA-256,
    enough to pick the few users whose hash a scan must be checked against. A user
    without a secret cannot sign in (rows made before migration 0004, test users).
    """

    __tablename__ = "users"

    username: Mapped[str] = mapped_column(sa.String(64), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(128))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]
    roles: Mapped[list[Role]] = relationship(secondary=user_roles, lazy="selectin")
    secret_hash: Mapped[str | None] = mapped_column(sa.String(200))
    secret_kind: Mapped[SecretKind | None] = mapped_column(enum_column(SecretKind))
    badge_hash: Mapped[str | None] = mapped_column(sa.String(200))
    badge_key: Mapped[str | None] = mapped_column(sa.String(8), index=True)
    failed_sign_ins: Mapped[int] = mapped_column(default=0, server_default="0")
    locked_until: Mapped[datetime | None]


class ActorKind(enum.Enum):
    """Who caused a stored fact: a signed-in user, a pump, or the station itself."""

    USER = "user"
    PUMP = "pump"
    STATION = "station"


class ActorMixin:
    """Who did it: the kind of actor and, for people, the user."""

    actor_kind: Mapped[ActorKind] = mapped_column(enum_column(ActorKind))
    actor_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))


class Patient(IdMixin, Base):
    """A patient, identified by MRN plus name and date of birth (two identifiers)."""

    __tablename__ = "patients"

    mrn: Mapped[str] = mapped_column(sa.String(32), unique=True)
    family_name: Mapped[str] = mapped_column(sa.String(100))
    given_name: Mapped[str] = mapped_column(sa.String(100))
    date_of_birth: Mapped[date]
    allergies: Mapped[list[Allergy]] = relationship(
        back_populates="patient", cascade="all, delete-orphan", lazy="selectin"
    )
    medications: Mapped[list[CurrentMedication]] = relationship(
        back_populates="patient", cascade="all, delete-orphan", lazy="selectin"
    )


class Allergy(IdMixin, Base):
    """A recorded allergy or intolerance of a patient."""

    __tablename__ = "allergies"

    patient_id: Mapped[int] = mapped_column(
        sa.ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    substance: Mapped[str] = mapped_column(sa.String(128))
    reaction: Mapped[str] = mapped_column(sa.String(200), default="")
    patient: Mapped[Patient] = relationship(back_populates="allergies")


class CurrentMedication(IdMixin, Base):
    """One entry of the patient's current medication list (reviewed for interactions)."""

    __tablename__ = "current_medications"

    patient_id: Mapped[int] = mapped_column(
        sa.ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(128))
    dose: Mapped[str] = mapped_column(sa.String(64), default="")
    frequency: Mapped[str] = mapped_column(sa.String(64), default="")
    patient: Mapped[Patient] = relationship(back_populates="medications")
