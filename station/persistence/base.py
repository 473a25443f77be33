"""Declarative base, the UTC-only datetime column type and shared column helpers."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any, ClassVar, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from station.persistence.errors import StorageError

# Deterministic constraint names: SQLite batch migrations can only drop or alter
# constraints that have a name.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class NaiveDatetimeError(StorageError, ValueError):
    """A datetime without a time zone was handed to the storage layer."""


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC: naive datetimes are refused, reads are aware UTC.

    SQLite keeps no zone, so everything is converted to UTC before it is written
    and the zone is put back on read; PostgreSQL stores ``timestamptz``.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise NaiveDatetimeError(f"naive datetime {value.isoformat()} refused: give a zone")
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utc_now() -> datetime:
    """The default clock of the storage layer: aware UTC now."""
    return datetime.now(UTC)


EnumT = TypeVar("EnumT", bound=enum.Enum)


def enum_column(enum_cls: type[EnumT]) -> sa.Enum:
    """A portable enum column: VARCHAR holding the member's value, no native type.

    Native PostgreSQL enums need their own migrations for every new member;
    a string column does not, and the ORM still validates on write.
    """
    return sa.Enum(
        enum_cls,
        native_enum=False,
        create_constraint=False,
        length=32,
        validate_strings=True,
        values_callable=lambda members: [m.value for m in members],
    )


class Base(DeclarativeBase):
    """Declarative base for every stored record of the station."""

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime()}


class IdMixin:
    """An integer surrogate primary key (autoincrement on every backend)."""

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
