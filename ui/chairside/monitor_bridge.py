"""The monitoring service's subscription, re-emitted as typed signals on the GUI thread.

`MonitoringService.subscribe` calls its subscriber on the monitoring thread. The bridge
emits a signal there that Qt queues to the bridge's own (GUI) thread, where it emits
`chair_updated` and passes the driver event behind the update to a `PumpBridge`, so
`ChairFeed` and the plots work unchanged. Nothing waits on either side.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal

from station.monitoring import ChairUpdate
from ui.bridge.pump_bridge import PumpBridge


class MonitorBridge(QObject):
    """Chair updates from the monitoring thread to the GUI thread, in order.

    Signals:
        chair_updated(ChairUpdate): one per update of any chair.
    `pumps` re-emits the updates' driver events (samples, link changes ...).
    """

    chair_updated = Signal(ChairUpdate)
    _arrived = Signal(ChairUpdate)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pumps = PumpBridge(self)
        # Queued even when emitted on this thread: delivery is always by the event loop.
        self._arrived.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    def receive(self, update: ChairUpdate) -> None:
        """Thread-safe and quick: the subscriber to hand to `MonitoringService.subscribe`."""
        self._arrived.emit(update)

    def _deliver(self, update: ChairUpdate) -> None:
        if update.event is not None:
            self.pumps.sink(update.event)
        self.chair_updated.emit(update)
