"""One chair's pump events into its series buffer: samples, and gaps at a lost link."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from devices.driver.types import LinkState, LinkStateChanged, Sample
from ui.bridge.pump_bridge import PumpBridge
from ui.models.series_buffer import SeriesBuffer, epoch


class ChairFeed(QObject):
    """Feeds `buffer` from the bridge's events of `pump_id` (on the GUI thread).

    Signals:
        link_up_changed(bool): this pump's link came up or went down (numerics grey out).
    """

    link_up_changed = Signal(bool)

    def __init__(self, bridge: PumpBridge, pump_id: str, buffer: SeriesBuffer,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pump_id = pump_id
        self.buffer = buffer
        bridge.sample_received.connect(self._on_sample)
        bridge.link_changed.connect(self._on_link_changed)

    def _on_sample(self, sample: Sample) -> None:
        if sample.pump_id == self.pump_id:
            self.buffer.append_sample(sample)

    def _on_link_changed(self, event: LinkStateChanged) -> None:
        # Whatever ends the "up" state ends the stretch of line: the plot shows a gap.
        if event.pump_id != self.pump_id:
            return
        if event.old is LinkState.UP:
            self.buffer.mark_gap(epoch(event.at.utc))
        if LinkState.UP in (event.old, event.new):
            self.link_up_changed.emit(event.new is LinkState.UP)
