"""Trace CSV reading and the analyze replay: JSON lines, line-numbered errors, exit 2."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from devices.simulator import Fault, LineParams, TimedFault, TraceWriter, simulate_trace
from station.detection.trace_csv import TraceError, read_trace
from station.detection.trace_replay import run_analyze

HEADER = "time_s,rate_ml_h,volume_ml,pressure_mmhg,status\n"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "trace.csv"
    path.write_text(text, encoding="utf-8")
    return path


def analyze(path: Path) -> tuple[int, list[dict[str, object]], str]:
    out, err = io.StringIO(), io.StringIO()
    code = run_analyze(str(path), out, err)
    return code, [json.loads(line) for line in out.getvalue().splitlines()], err.getvalue()


@pytest.mark.parametrize(("text", "line", "words"), [
    ("", 1, "empty file"),
    ("time,rate\n1,2\n", 1, "header must start with"),
    (HEADER + "0,100,0,10,I\n1,abc,0.03,10,I\n", 3, "rate_ml_h is not a number"),
    (HEADER + "0,100,0,10,I\n1,100,0.03\n", 3, "expected 5 cells"),
    (HEADER + "5,100,0,10,I\n4,100,0.03,10,I\n", 3, "goes back in time"),
    (HEADER + "0,100,0,nan,I\n", 2, "not finite"),
    (HEADER + "0,100,0,10,\n", 2, "status is empty"),
    (HEADER + "0,-1,0,10,I\n", 2, "must not be negative"),
])
def test_malformed_trace_names_the_line_and_exits_2(
    tmp_path: Path, text: str, line: int, words: str
) -> None:
    code, events, err = analyze(write(tmp_path, text))
    assert code == 2 and events == []
    assert f"line {line}:" in err and words in err and "trace.csv" in err


def test_missing_file_exits_2(tmp_path: Path) -> None:
    code, _, err = analyze(tmp_path / "nope.csv")
    assert code == 2 and "cannot read" in err


def test_empty_pressure_cells_and_extra_label_column_are_accepted() -> None:
    text = HEADER.rstrip("\n") + ",faults\n0,100,0,,I,\n1,100,0.03,12.5,I,occlusion\n"
    samples = list(read_trace(io.StringIO(text)))
    assert [s.pressure_mmhg for s in samples] == [None, 12.5]


def test_a_bad_row_after_good_ones_is_still_an_error() -> None:
    text = HEADER + "0,100,0,10,I\n" * 3 + "x,100,0,10,I\n"
    with pytest.raises(TraceError, match="line 5"):
        list(read_trace(io.StringIO(text), "t.csv"))


def test_pump_stall_row_gives_json_lines_for_stall_and_occlusion(tmp_path: Path) -> None:
    rows = "".join(f"{t},100,{t / 36:.4f},15,I\n" for t in range(0, 60))
    rows += "60,0,1.6667,600,A?S\n61,0,1.6667,600,A?S\n"
    code, events, _ = analyze(write(tmp_path, HEADER + rows))
    assert code == 0
    assert {"time_s": 60.0, "condition": "pump_stall", "priority": "high",
            "event": "raised"} in events
    occlusion = [e for e in events if e["condition"] == "occlusion"]
    assert occlusion[0]["event"] == "raised" and occlusion[0]["time_s"] == 60.0
    assert all(list(e) == ["time_s", "condition", "priority", "event"] for e in events)


def test_rows_stopping_for_longer_than_the_link_watch_raise_link_lost(tmp_path: Path) -> None:
    text = HEADER + "0,100,0,10,I\n1,100,0.03,10,I\n30,100,0.83,10,I\n"
    _, events, _ = analyze(write(tmp_path, text))
    link = [(e["time_s"], e["event"]) for e in events if e["condition"] == "link_lost"]
    assert link == [(9.0, "raised"), (30.0, "cleared")]


def test_simulated_occlusion_is_reported_before_the_pump_stalls(tmp_path: Path) -> None:
    # The simulator's own physics and trace writer, end to end through the CSV.
    rows = simulate_trace(LineParams(artifact_rate_per_h=3), [
        TimedFault(Fault.make("occlusion"), 1200.0)], 1500.0, 1.0, rate_ml_h=60.0, seed=3)
    path = tmp_path / "sim.csv"
    writer = TraceWriter.open(path, labels=True)
    for row in rows:
        writer.write(row)
    writer.close()
    code, events, _ = analyze(path)
    stall = next(r.time_s for r in rows if r.status == "A?S")
    raised = [e for e in events if e["event"] == "raised"]
    assert code == 0
    assert raised[0]["condition"] == "occlusion"
    assert 1200 <= float(raised[0]["time_s"]) < stall  # type: ignore[arg-type]


def test_simulated_dislodgement_is_reported_within_30_s(tmp_path: Path) -> None:
    rows = simulate_trace(LineParams(artifact_rate_per_h=3), [
        TimedFault(Fault.make("dislodgement"), 1800.0)], 2400.0, 0.5, rate_ml_h=120.0, seed=5)
    path = tmp_path / "sim.csv"
    writer = TraceWriter.open(path)
    for row in rows:
        writer.write(row)
    writer.close()
    _, events, _ = analyze(path)
    assert [(e["condition"], e["event"]) for e in events] == [("dislodgement", "raised")]
    assert 1800 <= float(events[0]["time_s"]) <= 1830  # type: ignore[arg-type]
