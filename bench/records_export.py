"""How long the records and exports of one visit take to build.

    .venv/bin/python bench/records_export.py [--repeat 3]

Builds the test visit of tests/records/visit.py (titration, bathroom break, reaction,
an alarm, 130 min of telemetry every 30 s) on a temporary SQLite file, then times each
export (best of --repeat): the record read, PCD-10 + PCD-04, PCD-01 every 60 s (131
messages), the FHIR bundle, the CSV and the PDF. Prints one Markdown table row each.
"""

from __future__ import annotations

import argparse
import io
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtGui import QGuiApplication

from station.interop.fhir_bundle import bundle_json, visit_bundle
from station.interop.pcd01 import pcd01_messages
from station.interop.pcd04 import pcd04_messages
from station.interop.pcd10 import pcd10_messages
from station.persistence.database import create_engine, make_sessionmaker
from station.persistence.schema import upgrade_engine
from station.records import load_visit_record, write_infusion_csv
from station.services import load_library
from tests.records.visit import build_visit
from tests.services.world import seed_world
from ui.reports.visit_pdf import write_visit_pdf


def best(repeat: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = QGuiApplication([])
    folder = Path(tempfile.mkdtemp())
    engine = create_engine(f"sqlite:///{folder / 'bench.sqlite'}")
    upgrade_engine(engine)
    world = seed_world(make_sessionmaker(engine), load_library())
    visit = build_visit(world)
    record = load_visit_record(world.sessions, visit.infusion_id)
    rows = [
        ("visit record read", 1,
         lambda: load_visit_record(world.sessions, visit.infusion_id)),
        ("PCD-10 + PCD-04", len(pcd10_messages(record)) + len(pcd04_messages(record)),
         lambda: (pcd10_messages(record), pcd04_messages(record))),
        ("PCD-01 every 60 s", len(pcd01_messages(record)), lambda: pcd01_messages(record)),
        ("FHIR bundle (validated) + JSON", 1, lambda: bundle_json(visit_bundle(record))),
        ("CSV", 1, lambda: write_infusion_csv(record, io.StringIO())),
        ("PDF", 1, lambda: write_visit_pdf(record, folder / "visit.pdf")),
    ]
    print("| export | items | best time | per item |")
    print("|---|---|---|---|")
    for name, items, work in rows:
        seconds = best(args.repeat, work)
        print(f"| {name} | {items} | {seconds * 1000:.0f} ms | {seconds / items * 1000:.1f} ms |")
    del app
    engine.dispose()


if __name__ == "__main__":
    main()
