"""From the pump's status letters (`A?S`, `A?R`, ...) to alarm conditions."""

from __future__ import annotations

from station.alarms.manager import ChairAlarms

# Alarm letters of the pump protocol (docs: pump-protocol.md, reply grammar).
_BY_LETTER = {
    "S": "pump_stall",
    "R": "pump_reset",
    "T": "safe_mode_timeout",
    "E": "pump_program_error",
    "O": "pump_program_error",
}
PUMP_CONDITIONS = frozenset(_BY_LETTER.values())


def condition_for_status(status: str) -> str | None:
    """`A?S` -> `pump_stall`; a prompt letter (I, S, P, ...) -> None.

    An unknown alarm letter is a ValueError: the protocol forbids inventing letters.
    """
    text = status.strip().upper()
    if not text.startswith("A?"):
        return None
    letter = text[2:]
    try:
        return _BY_LETTER[letter]
    except KeyError:
        raise ValueError(f"unknown pump alarm {status!r}") from None


def apply_pump_status(chair: ChairAlarms, status: str) -> None:
    """Raise the alarm a status reports, or end every pump alarm on a plain prompt.

    Pump alarms latch in the table, so ending the condition leaves them for a reset.
    """
    condition = condition_for_status(status)
    if condition is not None:
        chair.raise_condition(condition, detail=f"pump status {status.strip()}")
        return
    for name in PUMP_CONDITIONS:
        chair.clear_condition(name)
