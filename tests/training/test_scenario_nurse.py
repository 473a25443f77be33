"""The scenario nurse records the nurse's steps through the services (a real SQLite
file): the visit started on the chair's pump, a break, its end, a side effect that
interrupts the infusion; a step that cannot be done is said, and changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from station.alarms.clock import ManualClock
from station.persistence.delivery import Infusion, InfusionStatus, Pause
from station.persistence.observations import SideEffect
from station.services import Actor, StationServices, load_library
from station.training.scenario_nurse import ScenarioNurse

START = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)


def _nurse(sessions: sessionmaker[Session], clock: ManualClock) -> ScenarioNurse:
    def services_for(actor: Actor) -> StationServices:
        return StationServices.build(sessions, clock=clock.utc_now, library=load_library(),
                                     actor=actor, clinic_tz=UTC)
    return ScenarioNurse(sessions, [("C1", "SN0001"), ("C2", "SN0002")], services_for,
                         now=clock.utc_now())


def _step(action: str, pump: int | None = 1, **params: float) -> dict[str, object]:
    return {"action": action, "pump": pump, "params": params}


def test_a_break_and_a_reaction_are_recorded_as_at_the_station(
        sessions: sessionmaker[Session]) -> None:
    clock = ManualClock(START)
    nurse = _nurse(sessions, clock)
    started: list[str] = []
    nurse.on_started = started.append
    assert nurse.perform(_step("start", None, rate_ml_h=150, volume_ml=500)) == []
    assert started == ["C1", "C2"]
    clock.advance(300)
    assert nurse.perform(_step("pause")) == []
    clock.advance(600)
    assert nurse.perform(_step("resume")) == []
    clock.advance(60)
    assert nurse.perform(_step("reaction", grade=2)) == []
    with sessions() as session:
        infusions = session.scalars(sa.select(Infusion).order_by(Infusion.id)).all()
        assert [(i.pump and i.pump.serial_number, i.rate_ml_h, i.vtbi_ml) for i in infusions] == [
            ("SN0001", 150, 500), ("SN0002", 150, 500)]
        assert [i.status for i in infusions] == [InfusionStatus.PAUSED, InfusionStatus.RUNNING]
        pauses = session.scalars(sa.select(Pause).order_by(Pause.id)).all()
        assert [(p.reason, p.started_at.replace(tzinfo=UTC) - START) for p in pauses] == [
            ("bathroom break", timedelta(seconds=300)), ("reaction", timedelta(seconds=960))]
        assert pauses[0].ended_at is not None and pauses[1].ended_at is None
        effect = session.scalars(sa.select(SideEffect)).one()
        assert (effect.ctcae_grade, effect.action_taken, effect.rate_ml_h) == (
            2, "interrupted", 150)
    assert nurse.done == ["C1: start", "C2: start", "C1: pause", "C1: resume", "C1: reaction"]


def test_a_step_that_cannot_be_done_is_said_and_changes_nothing(
        sessions: sessionmaker[Session]) -> None:
    clock = ManualClock(START)
    nurse = _nurse(sessions, clock)
    assert nurse.perform(_step("pause")) == ["C1: pause refused: no infusion was started at C1"]
    assert nurse.perform(_step("start")) == []
    (problem,) = nurse.perform(_step("resume"))
    assert problem.startswith("C1: resume refused: ") and "not paused" in problem
    assert nurse.perform(_step("start")) == [
        "C1: start refused: an infusion was started at C1 already"]
    assert nurse.perform(_step("pause", 3)) == ["pump 3: no chair of this run has it"]
    with sessions() as session:
        assert session.scalars(sa.select(Pause)).all() == []
        assert len(session.scalars(sa.select(Infusion)).all()) == 1
