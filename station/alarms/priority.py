"""Alarm priorities (IEC 60601-1-8): high, medium, low, plus advisories."""

from __future__ import annotations

from enum import StrEnum


class Priority(StrEnum):
    """How urgent an alarm is; the string values match the stored `AlarmPriority`.

    Advisories prompt a check (a site check, the end of an observation period) and are
    shown without a sound; the three alarm priorities each have their own burst.
    """

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    ADVISORY = "advisory"

    @property
    def rank(self) -> int:
        """Higher number, more urgent: for sorting and break-through comparisons."""
        return _RANK[self]

    @property
    def sounds(self) -> bool:
        """Whether an alarm of this priority makes a sound at all."""
        return self is not Priority.ADVISORY

    @property
    def symbol(self) -> str:
        """Text marker so that priority is never shown by colour alone."""
        return _SYMBOL[self]

    def escalated(self) -> Priority:
        """One step more urgent; HIGH stays HIGH."""
        return _NEXT[self]

    def outranks(self, other: Priority | None) -> bool:
        return other is None or self.rank > other.rank


_RANK = {Priority.ADVISORY: 0, Priority.LOW: 1, Priority.MEDIUM: 2, Priority.HIGH: 3}
_SYMBOL = {Priority.ADVISORY: "i", Priority.LOW: "*", Priority.MEDIUM: "**", Priority.HIGH: "***"}
_NEXT = {
    Priority.ADVISORY: Priority.LOW,
    Priority.LOW: Priority.MEDIUM,
    Priority.MEDIUM: Priority.HIGH,
    Priority.HIGH: Priority.HIGH,
}


def most_urgent(priorities: list[Priority]) -> Priority | None:
    """The highest of `priorities`, None for an empty list."""
    return max(priorities, key=lambda p: p.rank, default=None)
