"""The engine's transition kinds, priorities and categories are what storage keeps."""

from __future__ import annotations

from station.alarms import Category, Priority, TransitionKind
from station.persistence.alarms import AlarmCategory, AlarmPriority, AlarmTransitionKind


def test_values_match_the_stored_enums_one_for_one() -> None:
    assert {k.value for k in TransitionKind} == {k.value for k in AlarmTransitionKind}
    assert {p.value for p in Priority} == {p.value for p in AlarmPriority}
    assert {c.value for c in Category} == {c.value for c in AlarmCategory}
