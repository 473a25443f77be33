"""A station process that sends its outbox once: ``python -m tests.interop.sender_process
DB_URL PORT``. The restart test kills it while it waits for an ACK."""

from __future__ import annotations

import sys
from datetime import UTC, datetime

from station.interop.mllp_sender import MllpSender
from station.interop.outbox import Outbox
from station.persistence.database import create_engine, make_sessionmaker


def main(db_url: str, port: int) -> None:
    outbox = Outbox(make_sessionmaker(create_engine(db_url)), lambda: datetime.now(UTC))
    report = MllpSender(outbox, "127.0.0.1", port, timeout_s=60).send_pending()
    print(report.acknowledged, report.error, flush=True)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
