"""The README's first commands in a real terminal: `qualkit code` and `qualkit demo` run under a
pseudo-terminal, draw the workbench, take keys and exit cleanly (what Pilot cannot show: the
console script, argument parsing and the terminal driver)."""

from __future__ import annotations

import time
from pathlib import Path

from qualkit.store import Store

from .pty_helpers import Terminal


def _env(tmp_path: Path) -> dict[str, str]:
    return {"XDG_DATA_HOME": str(tmp_path / "data"), "HF_HUB_OFFLINE": "1",
            "TRANSFORMERS_OFFLINE": "1"}


def test_qualkit_code_opens_the_workbench_and_quits_on_q(sample_project, tmp_path):
    term = Terminal("code", str(sample_project), "--coder", "maria", env=_env(tmp_path))
    term.read_until(r"maria")
    term.read_until(r"fg_case_managers|int_|fg_")  # a transcript is on screen
    time.sleep(0.5)
    term.type("q")
    assert term.close() == 0
    with Store.open(sample_project) as store:
        assert "maria" in {c.name for c in store.codings.coders()}


def test_qualkit_demo_builds_the_sample_and_opens_the_workbench(tmp_path):
    term = Terminal("demo", "--coder", "maria", env=_env(tmp_path))
    term.read_until(r"maria", timeout=180)
    time.sleep(0.5)
    term.type("q")
    assert term.close() == 0
    demo = next((tmp_path / "data").rglob("lead_demo.qualkit"))
    assert oct(demo.stat().st_mode & 0o777) == "0o600"
    with Store.open(demo) as store:
        assert len(store.documents.list()) >= 12
        assert {"ana", "ben"} <= {c.name for c in store.codings.coders()}
