"""A training database and a normal database never mix (real SQLite files, PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from station.persistence import AppendOnlyError, make_sessionmaker
from station.persistence.audit import AuditEntry
from station.persistence.people import User
from station.training import (
    TRAINING_STAMP,
    DatabasePurpose,
    MixedDatabaseError,
    claim_database,
    is_training,
    open_for,
    read_purpose,
    training_stamp,
)
from station.training.database_purpose import PURPOSE_ACTION
from tests.monitoring.conftest import migrated
from ui.chairside.app import run_station

TRAINING, NORMAL = DatabasePurpose.TRAINING, DatabasePurpose.NORMAL


def _url(folder: Path, name: str = "station.sqlite") -> str:
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / name}"


def _add_user(url: str) -> None:
    engine = migrated(url)
    with make_sessionmaker(engine).begin() as session:
        session.add(User(username="nurse.a", display_name="Nurse A",
                         created_at=datetime.now(UTC)))
    engine.dispose()


@pytest.mark.parametrize("first, then", [(TRAINING, NORMAL), (NORMAL, TRAINING)])
def test_a_database_opened_for_one_purpose_refuses_the_other(
        tmp_path: Path, first: DatabasePurpose, then: DatabasePurpose) -> None:
    url = _url(tmp_path)
    open_for(url, first).dispose()
    with pytest.raises(MixedDatabaseError) as refused:
        open_for(url, then)
    assert ("training database" if first is TRAINING else "real patients") in str(refused.value)
    engine = open_for(url, first)  # still fine for what it is
    assert is_training(engine) is (first is TRAINING)
    assert training_stamp(engine) == (TRAINING_STAMP if first is TRAINING else None)
    marks = make_sessionmaker(engine)().scalars(
        sa.select(AuditEntry).where(AuditEntry.action == PURPOSE_ACTION)).all()
    assert [m.detail_dict() for m in marks] == [{"purpose": str(first)}]
    engine.dispose()


def test_the_mark_cannot_be_removed(tmp_path: Path) -> None:
    engine = open_for(_url(tmp_path), TRAINING)
    sessions = make_sessionmaker(engine)
    with pytest.raises(AppendOnlyError), sessions.begin() as session:
        mark = session.scalars(sa.select(AuditEntry)).one()
        session.delete(mark)
    assert is_training(sessions)
    engine.dispose()


def test_a_database_with_records_from_before_the_marks_is_normal(tmp_path: Path) -> None:
    url = _url(tmp_path)
    _add_user(url)
    engine = migrated(url)
    assert read_purpose(engine) is NORMAL
    with pytest.raises(MixedDatabaseError):
        claim_database(engine, TRAINING)
    claim_database(engine, NORMAL)
    assert not is_training(engine)
    engine.dispose()


def test_the_training_folder_file_from_before_the_marks_is_training(tmp_path: Path) -> None:
    url = _url(tmp_path / "training", "training.sqlite")
    _add_user(url)
    with pytest.raises(MixedDatabaseError):
        open_for(url, NORMAL)
    engine = open_for(url, TRAINING)
    assert is_training(engine)
    engine.dispose()


def test_a_new_empty_database_has_no_purpose_until_claimed(tmp_path: Path) -> None:
    engine = migrated(_url(tmp_path))
    assert read_purpose(engine) is None
    assert not is_training(engine)
    engine.dispose()


@pytest.mark.postgres
def test_the_rule_holds_on_postgresql(pg_schema_url: str) -> None:
    open_for(pg_schema_url, TRAINING).dispose()
    with pytest.raises(MixedDatabaseError):
        open_for(pg_schema_url, NORMAL)
    engine = open_for(pg_schema_url, TRAINING)
    assert is_training(engine)
    engine.dispose()


def test_run_station_refuses_to_mix_them(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    training_url = _url(tmp_path / "t")
    normal_url = _url(tmp_path / "n")
    open_for(training_url, TRAINING).dispose()
    open_for(normal_url, NORMAL).dispose()
    assert run_station(training_url, ["C1=/dev/null"], training=False) == 1
    assert "this is a training database" in capsys.readouterr().err
    assert run_station(normal_url, ["C1=/dev/null"], training=True) == 1
    assert "real patients; training never writes into it" in capsys.readouterr().err
    assert run_station(normal_url, ["C1=/dev/null"], training=True,
                       allow_simulated=True) == 2
