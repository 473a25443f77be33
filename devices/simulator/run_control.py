"""The trainer's controls over a running simulator: speed, a scenario, a recording.

All on the server's loop thread (the control socket and the tick), so no locks. The
scenario has its own clock: simulated seconds while it runs, none while it is paused
(the pumps carry on). A recording writes each pump's labelled trace
(`DIR/pumpN.csv`) and, when it stops, `DIR/run.json`: every action of the run (the
trainer's injections and clears, the scenario's steps) as a scenario file, so that
loading it replays the run.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from devices.simulator.clock import ScaledClock
from devices.simulator.faults import FaultError
from devices.simulator.fleet import Fleet
from devices.simulator.scenario import Scenario, ScenarioError, check_pumps
from devices.simulator.scenario_step import FiredStep, ScenarioRunner
from devices.simulator.trace import TraceRecorder, TraceWriter

MIN_SPEED, MAX_SPEED = 0.1, 1000.0
RUN_FILE = "run.json"


class RunControl:
    """Speed, the loaded scenario's life cycle, and recording; see the module docstring."""

    def __init__(self, fleet: Fleet, clock: ScaledClock, trace_interval_s: float = 1.0) -> None:
        self._fleet = fleet
        self._clock = clock
        self._trace_interval_s = trace_interval_s
        self.scenario: Scenario | None = None
        self.state = "none"  # none, loaded, running, paused, finished, stopped
        self.stand_in = False
        self._runner: ScenarioRunner | None = None
        self._elapsed_s = 0.0
        self._last_now = clock.now()
        self._recorders: list[TraceRecorder] = []
        self._record_dir: Path | None = None
        self._record_start = 0.0
        self._actions: list[dict[str, Any]] = []

    # -- speed ------------------------------------------------------------------------

    def set_speed(self, speed: object) -> None:
        if isinstance(speed, bool) or not isinstance(speed, int | float) or not (
                MIN_SPEED <= speed <= MAX_SPEED):
            raise FaultError(f"speed must be a number {MIN_SPEED:g}..{MAX_SPEED:g}, "
                             f"got {speed!r}")
        self._clock.set_speed(float(speed))

    # -- the scenario -----------------------------------------------------------------

    def load(self, scenario: Scenario) -> None:
        try:
            check_pumps(list(scenario.steps), len(self._fleet.units), scenario.source)
        except ScenarioError as exc:
            raise FaultError(str(exc)) from None
        self.scenario, self.state, self._runner = scenario, "loaded", None

    def start(self, stand_in: bool = False) -> None:
        """Run the loaded scenario from its start (again, if it ran before)."""
        if self.scenario is None:
            raise FaultError("no scenario loaded")
        self.stand_in = stand_in
        self._runner = ScenarioRunner(list(self.scenario.steps), stand_in=stand_in)
        self._elapsed_s = 0.0
        self._last_now = self._clock.now()
        self.state = "running"
        self.tick()

    def pause(self) -> None:
        self._require("running", "pause")
        self.tick()
        self.state = "paused"

    def resume(self) -> None:
        self._require("paused", "resume")
        self._last_now = self._clock.now()
        self.state = "running"

    def stop(self) -> None:
        """No more steps; the faults it injected stay until cleared."""
        if self.state in ("running", "paused"):
            self.tick()
            self.state = "stopped"

    def _require(self, state: str, verb: str) -> None:
        if self.state != state:
            raise FaultError(f"cannot {verb} a scenario that is {self.state}")

    def tick(self) -> None:
        """On every server tick: the scenario's clock and steps, the recording."""
        now = self._clock.now()
        if self.state == "running" and self._runner is not None:
            self._elapsed_s += now - self._last_now
            for fired in self._runner.run_due(self._elapsed_s, self._fleet):
                self._note_fired(fired)
            if self._runner.finished:
                self.state = "finished"
        self._last_now = now
        for recorder in self._recorders:
            recorder.tick()

    def status(self, since: int = 0) -> dict[str, Any]:
        fired = self._runner.fired if self._runner is not None else []
        scenario = self.scenario
        return {
            "state": self.state,
            "speed": self._clock.speed,
            "time_s": round(self._clock.now(), 3),
            "elapsed_s": round(self._elapsed_s, 3),
            "stand_in": self.stand_in,
            "title": scenario.title if scenario else None,
            "description": scenario.description if scenario else None,
            "source": scenario.source if scenario else None,
            "duration_s": scenario.duration_s if scenario else None,
            "steps": len(scenario.steps) if scenario else 0,
            "fired_count": len(fired),
            "fired": [f.as_json() for f in fired[max(0, since):]],
            "recording": str(self._record_dir) if self._record_dir else None,
        }

    # -- recording --------------------------------------------------------------------

    def start_recording(self, folder: Path) -> None:
        if self._record_dir is not None:
            raise FaultError(f"already recording into {self._record_dir}")
        try:
            folder.mkdir(parents=True, exist_ok=True)
            self._recorders = [
                TraceRecorder(unit.pump, TraceWriter.open(folder / f"pump{n}.csv", labels=True),
                              self._trace_interval_s)
                for n, unit in sorted(self._fleet.units.items())]
        except OSError as exc:
            self._close_recorders()
            raise FaultError(f"cannot record into {folder}: {exc}") from None
        self._record_dir, self._record_start, self._actions = folder, self._clock.now(), []

    def stop_recording(self) -> list[str]:
        """Close the traces, write the run's actions; the files written."""
        folder = self._record_dir
        if folder is None:
            raise FaultError("not recording")
        self._close_recorders()
        self._record_dir = None
        document = {
            "title": f"Recorded run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
            "description": "Replays the actions of a recorded training run, at their times.",
            "pumps": len(self._fleet.units),
            "step": self._actions or [{"at_s": 0, "prompt": "Nothing was done in this run."}],
        }
        run_file = folder / RUN_FILE
        run_file.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
        traces = [str(folder / f"pump{n}.csv") for n in sorted(self._fleet.units)]
        return [*traces, str(run_file)]

    def note(self, step: Mapping[str, Any]) -> None:
        """A trainer's action, in step form, while recording."""
        if self._record_dir is not None:
            at_s = round(self._clock.now() - self._record_start, 3)
            self._actions.append({"at_s": at_s, **{k: v for k, v in step.items()
                                                   if v is not None}})

    def _note_fired(self, fired: FiredStep) -> None:
        if fired.step is not None:
            self.note({k: v for k, v in fired.step.raw.items() if k != "stand_in"})

    def _close_recorders(self) -> None:
        for recorder in self._recorders:
            recorder.close()
        self._recorders = []

    def close(self) -> None:
        if self._record_dir is not None:
            self.stop_recording()
