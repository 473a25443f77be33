"""A scripted fake `Transport` for byte-level tests: the script must be fully consumed.

The script is a list of steps. `Exchange(expect, reply)` checks that the next write is
exactly `expect` and queues `reply` for reading (`b""` plays a pump that stays silent).
`Unsolicited(data)` queues bytes nobody asked for (a Safe-mode auto-alarm) as soon as
the steps before it are done. `Disconnect()` makes every later read and write fail as an
unplugged adapter does; `Silence()` accepts every later write and never answers, as a
pump whose cable was pulled does (it must be the last step). `assert_consumed()` fails
on a wrong or missing write, unused steps, or reply bytes nobody read. The fake is
thread-safe: the driver reads it from its reader thread, writes it from its worker.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass

from devices.driver.errors import TransportError


@dataclass(frozen=True)
class Exchange:
    """Expect exactly `expect` written; answer `reply` (empty: no answer)."""

    expect: bytes
    reply: bytes


@dataclass(frozen=True)
class Unsolicited:
    """Bytes the pump sends without being asked."""

    data: bytes


@dataclass(frozen=True)
class Disconnect:
    """From here on the port is gone."""


@dataclass(frozen=True)
class Silence:
    """From here on every write is taken and nothing comes back."""


Step = Exchange | Unsolicited | Disconnect | Silence


class ScriptMismatchError(AssertionError):
    """The driver wrote something the script did not expect."""


class ScriptedTransport:
    """Plays a script of exchanges; see the module docstring."""

    def __init__(self, steps: list[Step], *, name: str = "scripted",
                 read_timeout: float = 0.02) -> None:
        self._steps: deque[Step] = deque(steps)
        self._name = name
        self._read_timeout = read_timeout
        self._pending = bytearray()
        self._failures: list[str] = []
        self._written: list[bytes] = []
        self._disconnected = False
        self._closed = False
        self._cond = threading.Condition()
        with self._cond:
            self._release_unsolicited()

    @property
    def name(self) -> str:
        return self._name

    @property
    def written(self) -> list[bytes]:
        """Every write so far, in order."""
        with self._cond:
            return list(self._written)

    def write(self, data: bytes) -> None:
        with self._cond:
            self._check_connected()
            self._written.append(bytes(data))
            step = self._steps[0] if self._steps else None
            if isinstance(step, Silence):
                return
            if not isinstance(step, Exchange):
                self._fail(f"unexpected write {data!r}: next step is {step!r}")
            elif step.expect != data:
                self._fail(f"wrote {data!r}, script expected {step.expect!r}")
            else:
                self._steps.popleft()
                self._pending += step.reply
                self._release_unsolicited()
                self._cond.notify_all()

    def read(self) -> bytes:
        with self._cond:
            self._cond.wait_for(lambda: self._pending or self._disconnected or self._closed,
                                timeout=self._read_timeout)
            if self._pending:
                data = bytes(self._pending)
                self._pending.clear()
                return data
            self._check_connected()
            return b""

    def discard_input(self) -> None:
        with self._cond:
            self._check_connected()
            self._pending.clear()

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def feed(self, data: bytes) -> None:
        """Deliver bytes now, outside the script (noise, a late auto-alarm)."""
        with self._cond:
            self._pending += data
            self._cond.notify_all()

    def assert_consumed(self) -> None:
        """Fail unless every step ran, every reply byte was read and no write was wrong."""
        with self._cond:
            problems = list(self._failures)
            if self._steps and self._steps != deque([Silence()]):
                problems.append(f"unprocessed steps remain: {list(self._steps)!r}")
            if self._pending:
                problems.append(f"unread reply bytes remain: {bytes(self._pending)!r}")
        if problems:
            raise ScriptMismatchError("; ".join(problems))

    def _release_unsolicited(self) -> None:
        while self._steps and isinstance(self._steps[0], Unsolicited | Disconnect):
            step = self._steps.popleft()
            if isinstance(step, Unsolicited):
                self._pending += step.data
            else:
                self._disconnected = True

    def _check_connected(self) -> None:
        if self._disconnected:
            raise TransportError(f"{self._name}: device disconnected")
        if self._closed:
            raise TransportError(f"{self._name}: port closed")

    def _fail(self, message: str) -> None:
        self._failures.append(message)
        raise ScriptMismatchError(message)
