"""No credential is committed: no private key, no stored argon2 hash, no database URL
with a password except the throw-away local test server's (tests/conftest.py)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SECRETS = {
    "private key": re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    "argon2 hash": re.compile(r"\$argon2(id|i|d)\$v=\d+\$m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]{16,}"),
    "URL with a password": re.compile(r"\b[a-z+]+://[^:/\s'\"]+:(?P<password>[^@/\s'\"]+)@"),
}
# The local test server's, and the placeholders of docs and of tests that check a
# password is never shown.
ALLOWED_PASSWORDS = {"station_test", "password", "secret", "***"}


def _is_secret(match: re.Match[str]) -> bool:
    password = match.groupdict().get("password")
    return password is None or password not in ALLOWED_PASSWORDS


def _tracked_files() -> list[Path]:
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True,
                            check=True).stdout.decode().split("\0")
    return [ROOT / name for name in listed if name and (ROOT / name).is_file()]


def test_no_secret_is_committed() -> None:
    found = []
    for path in _tracked_files():
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # sounds and pictures
        for what, pattern in SECRETS.items():
            for match in pattern.finditer(text):
                if path == Path(__file__) or not _is_secret(match):
                    continue
                found.append(f"{path.relative_to(ROOT)}: {what}: {match.group(0)[:40]}")
    assert found == []


def test_the_patterns_find_what_they_look_for() -> None:
    samples = {"private key": "-----BEGIN RSA PRIVATE KEY-----",
               "argon2 hash": "$argon2id$v=19$m=65536,t=3,p=4$EdNNWLPlWwUJqNpIyqjJug$cHx9",
               "URL with a password": "postgresql+psycopg://ward:hunter2@db/station"}
    for what, sample in samples.items():
        match = SECRETS[what].search(sample)
        assert match is not None and _is_secret(match), what
    test_server = SECRETS["URL with a password"].search(
        "postgresql+psycopg://station_test:station_test@127.0.0.1:5432/station_test")
    assert test_server is not None and not _is_secret(test_server)
