"""Access fixtures: migrated databases (SQLite file; PostgreSQL where a test asks), a
settable clock and a cheap but real argon2id hasher (RFC 9106's parameters take half a
second each on this shared machine; the station's own are checked in test_credentials)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import argon2
import pytest
from sqlalchemy.orm import Session, sessionmaker

from station.access.credentials import CredentialHasher
from station.access.roles import Role
from station.access.users import Credentials, UserDirectory
from station.persistence.people import SecretKind
from tests.persistence.conftest import db_url, engine, pg_schema_url, sessions

__all__ = ["db_url", "engine", "pg_schema_url", "sessions"]

FAST = argon2.Parameters(type=argon2.Type.ID, version=19, salt_len=16, hash_len=32,
                         time_cost=1, memory_cost=1024, parallelism=1)
T0 = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
NURSE_PIN = "482913"
CHARGE_PASSWORD = "charge-nurse-pass"
ADMIN_PASSWORD = "admin-password-1"
BADGE = "04A1B2C3D4E5"


@dataclass
class Clock:
    now: datetime = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass(frozen=True)
class People:
    admin: int
    nurse: int
    charge: int


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def hasher() -> CredentialHasher:
    return CredentialHasher(FAST)


def add_people(sessions: sessionmaker[Session], clock: Clock,
               hasher: CredentialHasher) -> People:
    """An administrator (bootstrap), then a nurse with a PIN and badge and a charge nurse."""
    directory = UserDirectory(sessions, clock=clock, hasher=hasher)
    admin_id = directory.add("ada", "Ada Admin", frozenset({Role.ADMINISTRATOR}),
                             Credentials(SecretKind.PASSWORD, ADMIN_PASSWORD), by=None)
    from station.services.context import Actor

    admin = Actor(admin_id, "Ada Admin", frozenset({Role.ADMINISTRATOR}))
    nurse = directory.add("nina", "Nina Nurse", frozenset({Role.NURSE}),
                          Credentials(SecretKind.PIN, NURSE_PIN, BADGE), by=admin)
    charge = directory.add("carl", "Carl Charge", frozenset({Role.CHARGE_NURSE}),
                           Credentials(SecretKind.PASSWORD, CHARGE_PASSWORD), by=admin)
    return People(admin_id, nurse, charge)


@pytest.fixture
def people(sessions: sessionmaker[Session], clock: Clock, hasher: CredentialHasher) -> People:
    return add_people(sessions, clock, hasher)
