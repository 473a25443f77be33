"""The audit log is hash-chained: tampering (change, removal, insertion) is named by
`audit verify`; the database refuses UPDATE and DELETE; two writers never fork it."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from station.access.command import run_audit_verify
from station.persistence import schema
from station.persistence.audit import AuditEntry, canonical_json
from station.persistence.audit_chain import GENESIS, entry_hash, verify_chain
from station.persistence.audit_log import AuditLog
from station.persistence.database import create_engine, make_sessionmaker
from station.persistence.people import ActorKind
from station.persistence.unit_of_work import write_transaction
from tests.persistence.conftest import BACKENDS

T0 = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)


def _clock() -> datetime:
    return T0


def _log(sessions: sessionmaker[Session], n: int) -> list[int]:
    log = AuditLog(sessions, clock=_clock)
    return [log.record(f"test.{i}", actor_kind=ActorKind.STATION, entity_type="t",
                       entity_id=i, detail={"i": i}) for i in range(n)]


def _verify(engine: Engine) -> tuple[int | None, str]:
    with engine.connect() as conn:
        report = verify_chain(conn)
    return report.broken_id, report.reason


def _tamper(engine: Engine, sql: str, **params: object) -> None:
    """What someone with the database owner's rights can do: drop the guard, then edit."""
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.execute(sa.text("DROP TRIGGER IF EXISTS audit_log_no_update"))
            conn.execute(sa.text("DROP TRIGGER IF EXISTS audit_log_no_delete"))
        else:
            conn.execute(sa.text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
        conn.execute(sa.text(sql), params)


def test_each_entry_links_to_the_one_before_from_the_genesis(
        sessions: sessionmaker[Session], engine: Engine) -> None:
    ids = _log(sessions, 3)
    with sessions() as session:
        rows = session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id)).all()
    assert rows[0].prev_hash == GENESIS
    assert [r.prev_hash for r in rows[1:]] == [r.hash for r in rows[:-1]]
    assert rows[2].hash == entry_hash(rows[1].hash, at=T0, action="test.2", actor_kind="station",
                                      actor_user_id=None, entity_type="t", entity_id="2",
                                      detail='{"i":2}')
    assert _verify(engine) == (None, "")
    assert len(ids) == 3


def test_entries_added_together_in_one_transaction_chain_in_id_order(
        sessions: sessionmaker[Session], engine: Engine) -> None:
    _log(sessions, 1)
    with write_transaction(sessions, "two entries") as session:
        for name in ("a", "b", "c"):
            session.add(AuditEntry(at=T0, action=name, actor_kind=ActorKind.STATION))
        session.flush()
        session.add(AuditEntry(at=T0, action="d", actor_kind=ActorKind.STATION))
    assert _verify(engine) == (None, "")


def test_a_changed_entry_is_named(sessions: sessionmaker[Session], engine: Engine) -> None:
    ids = _log(sessions, 5)
    _tamper(engine, "UPDATE audit_log SET detail = :d WHERE id = :id",
            d=canonical_json({"i": 99}), id=ids[2])
    broken, reason = _verify(engine)
    assert broken == ids[2]
    assert "changed" in reason


def test_a_removed_entry_is_named_at_the_entry_after_it(
        sessions: sessionmaker[Session], engine: Engine) -> None:
    ids = _log(sessions, 5)
    _tamper(engine, "DELETE FROM audit_log WHERE id = :id", id=ids[1])
    broken, reason = _verify(engine)
    assert broken == ids[2]
    assert f"entry {ids[0]}" in reason and "removed" in reason


def test_an_inserted_entry_is_named(sessions: sessionmaker[Session], engine: Engine) -> None:
    ids = _log(sessions, 3)
    # A forger who knows the format but chains to the wrong predecessor.
    forged = entry_hash(GENESIS, at=T0, action="forged", actor_kind="station",
                        actor_user_id=None, entity_type="", entity_id="", detail="{}")
    _tamper(engine, "INSERT INTO audit_log (id, at, action, actor_kind, entity_type, entity_id,"
            " detail, prev_hash, hash) VALUES (:id, :at, 'forged', 'station', '', '', '{}',"
            " :prev, :hash)", id=ids[-1] + 1, at=T0 if engine.dialect.name != "sqlite"
            else T0.replace(tzinfo=None), prev=GENESIS, hash=forged)
    assert _verify(engine)[0] == ids[-1] + 1


@pytest.mark.postgres
def test_an_entry_inserted_into_a_gap_breaks_the_link_after_it(pg_schema_url: str) -> None:
    engine = create_engine(pg_schema_url)
    try:
        schema.upgrade_engine(engine)
        sessions = make_sessionmaker(engine)
        first = _log(sessions, 2)
        # A refused call rolls back: its entry's id is used up, a gap in the ids.
        with pytest.raises(RuntimeError), write_transaction(sessions, "refused") as session:
            session.add(AuditEntry(at=T0, action="refused", actor_kind=ActorKind.STATION))
            session.flush()
            raise RuntimeError("refused")
        later = _log(sessions, 2)
        gap = first[-1] + 1
        assert later[0] == gap + 1
        with sessions() as session:
            before = session.get_one(AuditEntry, first[-1])
        # A perfectly formed entry chained to its predecessor, slipped into the gap.
        forged = entry_hash(before.hash, at=T0, action="forged", actor_kind="station",
                            actor_user_id=None, entity_type="", entity_id="", detail="{}")
        _tamper(engine, "INSERT INTO audit_log (id, at, action, actor_kind, entity_type,"
                " entity_id, detail, prev_hash, hash) VALUES (:id, :at, 'forged', 'station',"
                " '', '', '{}', :prev, :hash)", id=gap, at=T0, prev=before.hash, hash=forged)
        broken, reason = _verify(engine)
        assert broken == later[0]
        assert f"entry {gap}" in reason
    finally:
        engine.dispose()


def test_the_database_refuses_update_and_delete_of_entries(
        sessions: sessionmaker[Session], engine: Engine) -> None:
    ids = _log(sessions, 2)
    for sql in ("UPDATE audit_log SET action = 'x' WHERE id = :id",
                "DELETE FROM audit_log WHERE id = :id"):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(sa.text(sql), {"id": ids[0]})
    assert _verify(engine) == (None, "")


@pytest.mark.postgres
def test_two_stations_writing_at_once_keep_one_chain(pg_schema_url: str) -> None:
    engines = [create_engine(pg_schema_url) for _ in range(2)]
    schema.upgrade_engine(engines[0])
    errors: list[BaseException] = []

    def write(engine: Engine, name: str) -> None:
        log = AuditLog(make_sessionmaker(engine), clock=_clock)
        try:
            for i in range(40):
                log.record(f"{name}.{i}", actor_kind=ActorKind.STATION)
        except BaseException as exc:  # reported below, on the test's thread
            errors.append(exc)

    writers = [threading.Thread(target=write, args=(e, f"w{n}")) for n, e in enumerate(engines)]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
    try:
        assert errors == []
        with engines[0].connect() as conn:
            report = verify_chain(conn)
            hashes = conn.execute(sa.text("SELECT count(DISTINCT prev_hash) FROM audit_log"))
            assert hashes.scalar_one() == 80  # no two entries share a predecessor
        assert report.intact and report.checked == 80
    finally:
        for engine in engines:
            engine.dispose()


@pytest.mark.parametrize("backend", BACKENDS)
def test_migration_0004_chains_existing_entries_like_the_station_does(
        backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    url = (f"sqlite:///{tmp_path / 'old.sqlite'}" if backend == "sqlite"
           else request.getfixturevalue("pg_schema_url"))
    engine = create_engine(url)
    try:
        schema.upgrade_engine(engine, "0003")
        table = sa.table("audit_log", sa.column("at", sa.DateTime(timezone=True)),
                         sa.column("action"), sa.column("actor_kind"),
                         sa.column("entity_type"), sa.column("entity_id"),
                         sa.column("detail"))
        with engine.begin() as conn:
            for i in range(3):
                at = T0 + timedelta(seconds=i, microseconds=123)
                conn.execute(table.insert().values(
                    at=at.replace(tzinfo=None) if backend == "sqlite" else at,
                    action=f"old.{i}", actor_kind="station", entity_type="t",
                    entity_id=str(i), detail=canonical_json({"ü": i})))
        schema.upgrade_engine(engine)
        _log(make_sessionmaker(engine), 2)  # the station appends after the migrated ones
        with engine.connect() as conn:
            report = verify_chain(conn)
        assert report.intact and report.checked == 5
        schema.downgrade_engine(engine, "0003")
        schema.upgrade_engine(engine)
    finally:
        engine.dispose()


def test_verify_command_exit_status(sessions: sessionmaker[Session], engine: Engine,
                                    capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    url = engine.url.render_as_string(hide_password=False)
    ids = _log(sessions, 3)
    assert run_audit_verify(url) == 0
    assert "intact: 3 entries" in capsys.readouterr().out
    _tamper(engine, "UPDATE audit_log SET action = 'edited' WHERE id = :id", id=ids[1])
    assert run_audit_verify(url) == 1
    assert f"BROKEN at entry {ids[1]}" in capsys.readouterr().out
    assert run_audit_verify(f"sqlite:///{tmp_path / 'missing.sqlite'}") == 2
    assert not (tmp_path / "missing.sqlite").exists()  # verify never creates a database
    assert run_audit_verify("nonsense://") == 2
