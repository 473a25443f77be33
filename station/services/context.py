"""What every service needs: sessions, a clock, the drug library and who is acting."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo

from sqlalchemy.orm import Session, sessionmaker

from station.domain.drug_library import DrugLibrary
from station.domain.refusals import require_aware
from station.services.changes import RecordChanges


@dataclass(frozen=True)
class Actor:
    """The signed-in person the services act for (a stored ``users`` row)."""

    user_id: int
    name: str


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
    actor: Actor
    clinic_tz: tzinfo = UTC
    care_unit: str | None = None
    changes: RecordChanges = field(default_factory=RecordChanges, compare=False)

    def now(self) -> datetime:
        """The clock's time, refused if naive (a naive clock would mean local time)."""
        moment = self.clock()
        require_aware(moment, "clock()")
        return moment.astimezone(UTC)
