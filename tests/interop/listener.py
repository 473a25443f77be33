"""A local MLLP receiver on 127.0.0.1 (a real socket) that records messages and ACKs.

``hold`` makes it wait before acknowledging the n-th message it receives (1-based)
until ``release()``; ``answer`` chooses the MSA-1 code per message; ``drop`` closes
the connection instead of acknowledging the n-th message.
"""

from __future__ import annotations

import socket
import socketserver
import threading
from collections.abc import Callable
from datetime import UTC, datetime

from hl7apy.core import Message

from station.interop.hl7_read import read_message
from station.interop.mllp import Deframer, frame


def ack_for(message: str, code: str = "AA") -> str:
    """An HL7 v2.6 ACK built with hl7apy, answering ``message``."""
    received = read_message(message)
    ack = Message("ACK", version="2.6")
    ack.msh.msh_3 = "TEST_RECEIVER"
    ack.msh.msh_7 = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    ack.msh.msh_9 = "ACK^R01^ACK"
    ack.msh.msh_10 = f"ACK{received.control_id}"
    ack.msh.msh_11 = received.processing_id or "P"
    ack.msa.msa_1 = code
    ack.msa.msa_2 = received.control_id
    text: str = ack.to_er7()
    return text


class Listener:
    """Start with ``with Listener() as listener:``; ``listener.port`` to connect to."""

    def __init__(self, answer: Callable[[int], str] = lambda n: "AA", *, hold: int = 0,
                 drop: int = 0) -> None:
        self.received: list[str] = []
        self.answer = answer
        self.hold, self.drop = hold, drop
        self.holding = threading.Event()
        self._release = threading.Event()
        self._lock = threading.Condition()
        outer = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                outer._serve(self.request)

        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = False
        self._server.block_on_close = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, name="mllp-test")

    def __enter__(self) -> Listener:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._release.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def release(self) -> None:
        self._release.set()

    def wait_for(self, count: int, timeout_s: float = 60) -> bool:
        """Wait until ``count`` messages arrived (False after the timeout)."""
        with self._lock:
            return self._lock.wait_for(lambda: len(self.received) >= count, timeout_s)

    def control_ids(self) -> list[str]:
        with self._lock:
            return [read_message(m).control_id for m in self.received]

    def _serve(self, conn: object) -> None:
        assert isinstance(conn, socket.socket)
        deframer = Deframer()
        while True:
            data = conn.recv(65536)
            if not data:
                return
            for message in deframer.feed(data):
                with self._lock:
                    self.received.append(message)
                    n = len(self.received)
                    self._lock.notify_all()
                if n == self.drop:
                    return
                if n == self.hold:
                    self.holding.set()
                    self._release.wait(60)
                conn.sendall(frame(ack_for(message, self.answer(n))))
