"""README's "Use it from Python" example runs as written (docs as tests)."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def readme_python_example() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Use it from Python", 1)[1]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_the_readme_python_example_runs(tmp_path):
    for name in ("codebooks", "transcripts_sample"):
        (tmp_path / name).symlink_to(ROOT / name)
    (tmp_path / "example.py").write_text(readme_python_example(), encoding="utf-8")
    done = subprocess.run([sys.executable, "example.py"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "krippendorff_alpha" in done.stdout
    assert "Information sharing" in done.stdout  # ana's most used code in the sample
    with sqlite3.connect(tmp_path / "lead.qualkit") as db:
        carl = db.execute('SELECT c.start, c."end" FROM codings c JOIN coders k '
                          "ON k.id = c.coder_id WHERE k.name = 'carl'").fetchall()
    assert carl == [(0, 120)]
