"""Plays the nurse's part of a scenario at the station, through the station services.

A scenario's `station = "pause"` steps (devices/simulator/scenario_step.py) are what the
trainee does at the station. In a live session the trainee does them; a headless run
(the shipped scenarios' tests, a demonstration) hands each fired one to `perform`, which
records it as the station's windows would: `start` books a made-up patient on the
chair, checks them in and starts a fixed-rate infusion (sodium chloride 0.9 %, the
step's rate and volume) on the chair's simulated pump; `pause` is a bathroom break;
`resume` restarts at the same rate; `reaction` records a side effect of the step's
grade (flushing) with the infusion interrupted. The clinical timers (pause overrun,
checks due, observation) then run on the record as they do at a chair.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from station.domain.pauses import PauseReason, ResumeRate
from station.domain.refusals import Accepted, Result
from station.domain.side_effects import ActionTaken, ReactionGrade, Symptom
from station.persistence.records import Records
from station.persistence.scheduling import Chair
from station.services import Actor, StationServices
from station.training.made_up_visit import MadeUpPatient, add_chairs, book_visit, start_visit

FIXED_RATE_DRUG = "sodium-chloride-0.9"
DEFAULT_RATE_ML_H, DEFAULT_VOLUME_ML = 100.0, 250.0


@dataclass(frozen=True)
class _Visit:
    appointment_id: int
    infusion_id: int


class ScenarioNurse:
    """`perform(fired["station"])` records one nurse's step; refusals come back as text.

    `pumps`: (chair label, pump serial) per simulated pump, in pump order (pump 1 first);
    the chairs, pumps and the training nurse are stored first. `services_for(nurse)`:
    the station services acting as that nurse (on the training station's clock), kept
    as `services`. `on_started(chair)`: after a start (the monitoring's binding lookup).
    """

    def __init__(self, sessions: sessionmaker[Session], pumps: Sequence[tuple[str, str]],
                 services_for: Callable[[Actor], StationServices], *,
                 now: datetime | None = None,
                 on_started: Callable[[str], object] | None = None) -> None:
        self._records = Records(sessions)
        nurse, chairs, pump_rows = add_chairs(self._records, pumps, now or datetime.now(UTC))
        self.services = self._services = services_for(nurse)
        self._chairs = [(chair, pump.id) for chair, pump in zip(chairs, pump_rows, strict=True)]
        self._visits: dict[str, _Visit] = {}
        self.on_started = on_started
        self.done: list[str] = []  # what was recorded, in words

    def perform(self, station: Mapping[str, Any]) -> list[str]:
        """Carry out a fired step's `station` part at its pump (every pump when None)."""
        action, pump = str(station["action"]), station.get("pump")
        params = {str(k): float(v) for k, v in dict(station.get("params") or {}).items()}
        numbers = range(1, len(self._chairs) + 1) if pump is None else [int(pump)]
        problems = []
        for number in numbers:
            if not 1 <= number <= len(self._chairs):
                problems.append(f"pump {number}: no chair of this run has it")
                continue
            label = self._chairs[number - 1][0].label
            refusal = self._perform_at(number, action, params)
            if refusal is None:
                self.done.append(f"{label}: {action}")
            else:
                problems.append(f"{label}: {action} refused: {refusal}")
        return problems

    def _perform_at(self, number: int, action: str, params: Mapping[str, float]) -> str | None:
        chair, pump_id = self._chairs[number - 1]
        if action == "start":
            return self._start(number, chair, pump_id, params)
        visit = self._visits.get(chair.label)
        if visit is None:
            return f"no infusion was started at {chair.label}"
        services, now = self._services, self._services.context.now()
        result: Result[Any]
        if action == "pause":
            result = services.pauses.pause(visit.infusion_id, PauseReason.BATHROOM_BREAK, at=now)
        elif action == "resume":
            result = services.pauses.resume(visit.infusion_id, ResumeRate.SAME, at=now)
        elif action == "reaction":
            result = services.observations.record_side_effect(
                visit.appointment_id, Symptom.FLUSHING,
                ReactionGrade(int(params.get("grade", ReactionGrade.MODERATE))),
                action_taken=ActionTaken.INTERRUPTED, observed_at=now)
        else:
            return f"unknown action {action!r}"
        return None if isinstance(result, Accepted) else str(result)

    def _start(self, number: int, chair: Chair, pump_id: int,
               params: Mapping[str, float]) -> str | None:
        label = chair.label
        if label in self._visits:
            return f"an infusion was started at {label} already"
        rate = params.get("rate_ml_h", DEFAULT_RATE_ML_H)
        volume = params.get("volume_ml", DEFAULT_VOLUME_ML)
        patient = MadeUpPatient(f"TRN-S{number:02d}", "Scenario", f"Patient {number}",
                                date(1975, 5, 5), (), FIXED_RATE_DRUG, 0, volume,
                                ordered_rate_ml_h=rate)
        now = self._services.context.now()
        try:
            appointment_id = book_visit(self._records, self._services, patient, chair,
                                        start_at=now, now=now)
            started = start_visit(self._services, patient, appointment_id, chair=label,
                                  pump_id=pump_id, now=now)
        except RuntimeError as exc:  # a refusal on the way (check-in, start)
            return str(exc)
        self._visits[label] = _Visit(appointment_id, started.infusion_id)
        if self.on_started is not None:
            self.on_started(label)
        return None
