"""Trace CSV files as a person or another tool may leave them (hypothesis): samples in
time order, or a `TraceError` naming the file and the line; never another exception."""

from __future__ import annotations

import io
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from station.detection.trace_csv import COLUMNS, TraceError, read_trace

CELLS = st.one_of(
    st.sampled_from(["0", "1.5", "-1", "nan", "inf", "1e400", "", " ", "I", "P", "A?S", "OFF",
                     "12,5", '"3"', "\x00"]),
    st.floats(allow_nan=True).map(repr),
    st.text(max_size=8),
)


@st.composite
def trace_text(draw: st.DrawFn) -> str:
    header = draw(st.one_of(st.just(list(COLUMNS)), st.just([*COLUMNS, "faults"]),
                            st.lists(st.text(max_size=8), max_size=6)))
    rows = draw(st.lists(st.lists(CELLS, max_size=len(header) + 1), max_size=8))
    text = "\n".join(",".join(row) for row in [header, *rows])
    junk = draw(st.text(max_size=30))
    return draw(st.sampled_from([text, text + junk, junk + text, junk]))


@settings(max_examples=400, deadline=None)
@given(text=trace_text())
def test_any_trace_gives_samples_in_order_or_a_trace_error(text: str) -> None:
    try:
        samples = list(read_trace(io.StringIO(text, newline=""), "fuzz.csv"))
    except TraceError as exc:
        assert str(exc).startswith("fuzz.csv: line ")
        return
    times = [s.time_s for s in samples]
    assert times == sorted(times)
    assert all(math.isfinite(v) and v >= 0 for s in samples
               for v in (s.time_s, s.rate_ml_h, s.volume_ml))
