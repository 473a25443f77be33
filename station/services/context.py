"""What every service needs: sessions, a clock, the drug library and who is acting."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Protocol

from sqlalchemy.orm import Session, sessionmaker

from station.access.roles import Permission, Role, allows
from station.domain.drug_library import DrugLibrary
from station.domain.refusals import require_aware
from station.services.changes import RecordChanges
from station.services.errors import AccessDeniedError


class ActingUser(Protocol):
    """Who the services act for: an :class:`Actor`, or a station's sign-in session
    (``station.access.session.StationSession``), whose attributes raise
    :class:`~station.services.errors.NotSignedInError` while nobody is signed in."""

    @property
    def user_id(self) -> int: ...

    @property
    def name(self) -> str: ...

    @property
    def roles(self) -> frozenset[Role]: ...


@dataclass(frozen=True)
class Actor:
    """The signed-in person the services act for (a stored ``users`` row).

    Built by the sign-in (``station.access.authenticate``) with the user's stored
    roles. Code that builds one directly (tests, tools) vouches for the person; the
    default role is nurse.
    """

    user_id: int
    name: str
    roles: frozenset[Role] = frozenset({Role.NURSE})


def require(actor: ActingUser, permission: Permission) -> None:
    """Refuse with :class:`AccessDeniedError` unless the actor's roles allow it."""
    if not allows(actor.roles, permission):
        raise AccessDeniedError(f"{actor.name} may not {permission.value}: ask a user "
                                "whose role allows it")


@dataclass(frozen=True)
class ServiceContext:
    """Injected dependencies shared by the services of one signed-in station.

    ``clock`` returns aware UTC time (tests pass a fake); ``clinic_tz`` decides what
    "today" means for the schedule and check-in; ``care_unit`` selects the library's
    ``[units.<name>]`` monitoring values; ``changes`` hears of every committed write.
    """

    sessions: sessionmaker[Session]
    clock: Callable[[], datetime]
    library: DrugLibrary
    actor: ActingUser
    clinic_tz: tzinfo = UTC
    care_unit: str | None = None
    changes: RecordChanges = field(default_factory=RecordChanges, compare=False)

    def use_library(self, library: DrugLibrary) -> None:
        """Work with ``library`` from now on (the settings screen stored a change), and
        tell the listeners, so the monitoring service re-reads every chair's schedule.

        The context stays frozen for everything else; this one field is swapped in a
        single assignment, so a reader sees the old library or the new one, whole.
        """
        object.__setattr__(self, "library", library)
        self.changes.notify()

    def now(self) -> datetime:
        """The clock's time, refused if naive (a naive clock would mean local time)."""
        moment = self.clock()
        require_aware(moment, "clock()")
        return moment.astimezone(UTC)
