"""The line/patient model in process: pressures, faults, determinism."""

from __future__ import annotations

import numpy as np
import pytest

from devices.simulator.corpus import simulate_trace
from devices.simulator.faults import Fault, TimedFault
from devices.simulator.injector import apply_physical
from devices.simulator.physics import CM_H2O_TO_MMHG, STEP_S, LineModel, LineParams

QUIET = LineParams(ripple_mmhg=0.0, noise_sd_mmhg=0.0)


def settled(model: LineModel, flow_ml_h: float, seconds: float = 30.0) -> float:
    model.advance(seconds, flow_ml_h)
    return model.state.pressure_mmhg


def test_steady_pressure_is_venous_plus_height_plus_resistance_times_flow() -> None:
    params = QUIET.updated({"site_height_cm": 20.0})
    model = LineModel(params, np.random.default_rng(0))
    expected = 9.0 + 20.0 * CM_H2O_TO_MMHG + 0.06 * 100.0
    assert settled(model, 100.0) == pytest.approx(expected, abs=1e-6)
    assert model.sensed_pressure() == pytest.approx(expected, abs=1e-6)


def test_occlusion_climbs_at_flow_over_compliance() -> None:
    model = LineModel(QUIET, np.random.default_rng(0))
    start = settled(model, 36.0)
    apply_physical(model, Fault.make("occlusion"), present=True)
    model.advance(10.0, 36.0)
    slope = (model.state.pressure_mmhg - start) / 10.0
    assert slope == pytest.approx(36.0 / 3600.0 / 0.002, rel=0.01)  # 5 mmHg/s


def test_partial_occlusion_settles_higher() -> None:
    model = LineModel(QUIET, np.random.default_rng(0))
    apply_physical(model, Fault.make("occlusion", {"severity": 0.75}), present=True)
    assert settled(model, 100.0) == pytest.approx(9.0 + 0.06 * 4 * 100.0, abs=0.01)


def test_dislodgement_drops_towards_hydrostatic_only() -> None:
    params = QUIET.updated({"site_height_cm": -10.0})
    model = LineModel(params, np.random.default_rng(0))
    apply_physical(model, Fault.make("dislodgement"), present=True)
    expected = -10.0 * CM_H2O_TO_MMHG + 0.06 * 0.2 * 100.0
    assert settled(model, 100.0) == pytest.approx(expected, abs=1e-3)
    assert model.state.delivered_ml["outside"] > 0.8


def test_infiltration_pressure_creeps_up_with_volume_in_tissue() -> None:
    model = LineModel(QUIET, np.random.default_rng(0))
    apply_physical(model, Fault.make("infiltration"), present=True)
    early = settled(model, 100.0, 60.0)
    late = settled(model, 100.0, 1200.0)
    volume = model.state.tissue_volume_ml
    assert volume == pytest.approx(100.0 * 1260 / 3600, rel=0.01)
    expected = 2.0 + 0.6 * volume + 0.06 * (1 + 0.05 * volume) * 100.0
    assert late == pytest.approx(expected, abs=0.1)
    assert late > early + 10.0
    apply_physical(model, Fault.make("infiltration"), present=False)
    assert model.state.tissue_volume_ml == 0.0


def test_air_in_line_slows_the_pressure_response() -> None:
    clear = LineModel(QUIET, np.random.default_rng(0))
    airy = LineModel(QUIET, np.random.default_rng(0))
    apply_physical(airy, Fault.make("air_in_line"), present=True)
    for model in (clear, airy):
        apply_physical(model, Fault.make("occlusion"), present=True)
        model.advance(5.0, 36.0)
    assert airy.state.pressure_mmhg - 9.0 == pytest.approx(
        (clear.state.pressure_mmhg - 9.0) / 4.0, rel=0.05
    )


def test_ripple_and_noise_only_on_the_sensed_value() -> None:
    model = LineModel(LineParams(), np.random.default_rng(3))
    readings = []
    for _ in range(400):
        model.advance(STEP_S, 100.0)
        readings.append(model.sensed_pressure() - model.state.pressure_mmhg)
    assert 0.3 < float(np.std(readings)) < 1.5
    assert abs(float(np.mean(readings))) < 0.2


def test_movement_artifacts_appear_when_their_rate_is_set() -> None:
    for rate, expect_spikes in ((0.0, False), (600.0, True)):
        params = QUIET.updated({"artifact_rate_per_h": rate})
        model = LineModel(params, np.random.default_rng(5))
        peak = 0.0
        for _ in range(int(600 / STEP_S)):
            model.advance(STEP_S, 50.0)
            peak = max(peak, abs(model.sensed_pressure() - model.state.pressure_mmhg))
        assert (peak > 10.0) is expect_spikes


def test_same_seed_same_run_whatever_the_chunks() -> None:
    one = LineModel(LineParams(artifact_rate_per_h=60.0), np.random.default_rng(9))
    two = LineModel(LineParams(artifact_rate_per_h=60.0), np.random.default_rng(9))
    one.advance(120.0, 80.0)
    for _ in range(1200):
        two.advance(0.1, 80.0)
    assert one.sensed_pressure() == two.sensed_pressure()


def test_unknown_or_invalid_parameters_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown line parameter"):
        QUIET.updated({"venus": 1.0})
    with pytest.raises(ValueError, match="compliance"):
        QUIET.updated({"compliance_ml_per_mmhg": 0.0})


def test_simulate_trace_stalls_at_the_limit_and_labels_rows() -> None:
    fault = TimedFault(Fault.make("occlusion"), onset_s=300.0)
    rows = simulate_trace(QUIET, [fault], 600.0, 1.0, rate_ml_h=50.0, seed=2)
    assert len(rows) == 601
    assert all(row.faults == () and row.status == "I" for row in rows[:300])
    assert all(row.faults == ("occlusion",) for row in rows[301:])
    stalled = next(row for row in rows if row.status == "A?S")
    # 500 - 12 mmHg at 50/3600/0.002 = 6.94 mmHg/s: about 70 s after the onset
    assert 360.0 <= stalled.time_s <= 380.0
    assert stalled.rate_ml_h == 0.0
    assert rows[-1].volume_ml == pytest.approx(stalled.volume_ml, abs=0.02)


def test_simulate_trace_is_reproducible_and_faults_can_end() -> None:
    faults = [TimedFault(Fault.make("dislodgement"), 100.0, duration_s=50.0)]
    first = simulate_trace(LineParams(), faults, 300.0, 0.5, rate_ml_h=20.0, seed=4)
    again = simulate_trace(LineParams(), faults, 300.0, 0.5, rate_ml_h=20.0, seed=4)
    assert first == again
    labels = [row.faults for row in first]
    assert labels[199] == () and labels[201] == ("dislodgement",)
    assert labels[299] == ("dislodgement",) and labels[301] == ()
