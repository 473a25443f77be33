"""CSV of one infusion's telemetry and events, read back with the csv module."""

from __future__ import annotations

import csv
import io

from station.records import load_visit_record, write_infusion_csv
from station.records.telemetry_csv import COLUMNS
from tests.records.visit import BuiltVisit
from tests.services.world import World


def _export(world: World, visit: BuiltVisit, training: bool = False) -> tuple[int, str]:
    out = io.StringIO()
    rows = write_infusion_csv(load_visit_record(world.sessions, visit.infusion_id), out,
                              training=training)
    return rows, out.getvalue()


def test_samples_events_and_alarm_steps_in_time_order(world: World, visit: BuiltVisit) -> None:
    count, text = _export(world, visit)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert tuple(rows[0]) == COLUMNS and len(rows) == count == 261 + 9 + 5
    assert [r["time_utc"] for r in rows] == sorted(r["time_utc"] for r in rows)
    assert rows[0]["time_utc"] == "2026-11-24T08:30:00.000Z"
    stops = [r for r in rows if r["event"] == "delivery_stop"]
    assert [(s["detail"], s["segment_volume_ml"], s["total_volume_ml"]) for s in stops] == [
        ("bathroom break", "20", "40"), ("reaction: grade 2 flushing", "16", "76")]
    assert all(s["not_delivering_reason"] == "stopped_by_clinician" for s in stops)
    ack = next(r for r in rows if r["event"] == "alarm acknowledged: occlusion")
    assert (ack["priority"], ack["by"]) == ("high", "Nurse A")
    samples = [r for r in rows if r["row"] == "sample"]
    assert samples[-1]["volume_ml"] == "126"


def test_training_is_on_the_first_line_and_every_row(world: World, visit: BuiltVisit) -> None:
    _, text = _export(world, visit, training=True)
    lines = text.splitlines()
    assert lines[0].startswith("# TRAINING")
    rows = list(csv.DictReader(io.StringIO("\n".join(lines[1:]))))
    assert rows and all(r["row"].startswith("TRAINING ") for r in rows)
