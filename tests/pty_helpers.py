"""`qualkit` in a real pseudo-terminal (120×40), as a person runs it: what Pilot cannot show
(the console script, argument parsing, the terminal driver, a kill)."""

from __future__ import annotations

import fcntl
import os
import re
import signal
import struct
import subprocess
import sys
import termios
import threading
import time

from .conftest import ROOT

ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>]")


class Terminal:
    """``python -m qualkit ARGS`` on a pty; its output is read all the while (a child whose
    terminal nobody reads blocks on its next write and never exits)."""

    def __init__(self, *args: str, env: dict[str, str] | None = None) -> None:
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        env = {**os.environ, "PYTHONPATH": str(ROOT), "TERM": "xterm-256color", **(env or {})}
        self.process = subprocess.Popen([sys.executable, "-m", "qualkit", *args], stdin=slave,
                                        stdout=slave, stderr=slave, env=env, cwd=ROOT,
                                        start_new_session=True)
        os.close(slave)
        self.master, self.output = master, bytearray()
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        while True:
            try:
                data = os.read(self.master, 65536)
            except OSError:
                return
            if not data:
                return
            self.output += data

    def text(self) -> str:
        """What the program wrote, without terminal escape sequences."""
        return ANSI.sub("", bytes(self.output).decode("utf-8", "replace"))

    def read_until(self, pattern: str, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if re.search(pattern, self.text()):
                return
            time.sleep(0.1)
        raise AssertionError(f"never saw {pattern!r}; screen text:\n{self.text()[-2000:]}")

    def type(self, keys: str) -> None:
        for key in keys:
            os.write(self.master, key.encode())
            time.sleep(0.05)

    def close(self, timeout: float = 30) -> int:
        """Wait for the program to exit; its exit status."""
        try:
            return self.process.wait(timeout=timeout)
        finally:
            if self.process.poll() is None:
                self.process.kill()
            os.close(self.master)

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)
        os.close(self.master)
