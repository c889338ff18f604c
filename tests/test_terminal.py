"""The README's first commands in a real terminal: `qualkit code` and `qualkit demo` run under a
pseudo-terminal, draw the workbench, take keys and exit cleanly (what Pilot cannot show: the
console script, argument parsing and the terminal driver)."""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
import time
from pathlib import Path

from qualkit.store import Store

ROOT = Path(__file__).resolve().parent.parent
ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>]")


class Terminal:
    """A child process on a pty of 120x40, its screen output read as plain text."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.master, slave = pty.openpty()
        os.set_blocking(self.master, False)
        import fcntl
        import struct
        import termios

        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        self.process = subprocess.Popen(args, stdin=slave, stdout=slave, stderr=slave, env=env,
                                        cwd=ROOT, start_new_session=True)
        os.close(slave)
        self.seen = ""

    def read_until(self, pattern: str, timeout: float = 90) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if re.search(pattern, ANSI.sub("", self.seen)):
                return self.seen
            ready, _, _ = select.select([self.master], [], [], 0.2)
            if ready:
                try:
                    self.seen += os.read(self.master, 65536).decode("utf-8", "replace")
                except OSError:  # the child closed the terminal
                    break
        text = ANSI.sub("", self.seen)[-2000:]
        raise AssertionError(f"never saw {pattern!r}; screen text:\n{text}")

    def send(self, keys: str) -> None:
        os.write(self.master, keys.encode())

    def close(self, timeout: float = 30) -> int:
        """Wait for the exit, reading all the while: a child whose terminal output nobody
        reads blocks on its next write and never exits."""
        deadline = time.monotonic() + timeout
        try:
            while self.process.poll() is None and time.monotonic() < deadline:
                ready, _, _ = select.select([self.master], [], [], 0.2)
                if ready:
                    try:
                        self.seen += os.read(self.master, 65536).decode("utf-8", "replace")
                    except OSError:
                        break
            return self.process.wait(timeout=max(1.0, deadline - time.monotonic()))
        finally:
            if self.process.poll() is None:
                self.process.kill()
            os.close(self.master)


def _env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ, TERM="xterm-256color", XDG_DATA_HOME=str(tmp_path / "data"),
               HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    env.pop("TEXTUAL", None)
    return env


def test_qualkit_code_opens_the_workbench_and_quits_on_q(sample_project, tmp_path):
    term = Terminal([sys.executable, "-m", "qualkit", "code", str(sample_project), "--coder",
                     "maria"], _env(tmp_path))
    term.read_until(r"maria")
    term.read_until(r"fg_case_managers|int_|fg_")  # a transcript is on screen
    time.sleep(0.5)
    term.send("q")
    assert term.close() == 0
    with Store.open(sample_project) as store:
        assert "maria" in {c.name for c in store.codings.coders()}


def test_qualkit_demo_builds_the_sample_and_opens_the_workbench(tmp_path):
    term = Terminal([sys.executable, "-m", "qualkit", "demo", "--coder", "maria"], _env(tmp_path))
    term.read_until(r"maria", timeout=180)
    time.sleep(0.5)
    term.send("q")
    assert term.close() == 0
    demo = next((tmp_path / "data").rglob("lead_demo.qualkit"))
    assert oct(demo.stat().st_mode & 0o777) == "0o600"
    with Store.open(demo) as store:
        assert len(store.documents.list()) >= 12
        assert {"ana", "ben"} <= {c.name for c in store.codings.coders()}
