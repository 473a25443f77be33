"""An event reported stored survives the writer being killed with SIGKILL."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from station.persistence.events import InfusionEvent
from tests.persistence.factories import Seed

REPO_ROOT = Path(__file__).resolve().parents[2]
IDS_BEFORE_KILL = 300


def test_sigkill_mid_stream_loses_no_reported_event(
    db_url: str, sessions: sessionmaker[Session], seed: Seed
) -> None:
    command = [sys.executable, "-m", "tests.persistence.event_writer_process", db_url]
    with subprocess.Popen(
        [*command, str(seed.pump_id)], cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True
    ) as writer:
        assert writer.stdout is not None
        try:
            assert writer.stdout.readline().strip() == "ready"
            reported = [int(writer.stdout.readline()) for _ in range(IDS_BEFORE_KILL)]
            writer.send_signal(signal.SIGKILL)  # while it is busy appending the next ones
            tail = writer.stdout.read()
        finally:
            writer.kill()
    assert writer.returncode == -signal.SIGKILL
    # A line cut off by the kill was never fully reported: only whole lines count.
    reported += [int(line) for line in tail.split("\n")[:-1]]

    with sessions() as session:
        stored = set(session.scalars(sa.select(InfusionEvent.id)))

    assert len(reported) >= IDS_BEFORE_KILL
    assert set(reported) <= stored
    assert len(stored) - len(reported) <= 1  # at most the one committed but not yet printed
