"""`infusion-station export ...` on a real SQLite file holding the test visit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fhir.resources.R4B.bundle import Bundle
from hypothesis import given
from hypothesis import strategies as st

from station.interop.hl7_read import read_message
from station.interop.outbox import Outbox
from tests.interop.listener import Listener
from tests.records.visit import BuiltVisit
from tests.services.world import World
from ui.cli import main
from ui.reports.export_args import parse_host_port, parse_time, parse_zone

# The PDF writer needs a QGuiApplication; pytest-qt's is the one the command finds.
pytestmark = pytest.mark.usefixtures("qapp")


def _export(db_url: str, *args: str) -> int:
    return main(["export", *args, "--db", db_url])


def test_pdf_and_shift(visit: BuiltVisit, db_url: str, tmp_path: Path,
                       capsys: pytest.CaptureFixture[str]) -> None:
    pdf, shift = tmp_path / "visit.pdf", tmp_path / "shift.pdf"
    assert _export(db_url, "pdf", str(visit.infusion_id), "-o", str(pdf),
                   "--tz", "Europe/Amsterdam") == 0
    assert pdf.read_bytes().startswith(b"%PDF")
    assert _export(db_url, "shift", "--from", "2026-11-24T00:00", "--to", "2026-11-25T00:00",
                   "-o", str(shift), "--training") == 0
    assert "(1 infusions)" in capsys.readouterr().out
    assert shift.read_bytes().startswith(b"%PDF")


def test_csv_to_standard_output(visit: BuiltVisit, db_url: str,
                                capsys: pytest.CaptureFixture[str]) -> None:
    assert _export(db_url, "csv", str(visit.infusion_id), "--training") == 0
    out = capsys.readouterr()
    assert out.out.splitlines()[0].startswith("# TRAINING")
    assert out.out.splitlines()[1].startswith("time_utc,row,")
    assert "275 rows" in out.err


def test_fhir_bundle_file(visit: BuiltVisit, db_url: str,
                          tmp_path: Path) -> None:
    out = tmp_path / "bundle.json"
    assert _export(db_url, "fhir", str(visit.infusion_id), "-o", str(out)) == 0
    bundle = Bundle.model_validate_json(out.read_text())
    assert {e.resource.get_resource_type() for e in bundle.entry or []} >= {
        "Patient", "Device", "MedicationAdministration", "Observation", "AdverseEvent"}


def test_hl7_written_and_sent(world: World, visit: BuiltVisit,
                              db_url: str, tmp_path: Path,
                              capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "visit.hl7"
    with Listener() as listener:
        assert _export(db_url, "hl7", str(visit.infusion_id), "-o", str(out), "--send",
                       f"127.0.0.1:{listener.port}") == 0
    said = capsys.readouterr().out
    assert "14 HL7 messages" in said and "14 acknowledged" in said
    blocks = out.read_text().strip().split("\n\n")
    read = [read_message(block.replace("\n", "\r")) for block in blocks]
    assert [m.control_id for m in read] == listener.control_ids()
    assert len(listener.received) == 14
    assert not Outbox(world.sessions, world.clock).pending()


def test_hl7_with_no_receiver_keeps_the_messages_queued(
        world: World, visit: BuiltVisit, db_url: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    with Listener() as listener:
        port = listener.port
    assert _export(db_url, "hl7", str(visit.infusion_id), "--send", f"127.0.0.1:{port}") == 1
    assert "the rest stay queued" in capsys.readouterr().err
    assert len(Outbox(world.sessions, world.clock).pending()) == 14


def test_errors_are_one_clear_line(visit: BuiltVisit, db_url: str,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    assert _export(db_url, "csv", "999") == 1
    assert "no infusion 999" in capsys.readouterr().err
    assert _export(db_url, "hl7", "1", "--send", "nowhere") == 2
    assert "HOST:PORT" in capsys.readouterr().err
    assert _export(db_url, "pdf", "1", "-o", "x.pdf", "--tz", "Mars/Olympus") == 2
    assert "unknown time zone" in capsys.readouterr().err


@given(st.text(max_size=40))
def test_host_port_is_parsed_or_refused(text: str) -> None:
    try:
        host, port = parse_host_port(text)
    except ValueError as exc:
        assert "HOST:PORT" in str(exc)
        return
    assert host and 0 < port < 65536 and text.endswith(f":{port}")


@given(st.datetimes(timezones=st.none()))
def test_a_time_without_offset_is_read_in_the_zone(moment: object) -> None:
    zone = parse_zone("Europe/Amsterdam")
    text = moment.isoformat()  # type: ignore[attr-defined]
    assert parse_time(text, zone).tzinfo is zone
    with pytest.raises(ValueError, match="ISO 8601"):
        parse_time("24/11/2026", zone)


def test_json_out_is_valid(visit: BuiltVisit, db_url: str,
                           capsys: pytest.CaptureFixture[str]) -> None:
    assert _export(db_url, "fhir", str(visit.infusion_id)) == 0
    assert json.loads(capsys.readouterr().out)["resourceType"] == "Bundle"
