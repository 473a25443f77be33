"""Storage errors with messages a person can act on, never a raw driver traceback."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import exc


class StorageError(Exception):
    """Base class of every error the storage layer raises to its callers."""


class BadDatabaseURLError(StorageError):
    """The database URL cannot be parsed or names a driver that is not installed."""


class DatabaseUnavailableError(StorageError):
    """The database cannot be reached, is locked by someone else, or refused us."""


class SchemaVersionError(StorageError):
    """The database's schema revision is one this version of the station does not know."""


class RecordRejectedError(StorageError):
    """The database refused a record (a constraint or a missing reference)."""


def describe_operational(err: exc.DBAPIError) -> str:
    """A short human explanation of a driver error, first line of the driver text."""
    text = str(err.orig).strip().splitlines()[0] if err.orig is not None else str(err)
    if "locked" in text or "busy" in text:
        return f"the database is locked by another program or station ({text})"
    return text


@contextmanager
def storage_errors(what: str) -> Iterator[None]:
    """Turn SQLAlchemy and driver errors raised inside into :class:`StorageError`."""
    try:
        yield
    except exc.IntegrityError as err:
        # Only the driver's first line: PostgreSQL's DETAIL line quotes the values (a
        # patient's MRN), and a chained cause would carry it into a logged traceback.
        first = str(err.orig).strip().splitlines()[0] if err.orig is not None else "refused"
        raise RecordRejectedError(f"{what}: the database refused the record: {first}") from None
    except (exc.OperationalError, exc.InterfaceError) as err:
        raise DatabaseUnavailableError(f"{what}: {describe_operational(err)}") from err
    except (exc.ArgumentError, exc.NoSuchModuleError) as err:
        raise BadDatabaseURLError(f"{what}: {err}") from err
    except exc.StatementError as err:
        # Our own checks in column types (e.g. a naive datetime) arrive wrapped.
        if isinstance(err.orig, StorageError):
            raise err.orig from err
        raise
