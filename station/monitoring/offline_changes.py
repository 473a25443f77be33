"""What changed at the pump while the station could not see it.

During an outage a nurse may stop the pump, change its rate, clear its volume or give
a bolus at the pump's own keys, and the Safe-mode watchdog may stop it. None of that
reached the station. On reconnection the first sample is compared with the last one
before the outage: each difference is one `OfflineChange`, stored as an event and
shown as the `pump_changed_offline` alarm (docs/reliability.md).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from devices.driver import Sample
from devices.protocol import Prompt
from station.alarms import Priority

PUMP_CHANGED_OFFLINE = "pump_changed_offline"
PUMPING = frozenset({Prompt.INFUSING, Prompt.WITHDRAWING, Prompt.PURGING})
# Rates are read back as the pump's own float text: any real change exceeds this.
RATE_TOLERANCE_ML_H = 0.001
# Volume beyond what the old rate explains over the gap: a margin for the time between
# the last poll and the loss, and for the pump float's rounding.
VOLUME_MARGIN = 0.05  # share of the explained volume
VOLUME_MARGIN_ML = 0.05


class ChangeKind(enum.StrEnum):
    STOPPED = "stopped"
    RESTARTED = "restarted"
    RATE_CHANGED = "rate_changed"
    VOLUME_JUMPED = "volume_jumped"
    VOLUME_CLEARED = "volume_cleared"


@dataclass(frozen=True)
class OfflineChange:
    """One difference between the pump before and after an outage, in words."""

    kind: ChangeKind
    text: str


def changes_while_offline(before: Sample, after: Sample,
                          pump_seconds: float) -> list[OfflineChange]:
    """The changes between the last sample before an outage and the first after it.

    `pump_seconds`: the time between the two samples on the pump's clock (real seconds
    times the simulator's speed), to tell the volume the old rate explains from a jump.
    """
    changes: list[OfflineChange] = []
    was, now = before.status in PUMPING, after.status in PUMPING
    if was and not now:
        changes.append(OfflineChange(
            ChangeKind.STOPPED,
            f"pump stopped (was {before.status.name.lower()}, now {after.status.name.lower()})"))
    elif now and not was:
        changes.append(OfflineChange(
            ChangeKind.RESTARTED,
            f"pump started ({after.status.name.lower()} at {after.rate_ml_h:g} mL/h)"))
    if abs(after.rate_ml_h - before.rate_ml_h) > RATE_TOLERANCE_ML_H:
        changes.append(OfflineChange(
            ChangeKind.RATE_CHANGED,
            f"rate changed {before.rate_ml_h:g} -> {after.rate_ml_h:g} mL/h"))
    given = after.volume_ml - before.volume_ml
    if given < -VOLUME_MARGIN_ML:
        changes.append(OfflineChange(
            ChangeKind.VOLUME_CLEARED,
            f"volume counter went back {before.volume_ml:g} -> {after.volume_ml:g} mL"))
    else:
        explained = _explained_ml(before, after, pump_seconds)
        if given > explained * (1 + VOLUME_MARGIN) + VOLUME_MARGIN_ML:
            changes.append(OfflineChange(
                ChangeKind.VOLUME_JUMPED,
                f"volume jumped {before.volume_ml:g} -> {after.volume_ml:g} mL "
                f"(at most {explained:.2f} mL explained by the rate)"))
    return changes


def alarm_priority(changes: list[OfflineChange]) -> Priority:
    """MEDIUM when the delivery may differ from the order; LOW for a restart alone.

    A stop delays the treatment, a new rate or an unexplained volume changes the dose:
    a nurse must compare the pump with the order soon. A restart at the pump is
    usually the nurse resuming after a break, still worth a look at the screen.
    """
    if all(c.kind is ChangeKind.RESTARTED for c in changes):
        return Priority.LOW
    return Priority.MEDIUM


def _explained_ml(before: Sample, after: Sample, pump_seconds: float) -> float:
    """The most the pump can have given at the larger of its two rates over the gap,
    if it pumped at either end (a nurse may have paused and resumed in between)."""
    if before.status not in PUMPING and after.status not in PUMPING:
        return 0.0
    return max(before.rate_ml_h, after.rate_ml_h) * max(pump_seconds, 0.0) / 3600.0
