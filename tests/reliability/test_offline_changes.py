"""The comparison of the pump before and after an outage, by hand."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from devices.driver import Sample, Stamp
from devices.protocol import Prompt
from station.alarms import Priority
from station.monitoring.offline_changes import (
    ChangeKind,
    alarm_priority,
    changes_while_offline,
)

T = datetime(2026, 12, 7, 12, tzinfo=UTC)


def sample(status: Prompt, rate: float, volume: float, at_s: float) -> Sample:
    return Sample("C1", Stamp(T, at_s), status, rate, volume, None)


def kinds(before: Sample, after: Sample, pump_s: float) -> list[ChangeKind]:
    return [c.kind for c in changes_while_offline(before, after, pump_s)]


def test_an_infusion_that_simply_went_on_is_no_change() -> None:
    # 100 mL/h for 36 s: 1 mL given, as the rate explains.
    assert kinds(sample(Prompt.INFUSING, 100, 5.0, 0), sample(Prompt.INFUSING, 100, 6.0, 36),
                 36.0) == []


def test_a_restart_alone_is_low_and_anything_else_medium() -> None:
    restart = changes_while_offline(sample(Prompt.PAUSED, 100, 5.0, 0),
                                    sample(Prompt.INFUSING, 100, 5.5, 36), 36.0)
    assert [c.kind for c in restart] == [ChangeKind.RESTARTED]
    assert alarm_priority(restart) is Priority.LOW
    stop = changes_while_offline(sample(Prompt.INFUSING, 100, 5.0, 0),
                                 sample(Prompt.STOPPED, 100, 5.5, 36), 36.0)
    assert [c.kind for c in stop] == [ChangeKind.STOPPED]
    assert alarm_priority(stop + restart) is Priority.MEDIUM


def test_more_volume_than_the_rate_explains_is_a_jump() -> None:
    assert kinds(sample(Prompt.INFUSING, 100, 5.0, 0), sample(Prompt.INFUSING, 100, 7.0, 36),
                 36.0) == [ChangeKind.VOLUME_JUMPED]
    assert kinds(sample(Prompt.INFUSING, 100, 5.0, 0), sample(Prompt.INFUSING, 100, 0.0, 36),
                 36.0) == [ChangeKind.VOLUME_CLEARED]


@given(rate=st.floats(0.1, 999), pump_s=st.floats(0, 36000), share=st.floats(0, 1),
       start=st.floats(0, 500))
def test_volume_given_at_the_old_rate_never_raises_anything(
        rate: float, pump_s: float, share: float, start: float) -> None:
    given_ml = rate * pump_s / 3600 * share
    before = sample(Prompt.INFUSING, rate, start, 0)
    after = sample(Prompt.INFUSING, rate, start + given_ml, pump_s)
    assert changes_while_offline(before, after, pump_s) == []
