"""Change notification on both backends: sent with the commit, none for a rollback."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from station.persistence import Records
from station.persistence.scheduling import Chair
from station.persistence.unit import UnitStation
from station.persistence.unit_of_work import write_transaction
from station.unit import change_keys
from station.unit.change_keys import ChangeKey
from station.unit.leases import LeaseBook
from tests.unit.conftest import Heard, ManualUtc

MIGRATION = (Path(__file__).parents[2] / "station/persistence/migrations/versions/"
             "0005_unit_overview.py")


def test_the_migrations_triggers_are_the_sqlite_triggers() -> None:
    spec = importlib.util.spec_from_file_location("m0005", MIGRATION)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.NOTIFY_TRIGGERS == change_keys.NOTIFY_TRIGGERS


def test_a_committed_write_is_heard_with_its_key(
        unit_sessions: sessionmaker[Session], heard: Heard, utc: ManualUtc) -> None:
    chair = Chair(label="C7")
    Records(unit_sessions).add(chair)
    station = LeaseBook(unit_sessions, "ws-1", utc_now=utc)
    station.register()
    station.acquire(["C7"])
    assert heard.until("l:C7")[-2:] == ["h:ws-1", "l:C7"]


def test_a_rolled_back_write_is_not_heard(
        unit_sessions: sessionmaker[Session], heard: Heard, utc: ManualUtc) -> None:
    station = LeaseBook(unit_sessions, "ws-1", utc_now=utc)
    with pytest.raises(RuntimeError), write_transaction(unit_sessions, "x") as session:
        session.add(UnitStation(name="gone", started_at=utc(), heartbeat_at=utc()))
        session.flush()
        raise RuntimeError("rolled back")
    station.register()
    assert heard.until("h:ws-1") == ["h:ws-1"]


@pytest.mark.parametrize("payload", ["", "x:1", "c:", "c", "zz"])
def test_unknown_payloads_are_ignored(payload: str) -> None:
    assert ChangeKey.parse(payload) is None


def test_payloads_parse() -> None:
    assert ChangeKey.parse("t:12") == ChangeKey("t", "12")
    assert ChangeKey.parse("t:12").number == 12  # type: ignore[union-attr]
    assert ChangeKey.parse("l:C1:x") == ChangeKey("l", "C1:x")

