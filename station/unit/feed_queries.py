"""The reads behind the overview's tiles, batched over a set of chairs (Core selects,
a fixed number of queries per refresh whatever the number of chairs)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from station.alarms import Priority
from station.persistence.alarms import Alarm, AlarmTransition
from station.persistence.delivery import Infusion, Pause
from station.persistence.orders import Order
from station.persistence.people import Patient, User
from station.persistence.scheduling import Appointment, Chair
from station.persistence.unit import AckRequest, ChairAssignment, ChairLease, UnitStation
from station.unit.alarm_state import replay
from station.unit.sparklines import TailCache
from station.unit.tiles import ChairFacts, NextAppointment, TileAlarm

ALARM_LOOKBACK = timedelta(hours=24)
IN_CHAIR = ("in_chair", "infusing", "observation")


@dataclass(frozen=True)
class ChairRow:
    chair_id: int
    label: str
    pod: str
    nurse: str


def chair_rows(session: Session, chair_ids: Collection[int] | None) -> list[ChairRow]:
    """Active chairs (all, or these), with pod and nurse, by label."""
    stmt = (sa.select(Chair.id, Chair.label, ChairAssignment.pod, User.display_name)
            .outerjoin(ChairAssignment, ChairAssignment.chair_id == Chair.id)
            .outerjoin(User, User.id == ChairAssignment.nurse_id)
            .where(Chair.active.is_(True)).order_by(Chair.label))
    if chair_ids is not None:
        stmt = stmt.where(Chair.id.in_(list(chair_ids)))
    return [ChairRow(cid, label, pod or "", nurse or "")
            for cid, label, pod, nurse in session.execute(stmt)]


def heartbeats(session: Session) -> dict[str, datetime]:
    """Every station's last heartbeat."""
    return {name: beat for name, beat in
            session.execute(sa.select(UnitStation.name, UnitStation.heartbeat_at))}


def station_heartbeats(session: Session, labels: Collection[str]
                       ) -> dict[str, tuple[str, datetime]]:
    """chair label -> (station holding its lease, that station's last heartbeat)."""
    stmt = (sa.select(ChairLease.chair_label, ChairLease.station, UnitStation.heartbeat_at)
            .join(UnitStation, UnitStation.name == ChairLease.station)
            .where(ChairLease.chair_label.in_(list(labels))))
    return {label: (station, beat) for label, station, beat in session.execute(stmt)}


def read_facts(session: Session, chairs: list[ChairRow], now: datetime,
               day: tuple[datetime, datetime], telemetry: TailCache) -> list[ChairFacts]:
    """Everything a tile shows for these chairs, in a fixed number of queries."""
    by_id = {c.chair_id: c for c in chairs}
    leases = station_heartbeats(session, [c.label for c in chairs])
    appointments = session.execute(
        sa.select(Appointment.id, Appointment.chair_id, Appointment.start_at,
                  Appointment.status, Patient.given_name, Patient.family_name)
        .join(Patient, Patient.id == Appointment.patient_id)
        # From the day before too: a visit still under care past midnight is still here.
        .where(Appointment.chair_id.in_(list(by_id)),
               Appointment.start_at >= day[0] - timedelta(days=1),
               Appointment.start_at < day[1])
        .order_by(Appointment.start_at)).all()
    infusions = session.execute(
        sa.select(Infusion.id, Infusion.appointment_id, Infusion.status, Infusion.rate_ml_h,
                  Infusion.vtbi_ml, Infusion.started_at, Infusion.ended_at,
                  Infusion.observation_ends_at, Order.drug)
        .join(Order, Order.id == Infusion.order_id)
        .where(Infusion.appointment_id.in_([a.id for a in appointments]))
        .order_by(Infusion.id)).all()
    latest_infusion = {row.appointment_id: row for row in infusions}  # the latest wins
    facts: dict[int, dict[str, Any]] = {cid: {} for cid in by_id}
    for appt in appointments:
        found = facts[appt.chair_id]
        initials = f"{appt.given_name[:1]}.{appt.family_name[:1]}."
        infusion = latest_infusion.get(appt.id)
        here = appt.status.value in IN_CHAIR or (
            infusion is not None and infusion.status.value in ("running", "paused"))
        if here:
            found.update(patient_initials=initials, appointment_id=appt.id)
            if infusion is not None:
                found.update(infusion_id=infusion.id, infusion_status=infusion.status.value,
                             drug=infusion.drug, vtbi_ml=infusion.vtbi_ml,
                             rate_ml_h=infusion.rate_ml_h, started_at=infusion.started_at,
                             ended_at=infusion.ended_at,
                             observation_ends_at=infusion.observation_ends_at)
        elif appt.status.value == "booked" and appt.start_at >= now and (
                "next_appointment" not in found):
            found["next_appointment"] = NextAppointment(appt.start_at, initials)
    infusion_chair = {f["infusion_id"]: cid for cid, f in facts.items() if "infusion_id" in f}
    for infusion_id, since in session.execute(
            sa.select(Pause.infusion_id, Pause.started_at)
            .where(Pause.infusion_id.in_(list(infusion_chair)), Pause.ended_at.is_(None))):
        facts[infusion_chair[infusion_id]]["paused_since"] = since
    alarms = open_alarms(session, by_id, infusion_chair, now)
    tails = telemetry.tails(session, list(infusion_chair), now)
    result = []
    for cid, found in facts.items():
        chair = by_id[cid]
        found.pop("appointment_id", None)
        tail = tails.get(found.get("infusion_id", -1))
        if tail is not None:
            found.update(rate_ml_h=tail.rate_ml_h, volume_ml=tail.volume_ml,
                         rate_history=tail.history)
        lease = leases.get(chair.label)
        result.append(ChairFacts(chair_id=cid, label=chair.label, pod=chair.pod,
                                 nurse=chair.nurse, station=lease[0] if lease else None,
                                 alarms=tuple(sorted(alarms.get(cid, []),
                                                     key=TileAlarm.sort_key)),
                                 read_at=now, **found))
    return result


def open_alarms(session: Session, chairs: dict[int, ChairRow], infusion_chair: dict[int, int],
                now: datetime) -> dict[int, list[TileAlarm]]:
    """The chairs' open alarms (raised within a day), by chair row id."""
    linked: sa.ColumnElement[bool] = Alarm.chair_id.in_(list(chairs))
    if infusion_chair:
        linked = sa.or_(linked, Alarm.infusion_id.in_(list(infusion_chair)))
    rows = session.execute(
        sa.select(Alarm.id, Alarm.code, Alarm.priority, Alarm.category, Alarm.latching,
                  Alarm.raised_at, Alarm.chair_id, Alarm.infusion_id)
        .where(linked, Alarm.raised_at >= now - ALARM_LOOKBACK)).all()
    if not rows:
        return {}
    steps: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for alarm_id, kind, priority in session.execute(
            sa.select(AlarmTransition.alarm_id, AlarmTransition.kind, AlarmTransition.priority)
            .where(AlarmTransition.alarm_id.in_([r.id for r in rows]))
            .order_by(AlarmTransition.id)):
        steps[alarm_id].append((kind.value, priority.value))
    asked = set(session.scalars(
        sa.select(AckRequest.alarm_id).where(AckRequest.handled_at.is_(None),
                                             AckRequest.alarm_id.in_([r.id for r in rows]))))
    found: dict[int, list[TileAlarm]] = defaultdict(list)
    for row in rows:
        cid = row.chair_id if row.chair_id in chairs else infusion_chair.get(row.infusion_id)
        if cid is None:
            continue
        now_state = replay(row.latching, Priority(row.priority.value), steps[row.id])
        if now_state.open:
            found[cid].append(TileAlarm(row.id, chairs[cid].label, row.code,
                                        now_state.priority, now_state.state,
                                        row.category.value == "technical", row.raised_at,
                                        ack_requested=row.id in asked))
    return found
