"""Services of the station core: plain Python APIs gluing the domain rules to storage.

Qt-free. Each service takes a :class:`ServiceContext` (sessionmaker, clock, drug
library, acting user, clinic time zone). Rule refusals come back as
:class:`~station.domain.refusals.Refused`; wrong ids and states raise
:class:`ServiceError`. Every accepted write is committed durably, with its events and
audit entries, before the method returns. See docs/services.md.
"""

from __future__ import annotations

from station.services.bundle import StationServices, load_library
from station.services.checkin import CheckInService
from station.services.checklist import ChecklistService
from station.services.completion import CompletionService, InfusionTotals
from station.services.context import ActingUser, Actor, ServiceContext
from station.services.errors import (
    AccessDeniedError,
    InvalidStateError,
    NotFoundError,
    NotSignedInError,
    ServiceError,
)
from station.services.infusions import InfusionService, PreparedStart
from station.services.observations import ObservationService, SiteView, VitalsView
from station.services.pauses import PauseService, PauseView
from station.services.schedule import Booking, ChairDay, ScheduleService
from station.services.schedule_csv import ImportReport, RowError, ScheduleImporter
from station.services.titration import TitrationService, TitrationView

__all__ = [
    "AccessDeniedError",
    "ActingUser",
    "Actor",
    "Booking",
    "ChairDay",
    "CheckInService",
    "ChecklistService",
    "CompletionService",
    "ImportReport",
    "InfusionService",
    "InfusionTotals",
    "InvalidStateError",
    "NotFoundError",
    "NotSignedInError",
    "ObservationService",
    "PauseService",
    "PauseView",
    "PreparedStart",
    "RowError",
    "ScheduleImporter",
    "ScheduleService",
    "ServiceContext",
    "ServiceError",
    "SiteView",
    "StationServices",
    "TitrationService",
    "TitrationView",
    "VitalsView",
    "load_library",
]
