"""`infusion-station user add/list/passwd`: the first administrator, then users added by
an administrator who signs in; secrets read from standard input when it is no terminal."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from ui.cli import main

ADMIN = "first-admin-pass"


def _run(monkeypatch: pytest.MonkeyPatch, stdin: str, *argv: str) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return main(list(argv))


def test_add_list_and_passwd(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                             capsys: pytest.CaptureFixture[str]) -> None:
    db = f"sqlite:///{tmp_path / 'station.sqlite'}"
    assert _run(monkeypatch, f"{ADMIN}\n", "user", "add", "ada", "--name", "Ada Admin",
                "--role", "administrator", "--db", db) == 0
    # A second user needs an administrator: without --as it is refused.
    assert _run(monkeypatch, "482913\n", "user", "add", "nina", "--name", "Nina Nurse",
                "--role", "nurse", "--pin", "--db", db) == 1
    assert "an administrator must sign in" in capsys.readouterr().err
    assert _run(monkeypatch, "wrong-password\n482913\n", "user", "add", "nina", "--name",
                "Nina Nurse", "--role", "nurse", "--pin", "--as", "ada", "--db", db) == 1
    assert "Wrong username, password or PIN." in capsys.readouterr().err
    assert _run(monkeypatch, f"{ADMIN}\n482913\n04A1B2C3D4E5\n", "user", "add", "nina",
                "--name", "Nina Nurse", "--role", "charge nurse", "--role", "nurse", "--pin",
                "--badge", "--as", "ada", "--db", db) == 0
    assert _run(monkeypatch, f"{ADMIN}\n1234\n", "user", "passwd", "nina", "--pin",
                "--as", "ada", "--db", db) == 1
    assert "a PIN is 6 to 12 digits" in capsys.readouterr().err
    assert _run(monkeypatch, f"{ADMIN}\n739184\n", "user", "passwd", "nina", "--pin",
                "--as", "ada", "--db", db) == 0
    capsys.readouterr()
    assert _run(monkeypatch, "", "user", "list", "--db", db) == 0
    listing = capsys.readouterr().out
    assert "nina" in listing and "charge_nurse,nurse" in listing and " pin " in listing
    assert "482913" not in listing and "739184" not in listing
    assert _run(monkeypatch, "", "audit", "verify", "--db", db) == 0
