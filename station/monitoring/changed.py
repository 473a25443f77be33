"""Which stored record changed, as the unit's change notifications name it.

The monitoring service keeps each chair's clinical schedule and infusion binding in
memory; `MonitoringService.records_changed(ChangedRecord(...))` says that a row of one
chair, infusion or pump was written (by this station or another), so that only the
chairs it concerns read theirs again. Qt-free and free of the unit's payload format:
`station/unit/record_follow.py` turns the notifications into these.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ChangedRecord:
    """A written row: of a `chairs` row id, an infusion id or a `pumps` row id."""

    chair_row: int | None = None
    infusion_id: int | None = None
    pump_id: int | None = None
