"""A PostgreSQL server of the test's own, to stop and start again (never the shared one).

Debian's initdb and pg_ctl, run as the `postgres` user in a temporary folder, on a free
port of 127.0.0.1, with trust authentication on that address only.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

PG_BIN = Path("/usr/lib/postgresql/15/bin")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def available() -> bool:
    return (PG_BIN / "initdb").is_file() and shutil.which("runuser") is not None


class PrivateServer:
    """initdb once; `start` and `stop` as often as the test likes; `remove` at the end."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="unit-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        shutil.chown(self.root, "postgres", "postgres")
        self._as_postgres(PG_BIN / "initdb", "-D", str(self.data), "-U", "postgres",
                          "-A", "trust", "--no-sync", "-E", "UTF8")

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} -c fsync=on"
        self._as_postgres(PG_BIN / "pg_ctl", "-D", str(self.data), "-o", options, "-w",
                          "-t", "30", "-l", str(self.root / "server.log"), "start")

    def stop(self) -> None:
        """A fast shutdown: sessions are cut off, as when the server restarts."""
        self._as_postgres(PG_BIN / "pg_ctl", "-D", str(self.data), "-m", "fast", "-w",
                          "-t", "30", "stop")

    def remove(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    @staticmethod
    def _as_postgres(*args: object) -> None:
        subprocess.run(["runuser", "-u", "postgres", "--", *map(str, args)], check=True,
                       capture_output=True, timeout=60)
