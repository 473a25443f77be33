"""Sign-in required for every write; alarm settings and the drug library only by charge
nurses and administrators, each change audited."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from station.access.library_admin import LibraryAdministration
from station.access.roles import Role
from station.access.session import StationSession
from station.domain.drug_library_loader import DEFAULT_PATH, load_drug_library
from station.domain.library_checker import DrugLibraryError
from station.domain.refusals import Accepted
from station.persistence.audit import AuditEntry
from station.persistence.audit_log import AuditLog
from station.services import AccessDeniedError, Actor, NotSignedInError, StationServices
from station.services.bundle import load_library
from tests.access.conftest import Clock
from tests.services.world import World, seed_world


@pytest.fixture
def world(sessions: sessionmaker[Session]) -> World:
    return seed_world(sessions, load_library())


def _audit_count(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) or 0


def _services(world: World, actor: StationSession | Actor) -> StationServices:
    return StationServices.build(world.sessions, clock=world.clock, library=world.library,
                                 actor=actor)


def test_nobody_signed_in_writes_nothing_and_a_nurse_then_can(world: World) -> None:
    station = StationSession()
    services = _services(world, station)
    before = _audit_count(world.sessions)
    with pytest.raises(NotSignedInError, match="sign in"):
        services.checkin.check_in(world.mrn)
    assert _audit_count(world.sessions) == before
    station.begin(world.nurse)
    assert isinstance(services.checkin.check_in(world.mrn), Accepted)
    station.end()
    with pytest.raises(NotSignedInError):
        services.schedule.seat(world.appointment_id)


def test_an_administrator_does_not_record_care(world: World) -> None:
    admin = Actor(world.nurse.user_id, "Ada Admin", frozenset({Role.ADMINISTRATOR}))
    before = _audit_count(world.sessions)
    with pytest.raises(AccessDeniedError, match="may not record care"):
        _services(world, admin).checkin.check_in(world.mrn)
    assert _audit_count(world.sessions) == before
    trainer = Actor(world.nurse.user_id, "Tess Trainer", frozenset({Role.TRAINER}))
    assert isinstance(_services(world, trainer).checkin.check_in(world.mrn), Accepted)


@pytest.fixture
def library_file(tmp_path: Path) -> Path:
    (tmp_path / "library").mkdir()
    path = tmp_path / "library" / "drug_library.toml"
    shutil.copyfile(DEFAULT_PATH, path)
    return path


@pytest.mark.parametrize("role", [Role.NURSE, Role.TRAINER])
def test_nurses_and_trainers_change_no_alarm_setting_or_library(
        world: World, library_file: Path, role: Role) -> None:
    admin = LibraryAdministration(world.sessions, Actor(world.nurse.user_id, "N",
                                                        frozenset({role})), library_file)
    text = library_file.read_text()
    with pytest.raises(AccessDeniedError):
        admin.change_alarm_setting("defaults", "pause_alarm_high_min", 25, "longer walks")
    with pytest.raises(AccessDeniedError):
        admin.replace_library(text, "same")
    assert library_file.read_text() == text


@pytest.mark.parametrize("role", [Role.CHARGE_NURSE, Role.ADMINISTRATOR])
def test_charge_nurses_and_administrators_change_them_audited(
        world: World, library_file: Path, role: Role, sessions: sessionmaker[Session]) -> None:
    clock = Clock()
    actor = Actor(world.nurse.user_id, "Carl", frozenset({role}))
    admin = LibraryAdministration(sessions, actor, library_file, clock=clock)
    library = admin.change_alarm_setting("units.infusion-centre", "pause_alarm_high_min", 25,
                                         "the unit's bathrooms are far")
    assert load_drug_library(library_file) == library
    assert "pause_alarm_high_min = 25" in library_file.read_text()
    entry = AuditLog(sessions).entries(entity_type="drug_library")[-1]
    assert entry.action == "alarm_setting.changed"
    assert entry.actor_user_id == world.nurse.user_id
    assert entry.detail_dict() | {"sha256_before": "", "sha256_after": ""} == {
        "table": "units.infusion-centre", "key": "pause_alarm_high_min", "from": "20",
        "to": 25, "reason": "the unit's bathrooms are far", "file": "drug_library.toml",
        "sha256_before": "", "sha256_after": ""}
    admin.replace_library(DEFAULT_PATH.read_text(), "back to the shipped library")
    assert library_file.read_text() == DEFAULT_PATH.read_text()
    assert AuditLog(sessions).entries(entity_type="drug_library")[-1].action == \
        "drug_library.replaced"


def test_an_invalid_change_is_refused_and_leaves_file_and_log_alone(
        world: World, library_file: Path, sessions: sessionmaker[Session]) -> None:
    admin = LibraryAdministration(sessions, Actor(world.nurse.user_id, "C",
                                                  frozenset({Role.CHARGE_NURSE})), library_file)
    text, before = library_file.read_text(), _audit_count(sessions)
    # The high pause alarm must come after the medium one.
    with pytest.raises(DrugLibraryError):
        admin.change_alarm_setting("defaults", "pause_alarm_high_min", 5, "shorter")
    with pytest.raises(DrugLibraryError):
        admin.replace_library("[library]\nversion = 1\n", "broken")
    with pytest.raises(ValueError, match="reason"):
        admin.change_alarm_setting("defaults", "pause_alarm_high_min", 30, " ")
    with pytest.raises(ValueError, match="not an alarm setting"):
        admin.change_alarm_setting("defaults", "hard_max", 30, "faster")
    with pytest.raises(ValueError, match="no drug"):
        admin.change_alarm_setting("drug.aspirin", "pause_alarm_high_min", 30, "x")
    assert library_file.read_text() == text and _audit_count(sessions) == before
    assert list(library_file.parent.iterdir()) == [library_file]  # no temporary left
