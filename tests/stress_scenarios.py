"""Kill and concurrency scenarios on real processes, sized by the caller.

The fast variants in ``tests/test_store_stress.py`` run in CI; ``tests/stress/`` runs the same
scenarios at full size (``QUALKIT_STRESS=1 pytest tests/stress -s``) and prints the counts that
README reports.
"""

from __future__ import annotations

import random
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.process_helpers import (
    ROOT,
    codings_csv,
    codings_of,
    env,
    integrity,
    kill,
    missing,
    qualkit,
    read_acks,
    spawn_coder,
)


@dataclass
class Outcome:
    kills: int = 0
    acknowledged: int = 0
    lost: list = field(default_factory=list)
    errors: list = field(default_factory=list)  # what a user would have seen
    integrity: str = ""
    extra: dict = field(default_factory=dict)


def _covered(project: Path, coder: str, acks) -> list:
    return missing(acks, codings_of(project, coder))


def kills_in_a_coding_loop(project: Path, *, kills: int, seed: int = 0) -> Outcome:
    """``kills`` coder processes, each killed at a random moment of a fast coding loop; every
    third round another process reads the project meanwhile, as `qualkit status` does."""
    rng = random.Random(seed)
    outcome = Outcome()
    acks = []
    for round_ in range(kills):
        coder = spawn_coder(project, "rita", worker=True)
        coder.stdin.write(f"loop 1000000 {seed * 100000 + round_}\n")
        coder.stdin.flush()
        time.sleep(rng.uniform(0.0, 0.5))
        if round_ % 3 == 0:
            status = qualkit("status", project)
            if status.returncode != 0:
                outcome.errors.append(status.stderr.strip())
        time.sleep(rng.uniform(0.0, 0.1))
        kill(coder)
        outcome.kills += 1
        acks += read_acks(coder.stdout.readlines())
    outcome.acknowledged = len(acks)
    outcome.lost = _covered(project, "rita", acks)
    outcome.integrity = integrity(project)
    return outcome


def _counts(project: Path) -> tuple[int, int, int]:
    conn = sqlite3.connect(project)
    try:
        return tuple(
            conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("documents", "segments", "codes")
        )
    finally:
        conn.close()


def write_transcripts(folder: Path, files: int, kb: int, seed: int = 0) -> Path:
    rng = random.Random(seed)
    words = "the officer said we referred her to the case manager after the arrest and".split()
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(files):
        lines = []
        size = 0
        while size < kb * 1024:
            speaker = rng.choice(["INTERVIEWER", "OFFICER", "PARTICIPANT"])
            sentence = " ".join(rng.choice(words) for _ in range(rng.randint(6, 20)))
            line = f"{speaker}: {sentence.capitalize()}. {sentence}?"
            lines.append(line)
            size += len(line) + 1
        (folder / f"stress_{seed}_{i:03d}.txt").write_text("\n".join(lines) + "\n")
    return folder


def write_codebook(path: Path, codes: int, tag: int) -> Path:
    lines = ["codes:"]
    for i in range(codes):
        lines += [f"  - name: Stress {tag} theme {i}", f"    description: planted theme {i}"]
    path.write_text("\n".join(lines) + "\n")
    return path


def _run_killed(args: list[str], delay: float) -> int:
    child = subprocess.Popen(
        [sys.executable, "-m", "qualkit", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env(),
        cwd=ROOT,
    )
    try:
        child.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        kill(child)
        return -9
    return child.returncode


def kills_during_import_and_codebook_load(
    project: Path, work: Path, *, kills: int, seed: int = 0
) -> Outcome:
    """Kill `qualkit import` and `qualkit codebook --load` at random moments: afterwards the
    project holds all of each or none of it, and passes integrity_check."""
    rng = random.Random(seed)
    outcome = Outcome()
    killed_mid = 0
    for round_ in range(kills):
        before = _counts(project)
        if round_ % 2 == 0:
            folder = write_transcripts(work / f"t{round_}", files=4, kb=60, seed=round_)
            code = _run_killed(["import", str(project), str(folder)], rng.uniform(0.3, 3.0))
            after = _counts(project)
            whole = after[0] in (before[0], before[0] + 4)
            full_segments = after[0] == before[0] or after[1] > before[1]
            ok = whole and full_segments
        else:
            n = 40 + round_
            book = write_codebook(work / f"codebook{round_}.yaml", codes=n, tag=round_)
            code = _run_killed(
                ["codebook", str(project), "--load", str(book)], rng.uniform(0.3, 2.0)
            )
            after = _counts(project)
            ok = _tagged_codes(project, round_) in (0, n)  # all of this load's codes, or none
        outcome.kills += code == -9
        killed_mid += code == -9
        if not ok:
            outcome.lost.append((round_, before, after))
    outcome.integrity = integrity(project)
    outcome.extra["killed_mid_run"] = killed_mid
    return outcome


def _tagged_codes(project: Path, tag: int) -> int:
    conn = sqlite3.connect(project)
    try:
        return conn.execute(
            "SELECT count(*) FROM codes WHERE name LIKE ?", [f"Stress {tag} theme %"]
        ).fetchone()[0]
    finally:
        conn.close()


def concurrent_coders_and_imports(
    project: Path, work: Path, *, coders: int, codings: int, import_loops: int, imports: int
) -> Outcome:
    """``coders`` processes each coding ``codings`` passages, while ``import_loops`` shells run
    `qualkit codings import` ``imports`` times each, all on one file."""
    outcome = Outcome()
    children = [spawn_coder(project, f"coder{i}") for i in range(coders)]
    for i, child in enumerate(children):
        child.stdin.write(f"loop {codings} {i + 1}\n")
        child.stdin.close()  # after the loop the coder reads EOF and exits
    files = [
        codings_csv(
            project, work / f"imp{loop}_{n}.csv", f"importer{loop}", 500, seed=loop * 1000 + n
        )
        for loop in range(import_loops)
        for n in range(imports)
    ]
    started = time.monotonic()
    runners = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                _IMPORT_LOOP,
                str(project),
                *map(str, files[loop::import_loops]),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env(),
            cwd=ROOT,
        )
        for loop in range(import_loops)
    ]
    acks = {}
    for i, child in enumerate(children):
        lines = child.stdout.readlines()
        child.wait(timeout=600)
        if child.returncode != 0:
            outcome.errors.append(child.stderr.read().strip()[-500:])
        if not lines or lines[-1] != "done\n":
            outcome.errors.append(f"coder{i} did not finish")
        acks[f"coder{i}"] = read_acks(lines)
    for runner in runners:
        out, err = runner.communicate(timeout=600)
        outcome.errors += [line for line in err.splitlines() if line.strip()]
        outcome.extra.setdefault("imports_ok", 0)
        outcome.extra["imports_ok"] += out.count("ok")
    outcome.extra["seconds"] = round(time.monotonic() - started, 1)
    for name, coder_acks in acks.items():
        outcome.acknowledged += len(coder_acks)
        outcome.lost += _covered(project, name, coder_acks)
    conn = sqlite3.connect(project)
    try:
        imported = conn.execute(
            "SELECT count(*) FROM codings c JOIN coders k ON k.id = c.coder_id "
            "WHERE k.name LIKE 'importer%'"
        ).fetchone()[0]
    finally:
        conn.close()
    outcome.extra["imported_rows"] = imported
    outcome.integrity = integrity(project)
    return outcome


# A shell loop of `qualkit codings import`, one process per import, reporting each exit.
_IMPORT_LOOP = """
import subprocess, sys
project, files = sys.argv[1], sys.argv[2:]
for f in files:
    r = subprocess.run([sys.executable, "-m", "qualkit", "codings", "import", project, f],
                       capture_output=True, text=True)
    sys.stderr.write(r.stderr)
    print("ok" if r.returncode == 0 else f"failed {r.returncode}", flush=True)
"""
