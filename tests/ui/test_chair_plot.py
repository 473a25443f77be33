"""The chair plot draws what the buffer holds: curves, gaps, pauses, markers, limit."""

from __future__ import annotations

import numpy as np
import pytest
from pytestqt.qtbot import QtBot

from ui.models.series_buffer import Marker, MarkerKind, SeriesBuffer
from ui.plots.chair_plot import (
    EVENT_LANE_MERGED_PX,
    EVENT_LANES_PX,
    PAGE_AHEAD,
    TOUCH_PX,
    ChairPlot,
    line_width,
)
from ui.plots.marker_lane import hover_text

T0 = 1_790_000_000.0


def filled(seconds: int = 600, *, pressure: bool = True, gap_at: int | None = None) -> SeriesBuffer:
    buffer = SeriesBuffer(capacity=64)
    for s in range(seconds):
        if gap_at is not None and gap_at <= s < gap_at + 20:
            if s == gap_at:
                buffer.mark_gap(T0 + s)
            continue
        buffer.append(T0 + s, 60.0 if s < 300 else 120.0, s * 0.02,
                      30.0 + (s % 5) if pressure else None)
    return buffer


@pytest.fixture
def make_plot(qtbot: QtBot):  # type: ignore[no-untyped-def]
    def make(buffer: SeriesBuffer, limit: float | None = 300.0) -> ChairPlot:
        plot = ChairPlot(buffer, occlusion_limit_mmhg=limit)
        qtbot.addWidget(plot)
        plot.resize(900, 600)
        plot.show()
        qtbot.waitExposed(plot)
        return plot
    return make


def test_refresh_hands_the_buffer_arrays_to_the_curves(make_plot) -> None:  # type: ignore[no-untyped-def]
    buffer = filled()
    plot = make_plot(buffer)
    plot.refresh()
    x, y = plot.rate_curve.getOriginalDataset()
    np.testing.assert_array_equal(x, buffer.t)
    np.testing.assert_array_equal(y, buffer.rate)
    np.testing.assert_array_equal(plot.volume_curve.getOriginalDataset()[1], buffer.volume)
    np.testing.assert_array_equal(plot.pressure_curve.getOriginalDataset()[1], buffer.pressure)
    assert plot.rate_curve.opts["stepMode"] == "right"
    for curve in (plot.rate_curve, plot.volume_curve, plot.pressure_curve):
        assert curve.opts["downsampleMethod"] == "peak"
        assert curve.opts["autoDownsample"] and curve.opts["clipToView"]
        assert curve.opts["connect"] == "finite"


def test_a_gap_stays_nan_in_the_drawn_data(make_plot) -> None:  # type: ignore[no-untyped-def]
    buffer = filled(gap_at=200)
    plot = make_plot(buffer)
    plot.refresh()
    plot.grab()  # paint, so the display dataset (clipped, downsampled) is computed
    for curve in (plot.rate_curve, plot.volume_curve, plot.pressure_curve):
        x, y = curve.getOriginalDataset()
        assert np.isnan(y).sum() == 1
        gap = int(np.flatnonzero(np.isnan(y))[0])
        assert x[gap - 1] < x[gap] < x[gap + 1]  # between the stretches, not interpolated
        shown_x, shown_y = curve.getData()  # what is drawn: clipped and downsampled
        assert np.isnan(shown_y).any()
        assert not (np.isfinite(shown_y) & (shown_x > T0 + 200) & (shown_x < T0 + 220)).any()


def test_refresh_only_redraws_when_the_buffer_changed(make_plot) -> None:  # type: ignore[no-untyped-def]
    buffer = filled(10)
    plot = make_plot(buffer)
    plot.refresh()
    first = plot.rate_curve.getOriginalDataset()[0]
    plot.refresh()
    assert plot.rate_curve.getOriginalDataset()[0] is first
    buffer.append(T0 + 20, 60.0, 1.0, 30.0)
    plot.refresh()
    assert len(plot.rate_curve.getOriginalDataset()[0]) == len(buffer)


def test_follow_live_keeps_the_newest_sample_in_view_and_a_pan_stops_it(make_plot) -> None:  # type: ignore[no-untyped-def]
    buffer = filled(7200)
    plot = make_plot(buffer)
    plot.refresh()
    (x0, x1), _ = plot.rate_plot.viewRange()
    assert x0 < buffer.last_t <= x1
    assert x1 - buffer.last_t == pytest.approx((x1 - x0) * PAGE_AHEAD, rel=0.01)
    with qtbot_signal(plot) as follow:
        plot.rate_plot.vb.translateBy(x=-600.0)  # what a drag does
        plot.rate_plot.vb.sigRangeChangedManually.emit([True, False])
    assert follow == [False]
    assert not plot.follow_live and not plot.follow_button.isChecked()
    for s in range(7200, 7200 + 3600):
        buffer.append(T0 + s, 120.0, 2.0, 30.0)
    plot.refresh()
    assert plot.rate_plot.viewRange()[0][1] < buffer.last_t  # stays where the nurse put it
    plot.follow_button.click()
    assert plot.follow_live
    (x0, x1), _ = plot.rate_plot.viewRange()
    assert x0 < buffer.last_t <= x1


def test_whole_infusion_shows_everything_from_the_first_sample(make_plot) -> None:  # type: ignore[no-untyped-def]
    buffer = filled(6 * 3600)
    plot = make_plot(buffer)
    plot.refresh()
    plot.whole_button.click()
    (x0, x1), _ = plot.rate_plot.viewRange()
    assert x0 <= buffer.t[0] and buffer.last_t <= x1


def test_occlusion_limit_is_drawn_and_kept_in_view(make_plot) -> None:  # type: ignore[no-untyped-def]
    plot = make_plot(filled(), limit=250.0)
    plot.refresh()
    assert plot.limit_line is not None and plot.limit_line.value() == 250.0
    assert "250 mmHg" in plot.limit_line.label.toPlainText()
    _, (y0, y1) = plot.pressure_plot.viewRange()
    assert y0 <= 250.0 < y1


def test_a_pump_without_pressure_says_so(make_plot) -> None:  # type: ignore[no-untyped-def]
    plot = make_plot(filled(pressure=False), limit=None)
    plot.refresh()
    assert plot.limit_line is None
    assert not plot.pressure_curve.isVisible()
    assert plot.no_pressure_text.isVisible()
    assert "not reported by this pump" in plot.no_pressure_text.toPlainText()


def test_pauses_are_shaded_in_every_plot_and_named(make_plot) -> None:  # type: ignore[no-untyped-def]
    buffer = filled()
    buffer.start_pause(T0 + 100, "bathroom break")
    plot = make_plot(buffer)
    plot.refresh()
    regions = plot.pauses.regions[0]
    assert len(regions) == 3
    assert regions[0].getRegion() == (T0 + 100, buffer.last_t)  # open: runs to the latest
    assert "bathroom break" in plot.pauses.labels[0].toPlainText()
    buffer.end_pause(T0 + 160)
    plot.refresh()
    assert all(r.getRegion() == (T0 + 100, T0 + 160) for r in regions)
    assert len(plot.pauses.regions) == 1


def test_markers_sit_in_their_lanes_with_the_detail_on_hover(make_plot) -> None:  # type: ignore[no-untyped-def]
    buffer = filled()
    effect = Marker(T0 + 50, MarkerKind.SIDE_EFFECT, "nausea, grade 2", "rate halved")
    buffer.add_marker(effect)
    buffer.add_marker(Marker(T0 + 60, MarkerKind.TITRATION, "120 mL/h"))
    buffer.add_marker(Marker(T0 + 70, MarkerKind.ALARM, "** MEDIUM occlusion"))
    plot = make_plot(buffer)
    plot.refresh()
    scatter = plot.markers.scatters[MarkerKind.SIDE_EFFECT]
    points = scatter.points()
    assert len(points) == 1 and points[0].pos().x() == T0 + 50
    text = points[0].data()
    assert text == hover_text(effect)
    assert "Side effects: nausea, grade 2" in text and "rate halved" in text
    assert scatter.opts["hoverable"]
    assert len(plot.markers.scatters[MarkerKind.VITALS].points()) == 0


def test_a_short_plot_merges_the_marker_lanes(make_plot, qtbot: QtBot) -> None:  # type: ignore[no-untyped-def]
    buffer = filled()
    effect = Marker(T0 + 50, MarkerKind.SIDE_EFFECT, "nausea, grade 2", "rate halved")
    buffer.add_marker(effect)
    buffer.add_marker(Marker(T0 + 70, MarkerKind.ALARM, "** MEDIUM occlusion"))
    plot = make_plot(buffer)
    plot.refresh()
    assert not plot.compact and plot.event_plot.height() == EVENT_LANES_PX
    assert {p.pos().y() for s in plot.markers.scatters.values() for p in s.points()} == {0, 2}
    plot.resize(900, 300)
    qtbot.waitUntil(lambda: plot.compact)
    assert plot.event_plot.maximumHeight() == EVENT_LANE_MERGED_PX
    assert plot.markers.scatters[MarkerKind.SIDE_EFFECT].opts["symbol"] == "star"
    points = [p for s in plot.markers.scatters.values() for p in s.points()]
    assert {p.pos().y() for p in points} == {0}  # one lane
    assert hover_text(effect) in {p.data() for p in points}
    assert "<br>" in plot.rate_plot.getAxis("left").labelText  # two-line title
    buffer.add_marker(Marker(T0 + 80, MarkerKind.VITALS, "BP 120/80"))
    plot.refresh()
    assert plot.markers.scatters[MarkerKind.VITALS].points()[0].pos().y() == 0
    plot.resize(900, 600)
    qtbot.waitUntil(lambda: not plot.compact)
    assert plot.markers.scatters[MarkerKind.VITALS].points()[0].pos().y() == 1
    assert plot.rate_plot.getAxis("left").labelText == "Rate"


def test_controls_are_touch_sized_and_named(make_plot) -> None:  # type: ignore[no-untyped-def]
    plot = make_plot(filled(10))
    for button in (plot.follow_button, plot.whole_button):
        assert button.height() >= TOUCH_PX and button.width() >= TOUCH_PX
        assert button.accessibleName()


class qtbot_signal:  # noqa: N801 - reads as a context manager helper
    """Collect the follow_live_changed values emitted inside the block."""

    def __init__(self, plot: ChairPlot) -> None:
        self.plot = plot
        self.values: list[bool] = []

    def __enter__(self) -> list[bool]:
        self.plot.follow_live_changed.connect(self.values.append)
        return self.values

    def __exit__(self, *exc: object) -> None:
        self.plot.follow_live_changed.disconnect(self.values.append)


@pytest.mark.parametrize(("ratio", "width"), [(1.0, 1), (1.25, 1), (2.0, 2), (3.0, 3)])
def test_lines_keep_one_logical_pixel_on_high_dpi(ratio: float, width: int) -> None:
    assert line_width(ratio) == width


def test_shown_plot_uses_the_screen_line_width(make_plot) -> None:  # type: ignore[no-untyped-def]
    plot = make_plot(filled(10))
    expected = line_width(plot.devicePixelRatioF())
    assert plot.line_width == expected
    assert plot.rate_curve.opts["pen"].width() == expected


def test_volume_to_be_infused_is_drawn_and_in_view(make_plot) -> None:  # type: ignore[no-untyped-def]
    plot = make_plot(filled())
    plot.refresh()
    plot.set_volume_to_be_infused(500.0)
    assert plot.vtbi_line is not None and plot.vtbi_line.value() == 500.0
    assert "to be infused 500 mL" in plot.vtbi_line.label.toPlainText()
    assert plot.volume_plot.viewRange()[1][1] > 500.0
    plot.set_volume_to_be_infused(None)
    assert plot.vtbi_line is None


def test_whole_infusion_keeps_the_start_in_view_as_the_infusion_grows(make_plot) -> None:  # type: ignore[no-untyped-def]
    buffer = filled(3600)
    plot = make_plot(buffer)
    plot.show_whole_infusion()
    plot.refresh()
    for s in range(3600, 3 * 3600):
        buffer.append(T0 + s, 120.0, 2.0, 30.0)
    plot.refresh()
    (x0, x1), _ = plot.rate_plot.viewRange()
    assert x0 <= buffer.t[0] and buffer.last_t <= x1
    plot.set_follow_live(False)
    plot.set_follow_live(True)  # plain follow live again: keeps the span, not the start
    for s in range(3 * 3600, 5 * 3600):
        buffer.append(T0 + s, 120.0, 2.0, 30.0)
    plot.refresh()
    (x0, x1), _ = plot.rate_plot.viewRange()
    assert x0 > buffer.t[0] and x0 < buffer.last_t <= x1
