"""The table of alarm conditions: priority, latching, category, escalation and texts.

One row per condition the station knows. Priorities and latching are set here, by the
responsible organisation through configuration, never by the operator at the bedside
(IEC 60601-1-8 rationale to 6.3.3.1). Figures are defaults; `with_overrides` lets a
unit change them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from station.alarms.priority import Priority


class Category(StrEnum):
    """Technical (equipment, link) or physiological (patient, site); matches storage."""

    TECHNICAL = "technical"
    PHYSIOLOGICAL = "physiological"


class Source(StrEnum):
    """Who decides that the condition exists."""

    PUMP = "pump"  # the pump's own alarm letter (A?S, A?R, ...) or extended status
    DETECTOR = "detector"  # the station's streaming detectors on pressure and rate
    TIMER = "timer"  # a clinical schedule (site check, titration, pause, observation)
    STATION = "station"  # the station itself (link, sound device, rate check, storage)


@dataclass(frozen=True)
class ConditionSpec:
    """One alarm condition: what it is, how urgent, how it behaves, what to say."""

    name: str
    priority: Priority
    latched: bool
    category: Category
    source: Source
    what_happened: str
    what_to_do: str
    # Seconds unanswered (not acknowledged, not paused) before the priority goes up a
    # step; None: never escalates.
    escalate_after_s: float | None = None


_C, _S, _P = Category, Source, Priority
_ROWS = (
    ConditionSpec("pump_stall", _P.HIGH, True, _C.TECHNICAL, _S.PUMP,
                  "The pump stopped: motor stalled (A?S), usually a downstream occlusion.",
                  "Check clamps, stopcock and kinks; clear the cause, then restart the pump."),
    ConditionSpec("occlusion", _P.MEDIUM, False, _C.TECHNICAL, _S.DETECTOR,
                  "Line pressure is climbing faster than the flow explains: occlusion "
                  "developing before the pump's own limit.",
                  "Check clamps, stopcock, kinks and arm position now.", 60.0),
    ConditionSpec("link_lost", _P.MEDIUM, False, _C.TECHNICAL, _S.STATION,
                  "No answer from the pump: the station cannot see this infusion.",
                  "Watch the pump itself; check the cable and the pump's power.", 120.0),
    # Found on reconnection (station/monitoring/offline_changes.py): LOW for a restart
    # alone, raised at MEDIUM for a stop, a new rate or an unexplained volume. Latched:
    # it happened, so it stays until a person has compared the pump with the order.
    ConditionSpec("pump_changed_offline", _P.LOW, True, _C.TECHNICAL, _S.STATION,
                  "The pump was changed while the station could not see it.",
                  "Compare the pump's state, rate and volume with the order, then reset."),
    ConditionSpec("pump_reset", _P.MEDIUM, True, _C.TECHNICAL, _S.PUMP,
                  "The pump lost power and restarted (A?R); its program may be gone.",
                  "Check the pump's program and volume against the order before resuming."),
    ConditionSpec("safe_mode_timeout", _P.HIGH, True, _C.TECHNICAL, _S.PUMP,
                  "The pump stopped: Safe-mode watchdog ran out (A?T).",
                  "Check the link, then restart the infusion at the pump."),
    ConditionSpec("pump_program_error", _P.MEDIUM, True, _C.TECHNICAL, _S.PUMP,
                  "The pump rejected its program (A?E or A?O).",
                  "Re-enter the program at the pump and check it against the order."),
    ConditionSpec("rate_mismatch", _P.MEDIUM, False, _C.TECHNICAL, _S.STATION,
                  "The pump's rate does not match the ordered step.",
                  "Compare the pump with the order; correct the rate or the step.", 120.0),
    ConditionSpec("volume_near_end", _P.LOW, False, _C.PHYSIOLOGICAL, _S.PUMP,
                  "The infusion is nearly complete.",
                  "Prepare the flush or the next bag.", 600.0),
    ConditionSpec("volume_complete", _P.LOW, False, _C.PHYSIOLOGICAL, _S.PUMP,
                  "The ordered volume has been given.",
                  "Flush the line, end the infusion, start the observation period.", 300.0),
    ConditionSpec("kvo_running", _P.LOW, False, _C.TECHNICAL, _S.PUMP,
                  "The pump is running at keep-vein-open rate.",
                  "End the infusion or start the next step.", 600.0),
    ConditionSpec("titration_step_due", _P.LOW, False, _C.PHYSIOLOGICAL, _S.TIMER,
                  "The next titration step is due.",
                  "Check vital signs and symptoms, then step the rate up as ordered."),
    ConditionSpec("titration_step_overdue", _P.MEDIUM, False, _C.PHYSIOLOGICAL, _S.TIMER,
                  "The titration step is overdue: the infusion is running long.",
                  "Step the rate up, or record why the step is held.", 600.0),
    ConditionSpec("pause_overrun", _P.MEDIUM, False, _C.PHYSIOLOGICAL, _S.TIMER,
                  "The infusion has been paused longer than the drug allows.",
                  "Resume the infusion or record why it stays paused."),
    ConditionSpec("site_check_due", _P.LOW, False, _C.PHYSIOLOGICAL, _S.TIMER,
                  "A site check is due.",
                  "Check the insertion site and record the infiltration grade.", 900.0),
    ConditionSpec("vital_signs_due", _P.LOW, False, _C.PHYSIOLOGICAL, _S.TIMER,
                  "Vital signs are due.",
                  "Take and record vital signs.", 900.0),
    ConditionSpec("observation_over", _P.ADVISORY, False, _C.PHYSIOLOGICAL, _S.TIMER,
                  "The post-infusion observation period is over.",
                  "Check the patient before discharge."),
    ConditionSpec("low_battery", _P.MEDIUM, False, _C.TECHNICAL, _S.PUMP,
                  "The pump reports a low battery.",
                  "Plug the pump into mains power.", 300.0),
    ConditionSpec("air_in_line", _P.HIGH, True, _C.TECHNICAL, _S.PUMP,
                  "The pump reports air in the line.",
                  "Stop, remove the air as trained, check the line before restarting."),
    ConditionSpec("dislodgement", _P.MEDIUM, True, _C.PHYSIOLOGICAL, _S.DETECTOR,
                  "Line pressure dropped and stayed low: the catheter may have come out.",
                  "Check the site now: this is a prompt to look, not a diagnosis.", 60.0),
    ConditionSpec("infiltration", _P.MEDIUM, True, _C.PHYSIOLOGICAL, _S.DETECTOR,
                  "Line resistance is creeping up with the volume given: fluid may be "
                  "entering the tissue.",
                  "Check the site for swelling, coolness, pain; record the grade.", 120.0),
    ConditionSpec("sound_device_missing", _P.HIGH, False, _C.TECHNICAL, _S.STATION,
                  "The station has no working sound device: alarms are silent here.",
                  "Restore the speaker or use another station; watch the screen."),
    ConditionSpec("storage_unavailable", _P.HIGH, False, _C.TECHNICAL, _S.STATION,
                  "The database refuses writes: alarms, events and telemetry are not "
                  "being recorded (they are kept and retried), and the unit overview "
                  "cannot see this station.",
                  "Call technical support; record on paper until this alarm ends."),
    ConditionSpec("chair_taken_over", _P.HIGH, False, _C.TECHNICAL, _S.STATION,
                  "Another station took this chair over while this one was silent: this "
                  "station no longer records the chair's telemetry or alarms, and the unit "
                  "overview shows the other station's.",
                  "Check which station the pump is connected to; monitor the chair there "
                  "and stop it here."),
    ConditionSpec("spool_unavailable", _P.HIGH, False, _C.TECHNICAL, _S.STATION,
                  "The station's own disk refuses the records the database cannot take "
                  "(full or failing): they are kept in memory only and are lost if the "
                  "station stops before the database takes them.",
                  "Call technical support; keep the station running; record on paper."),
)

CONDITIONS: dict[str, ConditionSpec] = {row.name: row for row in _ROWS}


def with_overrides(
    table: dict[str, ConditionSpec], overrides: dict[str, dict[str, object]]
) -> dict[str, ConditionSpec]:
    """A copy of `table` with some fields of some rows changed (unit configuration).

    An unknown condition or field is a ValueError, so a typo never goes unnoticed.
    """
    result = dict(table)
    for name, changes in overrides.items():
        if name not in result:
            raise ValueError(f"unknown alarm condition {name!r}")
        unknown = set(changes) - set(ConditionSpec.__dataclass_fields__) | (
            {"name"} & set(changes)
        )
        if unknown:
            raise ValueError(f"cannot override {sorted(unknown)} of {name!r}")
        result[name] = replace(result[name], **changes)  # type: ignore[arg-type]
    return result
