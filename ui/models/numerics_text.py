"""The words and numbers of a chair's large numerics, from the latest sample. Qt-free."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from devices.driver.types import Sample
from devices.protocol import Prompt

NO_VALUE = "—"
_STATUS = {Prompt.INFUSING: "Infusing", Prompt.STOPPED: "Stopped", Prompt.PAUSED: "Paused",
           Prompt.TIMED_PAUSE: "Paused (timed)", Prompt.USER_WAIT: "Waiting for the user",
           Prompt.PURGING: "Purging", Prompt.WITHDRAWING: "Withdrawing"}


@dataclass(frozen=True)
class NumericsText:
    """What the numerics panel shows; `stale` greys the values (link down)."""

    rate: str
    volume: str
    remaining: str
    expected_end: str
    pressure: str
    status: str
    stale: bool


def say_duration(span: timedelta) -> str:
    """`1 h 05 min`, `12 min`, `< 1 min`."""
    minutes = math.ceil(span.total_seconds() / 60)
    if minutes < 1:
        return "< 1 min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"


def _volume(value: float) -> str:
    return f"{value:.1f}"


def numerics_text(sample: Sample | None, *, vtbi_ml: float | None, now: datetime,
                  link_up: bool = True, planned_end: datetime | None = None,
                  tz: tzinfo | None = None) -> NumericsText:
    """The panel's text at `now`.

    `vtbi_ml` is the volume to be infused of the order. `planned_end` (from the
    titration plan, whose steps change the rate) wins over the estimate from the
    current rate. Times are shown in `tz` (the station's local time by default).
    """
    if sample is None:
        return NumericsText(NO_VALUE, NO_VALUE, NO_VALUE, NO_VALUE, NO_VALUE,
                            "Waiting for the pump" if link_up else "No link to the pump",
                            stale=not link_up)
    of = f" of {_volume(vtbi_ml)} mL" if vtbi_ml is not None else " mL"
    pressure = ("not reported by this pump" if sample.pressure_mmhg is None
                else f"{sample.pressure_mmhg:.0f} mmHg")
    remaining, end = _remaining(sample, vtbi_ml, now, planned_end)
    status = _STATUS.get(sample.status, str(sample.status))
    if not link_up:
        seen = sample.at.utc.astimezone(tz).strftime("%H:%M:%S")
        status = f"Link lost: values from {seen}"
        remaining, end = NO_VALUE, NO_VALUE
    if isinstance(end, datetime):
        end = f"ends {end.astimezone(tz).strftime('%H:%M')}"
    return NumericsText(
        rate=f"{sample.rate_ml_h:.1f} mL/h", volume=f"{_volume(sample.volume_ml)}{of}",
        remaining=remaining, expected_end=end, pressure=pressure, status=status,
        stale=not link_up)


def _remaining(sample: Sample, vtbi_ml: float | None, now: datetime,
               planned_end: datetime | None) -> tuple[str, datetime | str]:
    """Time left in words, and the expected end (or why there is none)."""
    if vtbi_ml is not None and sample.volume_ml >= vtbi_ml:
        return "complete", NO_VALUE
    if planned_end is not None:
        return say_duration(max(planned_end - now, timedelta(0))), planned_end
    if vtbi_ml is None:
        return NO_VALUE, NO_VALUE
    if sample.status is not Prompt.INFUSING or sample.rate_ml_h <= 0:
        return NO_VALUE, "not running"
    left = timedelta(hours=(vtbi_ml - sample.volume_ml) / sample.rate_ml_h)
    return say_duration(left), now + left
