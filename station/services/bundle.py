"""All services of one signed-in station, built from one context; the library loader."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from station.domain.drug_library import DrugLibrary
from station.domain.drug_library_loader import DEFAULT_PATH, load_drug_library
from station.services.changes import RecordChanges
from station.services.checkin import CheckInService
from station.services.checklist import ChecklistService
from station.services.completion import CompletionService
from station.services.context import ActingUser, ServiceContext
from station.services.infusions import InfusionService
from station.services.observations import ObservationService
from station.services.pauses import PauseService
from station.services.schedule import ScheduleService
from station.services.schedule_csv import ScheduleImporter
from station.services.titration import TitrationService


def load_library(path: Path = DEFAULT_PATH) -> DrugLibrary:
    """The drug library at ``path`` (default ``resources/drug_library.toml``), validated.

    Raises :class:`~station.domain.drug_library_loader.DrugLibraryError` listing every
    problem with its line.
    """
    return load_drug_library(path)


@dataclass(frozen=True)
class StationServices:
    """One instance of each service sharing a context."""

    context: ServiceContext
    schedule: ScheduleService
    schedule_import: ScheduleImporter
    checkin: CheckInService
    checklist: ChecklistService
    infusions: InfusionService
    pauses: PauseService
    observations: ObservationService
    titration: TitrationService
    completion: CompletionService

    @classmethod
    def build(
        cls,
        sessions: sessionmaker[Session],
        *,
        clock: Callable[[], datetime],
        library: DrugLibrary,
        actor: ActingUser,
        clinic_tz: tzinfo = UTC,
        care_unit: str | None = None,
        changes: RecordChanges | None = None,
    ) -> StationServices:
        """Every service for ``actor``; ``changes`` is told of every committed write."""
        ctx = ServiceContext(sessions, clock, library, actor, clinic_tz, care_unit,
                             changes or RecordChanges())
        return cls(ctx, ScheduleService(ctx), ScheduleImporter(ctx), CheckInService(ctx),
                   ChecklistService(ctx), InfusionService(ctx), PauseService(ctx),
                   ObservationService(ctx), TitrationService(ctx), CompletionService(ctx))
