"""The schedule CSV import fed whatever a person or a spreadsheet can produce (hypothesis).

Every input gives an `ImportReport` (never an exception), every refused row has a line
and a reason, and the records stored before the import are all still there, unchanged:
the only new rows are the appointments it reports imported and their audit entries.
"""

from __future__ import annotations

import csv
import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from station.services.schedule_csv import COLUMNS
from tests.services.world import World, snapshot

CELLS = st.one_of(
    st.sampled_from(["MRN-1", "MRN-404", "C1", "C2", "C9", "2026-11-25 08:30",
                     "2026-11-25T14:00", "2026-11-25T09:00+01:00", "25/11/2026", "60", "0",
                     "-5", "99999999999999999999", "yes", "no", "maybe", "", " ", "\ufeff"]),
    st.text(max_size=30),
    st.integers(-10**6, 10**6).map(str),
)
HEADERS = st.one_of(
    st.just(list(COLUMNS)), st.just(list(COLUMNS[:4])),
    st.permutations(list(COLUMNS)),
    st.lists(st.sampled_from([*COLUMNS, "extra", "", "Patient MRN"]), max_size=9),
)


@st.composite
def csv_text(draw: st.DrawFn) -> str:
    header = draw(HEADERS)
    rows = draw(st.lists(st.lists(CELLS, max_size=len(header) + 2), max_size=6))
    out = io.StringIO()
    writer = csv.writer(out, quoting=draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL])))
    writer.writerow(header)
    writer.writerows(rows)
    text = out.getvalue()
    junk = draw(st.text(max_size=40))
    return draw(st.sampled_from([text, text + junk, junk + text, junk]))


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(text=csv_text())
def test_any_csv_gives_a_report_and_leaves_every_stored_record_intact(
        world: World, text: str) -> None:
    before = snapshot(world.sessions)
    report = world.svc.schedule_import.import_text(text)
    after = snapshot(world.sessions)

    for table, rows in before.items():
        assert set(rows) <= set(after[table]), table  # nothing changed, nothing gone
    grown = {table for table in after if len(after[table]) != len(before[table])}
    assert grown <= {"appointments", "audit_log"}
    assert len(after["appointments"]) - len(before["appointments"]) == len(report.imported)
    assert len(after["audit_log"]) - len(before["audit_log"]) == len(report.imported)
    for error in report.errors:
        assert error.line >= 1 and error.reasons and all(r.strip() for r in error.reasons)
