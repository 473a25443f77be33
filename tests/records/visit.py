"""A whole visit on a real SQLite file, built through the services: two titration
steps, a bathroom break, a grade 2 flushing (interrupted, resumed at half rate), an
occlusion alarm acknowledged after 40 s, telemetry every 30 s, completion short of the
order. The same visit feeds the record, CSV, HL7, FHIR and PDF tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from station.domain.pauses import PauseReason, ResumeRate
from station.domain.side_effects import ActionTaken, ReactionGrade, Symptom
from station.persistence.alarm_log import AlarmLog
from station.persistence.alarms import (
    Alarm,
    AlarmCategory,
    AlarmPriority,
    AlarmTransition,
    AlarmTransitionKind,
)
from station.persistence.people import ActorKind
from station.persistence.telemetry import TelemetrySample
from station.persistence.telemetry_writer import TelemetryWriter
from tests.services.world import NORMAL_VITALS, World, accepted, start_running

# (minute from start, rate) the pump runs at; 0 while paused.
RATES = [(0, 40.0), (30, 80.0), (45, 0.0), (57, 80.0), (72, 120.0), (80, 0.0), (90, 60.0),
         (120, 120.0), (130, 0.0)]
SEGMENT_VOLUMES = [20, 20, 20, 16, 30, 20]
TOTAL_ML = 126.0


@dataclass(frozen=True)
class BuiltVisit:
    """Ids and times of the visit."""

    infusion_id: int
    appointment_id: int
    t0: datetime
    alarm_id: int


def _rate_at(minute: float) -> float:
    return [r for m, r in RATES if m <= minute][-1]


def build_visit(world: World) -> BuiltVisit:
    """Run the visit; the clock ends at 190 min after the start (discharged)."""
    svc, t0 = world.svc, world.clock.now
    infusion_id = start_running(world)

    def at(minutes: float) -> datetime:
        world.clock.now = t0 + timedelta(minutes=minutes)
        return world.clock.now

    at(30)
    accepted(svc.titration.confirm_step(infusion_id))
    accepted(svc.pauses.pause(infusion_id, PauseReason.BATHROOM_BREAK, at=at(45)))
    accepted(svc.pauses.resume(infusion_id, ResumeRate.SAME, at=at(57)))
    at(72)
    accepted(svc.titration.confirm_step(infusion_id))
    alarm_id = _occlusion(world, infusion_id, at(75))
    accepted(svc.observations.record_side_effect(
        world.appointment_id, Symptom.FLUSHING, ReactionGrade.MODERATE,
        action_taken=ActionTaken.INTERRUPTED, observed_at=at(80)))
    accepted(svc.observations.record_vitals(world.appointment_id, NORMAL_VITALS,
                                            taken_at=at(85)))
    accepted(svc.pauses.resume(infusion_id, ResumeRate.HALF, at=at(90)))
    at(120)
    accepted(svc.titration.confirm_step(infusion_id))
    accepted(svc.completion.complete(infusion_id, at=at(130),
                                     shortfall_reason="patient asked to stop"))
    _telemetry(world, infusion_id, t0)
    accepted(svc.observations.record_vitals(world.appointment_id, NORMAL_VITALS,
                                            taken_at=at(190)))
    accepted(svc.completion.discharge(world.appointment_id))
    return BuiltVisit(infusion_id, world.appointment_id, t0, alarm_id)


def _occlusion(world: World, infusion_id: int, raised_at: datetime) -> int:
    log = AlarmLog(world.sessions)
    alarm_id = log.raise_alarm(Alarm(
        code="occlusion", priority=AlarmPriority.HIGH,
        category=AlarmCategory.TECHNICAL, latching=True, raised_at=raised_at,
        cause="downstream pressure above the limit", infusion_id=infusion_id,
        pump_id=world.pumps[0], chair_id=world.chairs["C1"], actor_kind=ActorKind.PUMP))
    user = world.nurse.user_id
    log.record_many([
        AlarmTransition(alarm_id=alarm_id, kind=AlarmTransitionKind.ACKNOWLEDGED,
                        priority=AlarmPriority.HIGH, at=raised_at + timedelta(seconds=40),
                        actor_kind=ActorKind.USER, actor_user_id=user),
        AlarmTransition(alarm_id=alarm_id, kind=AlarmTransitionKind.CAUSE_RECORDED,
                        priority=AlarmPriority.HIGH, at=raised_at + timedelta(seconds=60),
                        cause_code="line_kinked", cause="line kinked under the arm",
                        actor_kind=ActorKind.USER, actor_user_id=user),
        AlarmTransition(alarm_id=alarm_id, kind=AlarmTransitionKind.CONDITION_ENDED,
                        priority=AlarmPriority.HIGH, at=raised_at + timedelta(seconds=70),
                        actor_kind=ActorKind.PUMP),
        AlarmTransition(alarm_id=alarm_id, kind=AlarmTransitionKind.RESET,
                        priority=AlarmPriority.HIGH, at=raised_at + timedelta(seconds=80),
                        actor_kind=ActorKind.USER, actor_user_id=user),
    ])
    return alarm_id


def _telemetry(world: World, infusion_id: int, t0: datetime) -> None:
    """A sample every 30 s over the 130 min, volume integrating the rate."""
    writer = TelemetryWriter(world.sessions, clock=lambda: 0.0)
    volume = 0.0
    for i in range(130 * 2 + 1):
        minute = i / 2
        rate = _rate_at(minute)
        writer.add(TelemetrySample(infusion_id, t0 + timedelta(minutes=minute), rate, volume,
                                   120.0 + rate / 4 if rate else 15.0))
        volume += rate / 120
    writer.close()
