"""`infusion-station run` needs someone who can sign in: a user without credentials
(made before migration 0004) is not enough."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from station.persistence import Records, make_sessionmaker, open_database
from station.persistence.people import User
from ui.chairside.app import run_station


def test_no_user_who_can_sign_in_is_a_clear_refusal(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'station.sqlite'}"
    engine = open_database(url)
    Records(make_sessionmaker(engine)).add(
        User(username="legacy", display_name="Legacy", created_at=datetime.now(UTC)))
    engine.dispose()
    assert run_station(url, ["C1=/dev/null"], training=False) == 1
    err = capsys.readouterr().err
    assert "no user can sign in" in err and "infusion-station user add" in err
    assert "Traceback" not in err
