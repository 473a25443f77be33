"""Where the database is, how connections are set up, and the errors callers see."""

from __future__ import annotations

from pathlib import Path

import pytest

from station.persistence.database import (
    ENV_VAR,
    create_engine,
    resolve_url,
)
from station.persistence.errors import BadDatabaseURLError, DatabaseUnavailableError
from station.persistence.schema import (
    open_database,
    upgrade_database,
)
from tests.persistence.conftest import sqlite_url


@pytest.fixture
def no_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No database env var, and the user's directories inside tmp_path."""
    monkeypatch.delenv(ENV_VAR, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return tmp_path


def test_url_precedence_explicit_then_env_then_config_then_default(
    no_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    default = resolve_url()
    assert default == f"sqlite:///{no_env / 'data' / 'infusion-station' / 'station.sqlite'}"

    config = no_env / "config" / "infusion-station" / "station.toml"
    config.parent.mkdir(parents=True)
    config.write_text('[database]\nurl = "sqlite:////srv/from-config.sqlite"\n')
    assert resolve_url() == "sqlite:////srv/from-config.sqlite"

    monkeypatch.setenv(ENV_VAR, "sqlite:////srv/from-env.sqlite")
    assert resolve_url() == "sqlite:////srv/from-env.sqlite"
    assert resolve_url("sqlite:////srv/explicit.sqlite") == "sqlite:////srv/explicit.sqlite"


def test_unreadable_config_file_is_a_clear_error(no_env: Path) -> None:
    config = no_env / "station.toml"
    config.write_text("[database\nurl=")
    with pytest.raises(BadDatabaseURLError, match=r"cannot read the config file .*station\.toml"):
        resolve_url(config_path=config)


def test_default_database_is_created_in_the_data_directory(no_env: Path) -> None:
    engine = open_database()
    try:
        assert (no_env / "data" / "infusion-station" / "station.sqlite").is_file()
    finally:
        engine.dispose()


def test_sqlite_connections_use_wal_full_sync_and_foreign_keys(tmp_path: Path) -> None:
    engine = create_engine(sqlite_url(tmp_path))
    try:
        with engine.connect() as conn:
            pragmas = {
                name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
                for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")
            }
    finally:
        engine.dispose()
    assert pragmas == {
        "journal_mode": "wal",
        "synchronous": 2,
        "foreign_keys": 1,
        "busy_timeout": 5000,
    }


@pytest.mark.parametrize("url", ["not a url", "nosuchdb://x/y", "postgresql+nosuchdriver://h/db"])
def test_bad_url_gives_a_clear_error(url: str) -> None:
    with pytest.raises(BadDatabaseURLError):
        create_engine(url)
    with pytest.raises(BadDatabaseURLError):
        upgrade_database(url)


def test_unreachable_server_gives_a_clear_error() -> None:
    # Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
    url = "postgresql+psycopg://nobody:secret@127.0.0.1:9/none?connect_timeout=2"
    with pytest.raises(DatabaseUnavailableError, match="cannot connect") as caught:
        open_database(url)
    assert "secret" not in str(caught.value)
