"""Where a simulated pump is reachable: a pseudo-terminal, and optionally TCP.

Every descriptor is non-blocking: a pump that cannot write (nobody reads the pty, a
TCP peer stalls) drops the packet, as a real serial line would, and never blocks the
other pumps.
"""

from __future__ import annotations

import contextlib
import os
import socket
import tty


class Stream:
    """A connected byte stream to one host (the pty master, or one TCP client)."""

    def __init__(self, fd: int, name: str, sock: socket.socket | None = None) -> None:
        self._fd = fd
        self.name = name
        self._sock = sock
        self.closed = False

    def fileno(self) -> int:
        return self._fd

    def read(self) -> bytes | None:
        """What is waiting; None when nothing is (a spurious wake-up), b"" when the peer is gone."""
        try:
            if self._sock is not None:
                return self._sock.recv(4096)
            return os.read(self._fd, 4096)
        except BlockingIOError:
            return None
        except OSError:
            return b""

    def write(self, data: bytes) -> bool:
        """Write without blocking; False when the packet (or its tail) was dropped."""
        try:
            sent = self._sock.send(data) if self._sock is not None else os.write(self._fd, data)
        except OSError:
            return False
        return sent == len(data)

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        with contextlib.suppress(OSError):
            if self._sock is not None:
                self._sock.close()
            else:
                os.close(self._fd)


class PtyPort:
    """A pseudo-terminal pair: hosts open `path`; the simulator holds the master.

    The simulator also keeps the slave open, so that a host closing and reopening the
    port does not hang up the master.
    """

    def __init__(self) -> None:
        master, slave = os.openpty()
        tty.setraw(slave)  # no echo, no line discipline until the host sets its own
        os.set_blocking(master, False)
        self._slave = slave
        self.path = os.ttyname(slave)
        self.stream = Stream(master, self.path)

    def close(self) -> None:
        self.stream.close()
        with contextlib.suppress(OSError):
            os.close(self._slave)


class TcpPort:
    """A listening socket on 127.0.0.1; one host at a time (a new one replaces it)."""

    def __init__(self, port: int = 0) -> None:
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", port))
        self.listener.listen(1)
        self.listener.setblocking(False)
        self.port = int(self.listener.getsockname()[1])

    @property
    def url(self) -> str:
        return f"socket://127.0.0.1:{self.port}"

    def accept(self) -> Stream | None:
        try:
            sock, peer = self.listener.accept()
        except BlockingIOError:
            return None
        sock.setblocking(False)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return Stream(sock.fileno(), f"tcp:{peer[0]}:{peer[1]}", sock)

    def close(self) -> None:
        self.listener.close()
