"""Reading stored records inside a service transaction, with typed not-found errors."""

from __future__ import annotations

from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Session

from station.domain.drug_library import Drug
from station.persistence.base import Base
from station.persistence.delivery import Infusion, InfusionStatus
from station.persistence.people import User
from station.persistence.scheduling import Appointment
from station.services.context import ServiceContext
from station.services.errors import NotFoundError

RecordT = TypeVar("RecordT", bound=Base)


def get(session: Session, cls: type[RecordT], record_id: int) -> RecordT:
    """The record, or :class:`NotFoundError` naming the kind and id."""
    found = session.get(cls, record_id)
    if found is None:
        raise NotFoundError(cls.__name__.lower(), record_id)
    return found


def infusion_of(session: Session, appointment: Appointment) -> Infusion | None:
    """The appointment's latest infusion that was not aborted."""
    return session.scalars(
        sa.select(Infusion)
        .where(Infusion.appointment_id == appointment.id,
               Infusion.status != InfusionStatus.ABORTED)
        .order_by(Infusion.id.desc())
    ).first()


def drug_of(ctx: ServiceContext, infusion: Infusion) -> Drug | None:
    """The library entry of the infusion's order (``titration_protocol`` is its key)."""
    return ctx.library.find(infusion.order.titration_protocol)


def user_name(session: Session, user_id: int | None) -> str:
    """A stored user's display name, for the "by" of rebuilt domain values."""
    user = session.get(User, user_id) if user_id is not None else None
    return user.display_name if user is not None else ""
