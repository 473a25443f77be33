"""A chair's clinical schedule and the alarms it raises: pause overrun, titration step
due and overdue, vital signs and site check due, observation period over.

`ClinicalSchedule` holds the due times (aware UTC) as the stored record gives them; it
is reloaded only when the services report a write (and every few seconds as a
backstop), never per tick. `ScheduleWatch.tick` compares them with the clock on every
monitoring tick: constant work, no database, so each condition rises on time whether
or not a window is open, and every transition goes through the chair's alarm engine
(which stores it). Level conditions: each is raised while its time has come and ends
by itself once the stored record says it is answered (pause ended, step confirmed,
vitals taken, patient discharged).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from station.alarms import ChairAlarms, Priority

PAUSE_OVERRUN = "pause_overrun"
TITRATION_DUE = "titration_step_due"
TITRATION_OVERDUE = "titration_step_overdue"
VITALS_DUE = "vital_signs_due"
SITE_CHECK_DUE = "site_check_due"
OBSERVATION_OVER = "observation_over"
SCHEDULE_CONDITIONS = (PAUSE_OVERRUN, TITRATION_DUE, TITRATION_OVERDUE, VITALS_DUE,
                       SITE_CHECK_DUE, OBSERVATION_OVER)


@dataclass(frozen=True)
class ClinicalSchedule:
    """What one chair's clinical timers run from, as stored now (None: not running)."""

    appointment_id: int | None = None
    infusion_id: int | None = None
    paused_at: datetime | None = None
    pause_medium_at: datetime | None = None  # the drug's or unit's medium threshold
    pause_high_at: datetime | None = None
    next_step: str = ""  # "step 3 (150 mL/h)", for the alarm's detail
    titration_due_at: datetime | None = None
    titration_overdue_at: datetime | None = None
    vitals_due_at: datetime | None = None
    site_check_due_at: datetime | None = None
    # When the volume will be in from the titration plan (remaining steps and their
    # durations up to the VTBI), or from the fixed rate; None when nothing runs.
    expected_end: datetime | None = None
    completed_at: datetime | None = None
    observation_ends_at: datetime | None = None  # only while the patient is observed


NO_SCHEDULE = ClinicalSchedule()
ScheduleSource = Callable[[str], ClinicalSchedule]
"""Reads the schedule of a chair (by its label) from the stored record; may raise
`StorageError`. Called on the monitoring thread."""


def _reached(due: datetime | None, now: datetime) -> bool:
    return due is not None and now >= due


def _at(due: datetime | None) -> str:
    return "" if due is None else f"due {due:%H:%M:%S} UTC"


class ScheduleWatch:
    """Sets one chair's schedule conditions from its `ClinicalSchedule` and the time."""

    def __init__(self, alarms: ChairAlarms) -> None:
        self._alarms = alarms
        self.schedule = NO_SCHEDULE

    def apply(self, schedule: ClinicalSchedule, now: datetime) -> bool:
        """Use a freshly loaded schedule; True when it differs from the last one."""
        changed = schedule != self.schedule
        self.schedule = schedule
        self.tick(now)
        return changed

    def tick(self, now: datetime) -> None:
        s, alarms = self.schedule, self._alarms
        high = _reached(s.pause_high_at, now)
        medium = high or _reached(s.pause_medium_at, now)
        level = Priority.HIGH if high else Priority.MEDIUM if medium else None
        alarms.set_condition(PAUSE_OVERRUN, medium, priority=level,
                             detail=f"paused since {s.paused_at:%H:%M:%S} UTC"
                             if s.paused_at else "")
        overdue = _reached(s.titration_overdue_at, now)
        due = not overdue and _reached(s.titration_due_at, now)
        alarms.set_condition(TITRATION_DUE, due,
                             detail=f"{s.next_step} {_at(s.titration_due_at)}".strip())
        alarms.set_condition(TITRATION_OVERDUE, overdue,
                             detail=f"{s.next_step} {_at(s.titration_due_at)}".strip())
        alarms.set_condition(VITALS_DUE, _reached(s.vitals_due_at, now),
                             detail=_at(s.vitals_due_at))
        alarms.set_condition(SITE_CHECK_DUE, _reached(s.site_check_due_at, now),
                             detail=_at(s.site_check_due_at))
        alarms.set_condition(OBSERVATION_OVER, _reached(s.observation_ends_at, now),
                             detail=_at(s.observation_ends_at))
