"""Storage layer of the station core: models, migrations, repositories, telemetry.

Qt-free. Services use the repositories below with a sessionmaker from
:func:`make_sessionmaker`; the app calls :func:`open_database` at start-up.
"""

from __future__ import annotations

# Every model module, so that foreign keys resolve whichever module a caller imports.
from station.persistence import models  # noqa: F401
from station.persistence.alarm_log import AlarmLog
from station.persistence.append_only import AppendOnlyError
from station.persistence.audit_log import AuditLog
from station.persistence.base import NaiveDatetimeError
from station.persistence.database import create_engine, make_sessionmaker, resolve_url
from station.persistence.errors import (
    BadDatabaseURLError,
    DatabaseUnavailableError,
    RecordRejectedError,
    SchemaVersionError,
    StorageError,
)
from station.persistence.event_store import EventStore
from station.persistence.records import Records
from station.persistence.schema import open_database, upgrade_database
from station.persistence.telemetry import TelemetrySample, TelemetrySeries
from station.persistence.telemetry_reader import load_series
from station.persistence.telemetry_writer import TelemetryWriter

__all__ = [
    "AlarmLog",
    "AppendOnlyError",
    "AuditLog",
    "BadDatabaseURLError",
    "DatabaseUnavailableError",
    "EventStore",
    "NaiveDatetimeError",
    "RecordRejectedError",
    "Records",
    "SchemaVersionError",
    "StorageError",
    "TelemetrySample",
    "TelemetrySeries",
    "TelemetryWriter",
    "create_engine",
    "load_series",
    "make_sessionmaker",
    "open_database",
    "resolve_url",
    "upgrade_database",
]
