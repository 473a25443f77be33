"""A minimal host for tests: send Basic or Safe commands, read one reply frame."""

from __future__ import annotations

import time

import serial

from devices.protocol import (
    Frame,
    StreamParser,
    StreamRole,
    encode_basic_command,
    encode_safe,
)


class Host:
    """Talks to a pump over an open pyserial port, as host software does."""

    def __init__(self, link: serial.SerialBase) -> None:
        self.link = link
        self._parser = StreamParser(StreamRole.HOST)
        self._frames: list[Frame] = []

    def send(self, text: str, safe: bool = False) -> None:
        self.link.write(encode_safe(text) if safe else encode_basic_command(text))

    def drain(self) -> None:
        """Forget everything received so far (the port's buffer, partial and unread frames)."""
        self.link.reset_input_buffer()
        self._parser.reset()
        self._frames.clear()

    def reply(self, timeout_s: float = 2.0) -> Frame:
        """The next reply frame (stream errors are skipped); TimeoutError if none."""
        deadline = time.monotonic() + timeout_s
        while not self._frames:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no reply from the pump")
            self.link.timeout = left
            data = self.link.read(max(1, self.link.in_waiting))
            self._frames.extend(r for r in self._parser.feed(data) if isinstance(r, Frame))
        return self._frames.pop(0)

    def ask(self, text: str, safe: bool = False, timeout_s: float = 2.0) -> str:
        """Send a command and return the reply text (the framing is in `ask_frame`)."""
        return self.ask_frame(text, safe, timeout_s).payload.decode("ascii")

    def ask_frame(self, text: str, safe: bool = False, timeout_s: float = 2.0) -> Frame:
        self.send(text, safe)
        return self.reply(timeout_s)

    def silent(self, text: str, wait_s: float = 0.3) -> bool:
        """Send and check that no reply comes within `wait_s`."""
        self.send(text)
        try:
            self.reply(wait_s)
        except TimeoutError:
            return True
        return False
