"""What a database is for: training or the station's real records, and never both.

The purpose is written once, as the first audit entry the station makes in a database
(`action = "database_purpose"`), when it is opened for the first time by
`claim_database`. The audit log is append-only, so the mark cannot be edited away, and
it works the same on SQLite and PostgreSQL; no migration is needed. A database with
records but no mark was created before marks existed: it is a normal database, except a
SQLite file in the training folder (`training/training.sqlite`), which only the training
path ever created.
"""

from __future__ import annotations

import enum
from pathlib import Path

import platformdirs
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from station.persistence.audit import AuditEntry
from station.persistence.audit_log import AuditLog
from station.persistence.database import APP_NAME
from station.persistence.delivery import Infusion
from station.persistence.errors import StorageError, storage_errors
from station.persistence.people import ActorKind, Patient, User
from station.persistence.schema import open_database

PURPOSE_ACTION = "database_purpose"
TRAINING_FOLDER = "training"


class DatabasePurpose(enum.StrEnum):
    """Training records (simulated pumps, made-up patients) or the station's real ones."""

    TRAINING = "training"
    NORMAL = "normal"


class MixedDatabaseError(StorageError):
    """A training database opened in normal mode, or the other way round."""


def _sessions(target: Engine | sessionmaker[Session]) -> sessionmaker[Session]:
    return sessionmaker(target, expire_on_commit=False) if isinstance(target, Engine) else target


def read_purpose(target: Engine | sessionmaker[Session]) -> DatabasePurpose | None:
    """The purpose written in the database, or what its history says, or None if new."""
    sessions = _sessions(target)
    with storage_errors("cannot read what this database is for"), sessions() as session:
        mark = session.scalars(
            sa.select(AuditEntry).where(AuditEntry.action == PURPOSE_ACTION)
            .order_by(AuditEntry.id).limit(1)
        ).first()
        if mark is not None:
            return DatabasePurpose(mark.detail_dict()["purpose"])
        if _is_training_file(session):
            return DatabasePurpose.TRAINING
        has_records = any(
            session.scalars(sa.select(model.id).limit(1)).first() is not None
            for model in (User, Patient, Infusion)
        )
    return DatabasePurpose.NORMAL if has_records else None


def is_training(target: Engine | sessionmaker[Session]) -> bool:
    """True for a training database: what it prints or exports must say TRAINING."""
    return read_purpose(target) is DatabasePurpose.TRAINING


TRAINING_STAMP = "TRAINING - simulated pumps and made-up patients, not a patient record"


def training_stamp(target: Engine | sessionmaker[Session]) -> str | None:
    """The line every printout and export of a training database carries (None: real)."""
    return TRAINING_STAMP if is_training(target) else None


def claim_database(target: Engine | sessionmaker[Session], purpose: DatabasePurpose) -> None:
    """Check that the database is for `purpose`, marking it so when it is new.

    Raises `MixedDatabaseError` (a sentence for the user) when it is for the other one.
    """
    sessions = _sessions(target)
    found = read_purpose(sessions)
    if found is None:
        _write_mark(sessions, purpose)
        return
    if not _has_mark(sessions):
        _write_mark(sessions, found)  # made before marks: write down what its history says
    if found is not purpose:
        raise MixedDatabaseError(_MIXED[purpose])


def _write_mark(sessions: sessionmaker[Session], purpose: DatabasePurpose) -> None:
    AuditLog(sessions).record(PURPOSE_ACTION, actor_kind=ActorKind.STATION,
                              entity_type="database", detail={"purpose": str(purpose)})


_MIXED = {
    DatabasePurpose.NORMAL: "this is a training database (made-up patients, simulated pumps); "
    "the station will not use it for real patients. Start with --training, or give the "
    "station's own database.",
    DatabasePurpose.TRAINING: "this is the station's database of real patients; training "
    "never writes into it. Start without --training, or give a training database "
    "(the default with --training is its own file).",
}


def _has_mark(sessions: sessionmaker[Session]) -> bool:
    with storage_errors("cannot read what this database is for"), sessions() as session:
        return session.scalars(sa.select(AuditEntry.id).where(
            AuditEntry.action == PURPOSE_ACTION).limit(1)).first() is not None


def _is_training_file(session: Session) -> bool:
    """A SQLite file at `.../training/training.sqlite` (the training path's default)."""
    url = session.get_bind().engine.url
    if url.get_backend_name() != "sqlite" or not url.database:
        return False
    path = Path(url.database)
    return path.parent.name == TRAINING_FOLDER and path.name == "training.sqlite"


def training_database_url() -> str:
    """Training keeps its records apart: never the station's database."""
    path = platformdirs.user_data_path(APP_NAME) / TRAINING_FOLDER / "training.sqlite"
    return f"sqlite:///{path}"


def open_for(url: str | None, purpose: DatabasePurpose) -> Engine:
    """`open_database(url)` (migrated) checked for `purpose`; a StorageError says why not."""
    engine = open_database(url)
    try:
        claim_database(engine, purpose)
    except BaseException:
        engine.dispose()
        raise
    return engine
