"""A read-only view of one chair: the chairside station's full plots, from the database."""

from __future__ import annotations

import math

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget
from sqlalchemy.orm import Session, sessionmaker

from station.persistence import TelemetrySeries, load_series
from station.unit.tiles import ChairFacts
from ui.models.series_buffer import SeriesBuffer
from ui.overview.db_worker import DbWorker
from ui.plots.chair_plot import ChairPlot

CAPACITY = 8 * 3600  # a full day at 1 Hz


class ChairView(QWidget):
    """Rate, volume and pressure of a chair's infusion; nothing here changes anything."""

    def __init__(self, sessions: sessionmaker[Session], worker: DbWorker,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._sessions = sessions
        self._worker = worker
        self.facts: ChairFacts | None = None
        self.title = QLabel("Pick a chair to see its plots (read-only).")
        self.title.setWordWrap(True)
        self.buffer = SeriesBuffer(CAPACITY)
        self.plot = ChairPlot(self.buffer)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.plot, 1)

    def show_chair(self, facts: ChairFacts) -> None:
        """Load the chair's infusion (off the GUI thread) and draw it."""
        self.facts = facts
        self.title.setText(f"{facts.label} {facts.patient_initials} {facts.drug} "
                           f"(read-only; changes are made at the chair's station)")
        self.buffer = SeriesBuffer(CAPACITY)
        self.plot.buffer = self.buffer
        self.plot.set_volume_to_be_infused(facts.vtbi_ml)
        if facts.infusion_id is None:
            self.plot.refresh()
            return
        infusion_id = facts.infusion_id
        self._worker.run(lambda: (infusion_id, load_series(self._sessions, infusion_id)),
                         self._loaded)

    def _loaded(self, result: tuple[int, TelemetrySeries]) -> None:
        infusion_id, series = result
        if self.facts is None or self.facts.infusion_id != infusion_id:
            return  # another chair was picked meanwhile
        times = series.times_us / 1e6
        for k in range(len(series)):
            pressure = float(series.pressure_mmhg[k])
            self.buffer.append(float(times[k]), float(series.rate_ml_h[k]),
                               float(series.volume_ml[k]),
                               None if math.isnan(pressure) else pressure)
        self.plot.refresh()
        self.plot.show_whole_infusion()

