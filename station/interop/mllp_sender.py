"""Sending the outbox over MLLP: one message at a time, each waiting for its ACK.

A message counts as delivered only when an ACK with MSA-1 AA or CA and MSA-2 equal to
its control id has arrived; anything else (AE, AR, a timeout, a closed connection, an
unreadable reply) leaves it queued and stops the run, so later messages never overtake
it. The next run (the worker's timer, or the next start of the station) resends it.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass

from station.interop.hl7_read import Hl7FormatError, read_message
from station.interop.mllp import Deframer, MllpFramingError, frame
from station.interop.outbox import Outbox

ACCEPTED = ("AA", "CA")


@dataclass(frozen=True)
class SendReport:
    """What one run did: messages acknowledged, and the error that stopped it."""

    acknowledged: int
    error: str = ""


class MllpSender:
    """Sends queued messages to ``host:port`` in order and records each ACK."""

    def __init__(self, outbox: Outbox, host: str, port: int, *, timeout_s: float = 10.0,
                 connect: Callable[..., socket.socket] = socket.create_connection) -> None:
        self._outbox = outbox
        self._address = (host, port)
        self._timeout = timeout_s
        self._connect = connect

    def send_pending(self) -> SendReport:
        """Send every unacknowledged message, oldest first, until one is not accepted."""
        done = 0
        pending = self._outbox.pending()
        if not pending:
            return SendReport(0)
        try:
            conn = self._connect(self._address, timeout=self._timeout)
        except OSError as exc:
            return self._stop(pending[0].id, done, f"cannot connect to {self._where}: {exc}")
        with conn:
            while pending:
                for message in pending:
                    self._outbox.attempted(message.id)
                    error = self._exchange(conn, message.payload, message.control_id)
                    if error:
                        return self._stop(message.id, done, error)
                    self._outbox.acknowledged(message.id)
                    done += 1
                pending = self._outbox.pending()
        return SendReport(done)

    @property
    def _where(self) -> str:
        return f"{self._address[0]}:{self._address[1]}"

    def _stop(self, message_id: int, done: int, error: str) -> SendReport:
        self._outbox.failed(message_id, error)
        return SendReport(done, error)

    def _exchange(self, conn: socket.socket, payload: str, control_id: str) -> str:
        """Send one message and read its ACK; an error text, or "" when accepted."""
        deframer = Deframer()
        try:
            conn.sendall(frame(payload))
            while True:
                data = conn.recv(65536)
                if not data:
                    return f"{self._where} closed the connection before the ACK"
                replies = deframer.feed(data)
                if replies:
                    return _ack_error(replies[0], control_id)
        except (OSError, MllpFramingError) as exc:  # TimeoutError is an OSError
            return f"no ACK from {self._where}: {exc}"


def _ack_error(reply: str, control_id: str) -> str:
    try:
        ack = read_message(reply)
    except Hl7FormatError as exc:
        return f"unreadable ACK: {exc}"
    code, acked = ack.fields.get("MSA.1", ""), ack.fields.get("MSA.2", "")
    if acked != control_id:
        return f"ACK for {acked!r}, expected {control_id!r}"
    if code not in ACCEPTED:
        text = ack.fields.get("MSA.3", "") or ack.fields.get("ERR.8", "")
        return f"receiver answered {code or 'nothing'} {text}".strip()
    return ""


class OutboxWorker:
    """Runs ``send_pending`` every ``interval_s`` on its own thread until stopped."""

    def __init__(self, sender: MllpSender, interval_s: float = 30.0) -> None:
        self._sender = sender
        self._interval = interval_s
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._run, name="hl7-outbox", daemon=True)
        self.acknowledged = 0  # over all runs
        self.last_error = ""

    def start(self) -> None:
        self._thread.start()

    def wake(self) -> None:
        """Send now (e.g. right after queuing)."""
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            report = self._sender.send_pending()
            self.acknowledged += report.acknowledged
            self.last_error = report.error
            self._wake.wait(self._interval)
            self._wake.clear()
