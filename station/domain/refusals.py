"""Result types shared by every rule: a value, or refusals a nurse can read aloud."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Generic, TypeAlias, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Refusal:
    """One reason a rule said no. ``code`` is stable for programs, ``reason`` is for people."""

    code: str
    reason: str


@dataclass(frozen=True)
class Accepted(Generic[T]):
    """The rule accepted the request and produced ``value``."""

    value: T


@dataclass(frozen=True)
class Refused:
    """The rule refused; ``refusals`` are in the order a nurse should deal with them."""

    refusals: tuple[Refusal, ...]

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(r.code for r in self.refusals)


Result: TypeAlias = Accepted[T] | Refused


def decide(value: T, refusals: list[Refusal]) -> Result[T]:
    """Accept ``value`` unless a refusal was collected."""
    if refusals:
        return Refused(tuple(refusals))
    return Accepted(value)


def require_aware(moment: datetime, name: str = "time") -> None:
    """Rules compare instants; a naive datetime would silently mean local time."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware (UTC), got naive {moment!r}")


def say_minutes(span: timedelta) -> str:
    """A duration as a nurse would say it: "1 h 5 min", "12 min", "less than a minute"."""
    minutes = int(abs(span).total_seconds() // 60)
    if minutes == 0:
        return "less than a minute"
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return f"{hours} h {rest} min"
    if hours:
        return f"{hours} h"
    return f"{rest} min"


def say_number(value: float, decimals: int = 1) -> str:
    """Numbers without a trailing ".0" so that "30 mL/h" reads naturally."""
    text = f"{value:.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
