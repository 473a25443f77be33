"""`XPR` answers the line's pressure at the instant it is asked, not a value held
from the last poll: the step's edge relaxes through R x C between reads 0.1 s apart.
"""

from __future__ import annotations

import math

from devices.protocol import encode_basic_reply as basic
from devices.simulator import LineParams
from devices.simulator.physics import SECONDS_PER_HOUR
from tests.simulator.conftest import PumpBench

QUIET = LineParams(noise_sd_mmhg=0.0, ripple_mmhg=0.0, artifact_rate_per_h=0.0)


def quiet_bench() -> PumpBench:
    bench = PumpBench().ready()
    bench.pump.mechanics.line.params = QUIET  # no noise, ripple or artifact: the edge alone
    return bench


def pressure(bench: PumpBench) -> float:
    reply = bench.ask("0XPR")
    assert reply.endswith(b"MMHG\x03")
    return float(reply[4:-5])


def edge(bench: PumpBench, change: str) -> list[float]:
    assert bench.ask("0RAT100MH") == basic("00S")
    assert bench.ask("0RUN") == basic("00I")
    bench.advance(30.0)  # settled at base + R x Q
    line = bench.pump.mechanics.line
    if change == "posture":
        line.params = line.params.updated({"site_height_cm": line.params.site_height_cm - 15})
    else:
        line.faults.dislodged = True
    reads = []
    for _ in range(60):  # 6 s: 14 time constants of the slowest line here
        bench.advance(0.1)
        reads.append(pressure(bench))
    return reads


def test_a_posture_step_relaxes_at_the_line_time_constant_between_reads() -> None:
    bench = quiet_bench()
    line = bench.pump.mechanics.line
    tau_s = (line.params.catheter_resistance_mmhg_per_ml_h * line.params.compliance_ml_per_mmhg
             * SECONDS_PER_HOUR)
    reads = edge(bench, "posture")
    start, end = reads[0], reads[-1]
    assert reads[-2] == reads[-1]  # settled (to the wire's precision)
    # 0.1 s after the step the pressure is on its way, not at the old or the new level.
    assert end < start and reads[1] > end + 0.5
    # Each read is the exponential of the line's own R x C (0.43 s with these defaults).
    first_gap = reads[1] - end
    fitted = 0.1 / math.log(first_gap / (reads[2] - end))
    assert abs(fitted - tau_s) < 0.15 * tau_s


def test_a_dislodged_tip_relaxes_faster_than_the_line_between_reads() -> None:
    posture, dislodged = edge(quiet_bench(), "posture"), edge(quiet_bench(), "dislodged")
    # A fifth of the resistance: 0.5 s after the step the dislodged edge is over,
    # the posture step's is not.
    assert abs(dislodged[4] - dislodged[-1]) < 0.2
    assert abs(posture[4] - posture[-1]) > 1.0
