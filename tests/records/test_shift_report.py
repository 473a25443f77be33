"""The shift report over a stored day: a titrated visit and a saline infusion still running."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from station.records import load_shift_report
from tests.records.visit import BuiltVisit
from tests.services.conftest import BOTH_BACKENDS
from tests.services.world import World, saline_running


@BOTH_BACKENDS
def test_figures_of_a_shift(world: World, visit: BuiltVisit) -> None:
    saline_running(world, rate_ml_h=100, volume_ml=250)  # seated and started at +190 min
    end = visit.t0 + timedelta(minutes=250)
    report = load_shift_report(world.sessions, visit.t0 - timedelta(hours=1), end)

    assert (report.infusions, report.completed, report.alarms) == (2, 1, 1)
    # Chair time: seated to discharged (190 min) and seated to the end of the shift (60).
    assert [v.actual_min for v in report.visits] == pytest.approx([190, 60])
    assert report.booked_min == 480 and report.actual_min == pytest.approx(250)
    assert report.chair_hours == pytest.approx(250 / 60)
    assert report.alarms_per_chair_hour == pytest.approx(60 / 250)
    assert report.median_ack_s == 40
    assert report.pause_min_per_visit == pytest.approx(11)  # 22 min over two visits
    assert report.reactions == {("ocrelizumab-later", "step 3"): 1}


def test_an_empty_shift_has_no_rates(world: World) -> None:
    report = load_shift_report(world.sessions, datetime(2026, 1, 1, tzinfo=UTC),
                               datetime(2026, 1, 2, tzinfo=UTC))
    assert report.infusions == 0
    assert report.alarms_per_chair_hour is None and report.median_ack_s is None
    assert report.pause_min_per_visit is None


@pytest.mark.parametrize(("start", "end", "message"), [
    (datetime(2026, 1, 2), datetime(2026, 1, 3), "time zone"),
    (datetime(2026, 1, 2, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC), "end after"),
])
def test_a_bad_window_is_refused(world: World, start: datetime, end: datetime,
                                 message: str) -> None:
    with pytest.raises(ValueError, match=message):
        load_shift_report(world.sessions, start, end)
