"""The workbench keeps the coder's place as they move and code, not only on `q`: a killed
terminal or the palette's Quit reopens where the coder was (issue 9, §4)."""

from __future__ import annotations

import fcntl
import os
import signal
import struct
import subprocess
import sys
import termios
import threading
import time

from qualkit.store import Store
from qualkit.tui.app import make_app

from .conftest import ROOT
from .test_tui import mine, screen, segments


def saved_position(project, coder="ana") -> str | None:
    with Store.open(project) as store:
        return store.get_meta(f"tui.position.{coder}")


def wait_for(predicate, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


class Terminal:
    """`qualkit code` in a pseudo-terminal of 120×40, as a coder runs it."""

    def __init__(self, project, coder="ana") -> None:
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        env = {**os.environ, "PYTHONPATH": str(ROOT), "TERM": "xterm-256color"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "qualkit", "code", str(project), "--coder", coder],
            stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True,
        )
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

    def type(self, keys: str) -> None:
        for key in keys:
            os.write(self.master, key.encode())
            time.sleep(0.05)

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)
        os.close(self.master)


def test_a_killed_workbench_reopens_where_the_coder_was(sample_project):
    with Store.open(sample_project) as store:
        document = store.documents.by_name("fg_case_managers.docx")
    terminal = Terminal(sample_project)
    try:
        assert wait_for(lambda: b"segment 1/" in terminal.output), terminal.output[-2000:]
        terminal.type("jjjj")
        assert wait_for(lambda: saved_position(sample_project) == f"{document.id}:4")
        terminal.type("kw")  # a coding writes the place at once, with the coding
        assert wait_for(lambda: len(mine(sample_project)) == 1)
        assert saved_position(sample_project) == f"{document.id}:3"
    finally:
        terminal.kill()  # SIGKILL: no `q`, nothing runs on the way out
    seg = segments(sample_project)[3]
    assert mine(sample_project) == [(document.name, seg.start, seg.end, "Warm handoff")]


async def test_the_palettes_quit_keeps_the_place(sample_project):
    app = make_app(sample_project, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("j", "j", "ctrl+p", *"Quit", "enter")
        await pilot.pause()
    app = make_app(sample_project, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert screen(app).view.current_index == 2
