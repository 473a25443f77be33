"""Shared fixed instants and small builders for the domain tests (no real clock)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from station.domain.refusals import Accepted, Refused, Result, T

NOW = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


def accepted(result: Result[T]) -> T:
    """The value of an accepted result; fails the test with the reasons otherwise."""
    assert isinstance(result, Accepted), result
    return result.value


def refusal_codes(result: Result[T]) -> tuple[str, ...]:
    assert isinstance(result, Refused), result
    return result.codes


def reasons(result: Result[T]) -> str:
    assert isinstance(result, Refused), result
    return " | ".join(r.reason for r in result.refusals)
