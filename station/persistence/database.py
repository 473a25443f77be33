"""Where the database is and how to connect to it.

URL resolution: explicit URL (``--db``) > ``INFUSION_STATION_DB`` > the config
file's ``[database] url`` > one SQLite file in the user's data directory.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import platformdirs
import sqlalchemy as sa
from sqlalchemy import exc
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

from station.persistence.errors import BadDatabaseURLError, storage_errors
from station.persistence.sqlite_engine import create_sqlite_engine

APP_NAME = "infusion-station"
ENV_VAR = "INFUSION_STATION_DB"
DEFAULT_BUSY_TIMEOUT_MS = 5000


def default_sqlite_path() -> Path:
    """The default database file, in the user's data directory."""
    return platformdirs.user_data_path(APP_NAME) / "station.sqlite"


def default_config_path() -> Path:
    """The station's config file (TOML), in the user's config directory."""
    return platformdirs.user_config_path(APP_NAME) / "station.toml"


def _url_from_config(path: Path) -> str | None:
    if not path.is_file():
        return None
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise BadDatabaseURLError(f"cannot read the config file {path}: {err}") from err
    database = data.get("database", {})
    if not isinstance(database, dict):
        raise BadDatabaseURLError(f"{path}: [database] must be a table with url = \"...\"")
    url = database.get("url")
    if url is not None and not isinstance(url, str):
        raise BadDatabaseURLError(f"{path}: [database] url must be a string")
    return url


def resolve_url(explicit: str | None = None, config_path: Path | None = None) -> str:
    """The database URL to use, by the precedence in this module's docstring."""
    if explicit:
        return explicit
    from_env = os.environ.get(ENV_VAR)
    if from_env:
        return from_env
    from_config = _url_from_config(config_path or default_config_path())
    if from_config:
        return from_config
    return f"sqlite:///{default_sqlite_path()}"


def parse_url(url: str) -> URL:
    """Parse a SQLAlchemy URL or raise :class:`BadDatabaseURLError` with the reason."""
    try:
        return make_url(url)
    except exc.ArgumentError as err:
        raise BadDatabaseURLError(f"not a database URL: {url!r}") from err


def create_engine(url: str, *, busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS) -> Engine:
    """An engine configured for the station (SQLite: WAL, FULL sync, foreign keys)."""
    parsed = parse_url(url)
    with storage_errors(f"cannot open the database {parsed.render_as_string()}"):
        if parsed.get_backend_name() == "sqlite":
            return create_sqlite_engine(parsed, busy_timeout_ms)
        # Parameters stay out of error messages and logs: they hold patients' names.
        return sa.create_engine(parsed, pool_pre_ping=True, hide_parameters=True)
    raise AssertionError("unreachable")  # pragma: no cover - storage_errors re-raises


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """Sessions whose objects stay readable after commit (repositories return them)."""
    return sessionmaker(engine, expire_on_commit=False)


def check_connection(engine: Engine) -> None:
    """Connect once, so an unreachable or locked database is reported at start-up."""
    with storage_errors("cannot connect to the database"), engine.connect() as conn:
        conn.execute(sa.text("SELECT 1"))
