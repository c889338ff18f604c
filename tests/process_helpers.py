"""Real processes on one project file, for the kill and concurrency tests (tests/ and stress/).

``python -m tests.process_helpers coder PROJECT NAME [--worker]`` is a coder's process: it opens
the project (and, with ``--worker``, a second store, as a workbench screen's worker does), prints
``ready``, then reads commands on stdin and answers each one only after it committed:

* ``code I`` toggles the first code on segment I of the first document: ``ack I START END``
* ``loop N SEED`` codes N random passages as fast as it can, one ``ack`` line each
* ``worker`` opens and closes a second store (a worker's life) and answers ``ack worker``

The parent kills it (SIGKILL) at any moment and checks that every acknowledged coding is there.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def env() -> dict[str, str]:
    """The environment a child needs to import this tree's qualkit (and these helpers)."""
    return {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"}


def spawn_coder(project: Path, name: str, *, worker: bool = False) -> subprocess.Popen:
    args = [sys.executable, "-m", "tests.process_helpers", "coder", str(project), name]
    if worker:
        args.append("--worker")
    child = subprocess.Popen(
        args,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        bufsize=1,
        env=env(),
        cwd=ROOT,
    )
    line = child.stdout.readline()
    if line.strip() != "ready":
        child.kill()
        raise RuntimeError(f"coder did not start: {line!r} {child.stderr.read()}")
    return child


def qualkit(*args: str | Path, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run the real `qualkit` command line in a process of its own."""
    return subprocess.run(
        [sys.executable, "-m", "qualkit", *map(str, args)],
        capture_output=True,
        text=True,
        env=env(),
        cwd=ROOT,
        timeout=timeout,
    )


def kill(child: subprocess.Popen) -> None:
    if child.poll() is None:
        os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=30)


def codings_of(project: Path, coder: str) -> set[tuple[int, int, int]]:
    """``(code_id, start, end)`` of a coder's codings in the first document, read by plain
    SQLite (not qualkit) so that the check does not trust the code under test."""
    conn = sqlite3.connect(project)
    try:
        rows = conn.execute(
            'SELECT c.code_id, c.start, c."end" FROM codings c JOIN coders k ON k.id = c.coder_id '
            "WHERE k.name = ?",
            [coder],
        ).fetchall()
    finally:
        conn.close()
    return set(rows)


def missing(acks: list[tuple[int, int, int]], codings: set[tuple[int, int, int]]) -> list:
    """The acknowledged ``(code_id, start, end)`` passages that no coding covers (a later
    overlapping coding of the same code merges with an earlier one, so look for cover)."""
    by_code: dict[int, list[tuple[int, int]]] = {}
    for code_id, start, end in codings:
        by_code.setdefault(code_id, []).append((start, end))
    return [
        (code_id, start, end)
        for code_id, start, end in acks
        if not any(s <= start and end <= e for s, e in by_code.get(code_id, []))
    ]


def read_acks(lines: list[str]) -> list[tuple[int, int, int]]:
    """``ack I CODE START END`` lines as ``(code_id, start, end)``; a torn last line is not an
    acknowledgement (the coder was killed while printing it)."""
    acks = []
    for line in lines:
        parts = line.split()
        if len(parts) == 5 and parts[0] == "ack" and line.endswith("\n"):
            acks.append((int(parts[2]), int(parts[3]), int(parts[4])))
    return acks


def integrity(project: Path) -> str:
    conn = sqlite3.connect(project)
    try:
        return "; ".join(r[0] for r in conn.execute("PRAGMA integrity_check"))
    finally:
        conn.close()


def _coder(project: str, name: str, worker: bool) -> None:
    from qualkit.coding.session import CodingSession
    from qualkit.store import Store

    store = Store.open(project)
    session = CodingSession(store, name)
    document = store.documents.list()[0]
    segments = store.documents.segments(document.id)
    codes = [c for c in store.codes.list() if c.parent_id is not None] or store.codes.list()
    if worker:
        Store.open(project).close()
    print("ready", flush=True)
    for line in sys.stdin:
        command, *args = line.split()
        if command == "code":
            segment = segments[int(args[0]) % len(segments)]
            session.apply(document.id, codes[0].id, [(segment.start, segment.end)])
            print(f"ack {args[0]} {codes[0].id} {segment.start} {segment.end}", flush=True)
        elif command == "worker":
            Store.open(project).close()
            print("ack worker", flush=True)
        elif command == "loop":
            _loop(session, document.id, segments, codes, int(args[0]), int(args[1]))


def _loop(session, document_id, segments, codes, n: int, seed: int) -> None:
    """Code ``n`` passages, each a new (code, word span) so that every one adds a row."""
    rng = random.Random(seed)
    for i in range(n):
        segment = segments[rng.randrange(len(segments))]
        code = codes[rng.randrange(len(codes))]
        start = rng.randrange(segment.start, segment.end - 1)
        end = rng.randrange(start + 1, segment.end + 1)
        toggled = session.apply(document_id, code.id, [(start, end)])
        if toggled is not None:
            print(f"ack {i} {code.id} {start} {end}", flush=True)
    print("done", flush=True)


def codings_csv(project: Path, dest: Path, coder: str, n: int, *, seed: int = 0) -> Path:
    """A codings CSV of ``n`` distinct random passages of the first document."""
    conn = sqlite3.connect(project)
    try:
        name, length = conn.execute(
            "SELECT name, length(text) FROM documents ORDER BY id"
        ).fetchone()
        codes = [r[0] for r in conn.execute("SELECT name FROM codes WHERE parent_id IS NOT NULL")]
    finally:
        conn.close()
    rng = random.Random(seed)
    rows = {(rng.randrange(length - 50), rng.randrange(1, 50), rng.choice(codes)) for _ in range(n)}
    lines = ["document,start,end,code,coder"]
    lines += [f'{name},{start},{start + size},"{code}",{coder}' for start, size, code in rows]
    dest.write_text("\n".join(lines) + "\n")
    return dest


def _count(project: Path) -> int:
    conn = sqlite3.connect(f"{project.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT count(*) FROM codings").fetchone()[0]
    finally:
        conn.close()


def _mount_tmpfs(folder: Path, size_kb: int) -> None:
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", str(folder)], check=True
    )


def _storage(project: str, csv_file: str, other_csv: str, folder: str) -> None:
    """Inside a private mount namespace (``unshare -rm``): the project on a small tmpfs that is
    full, then on one mounted read-only. Prints one JSON line of what a user saw each time."""
    import json
    import shutil

    mount = Path(folder)
    size_kb = Path(project).stat().st_size // 1024 + 512
    _mount_tmpfs(mount, size_kb)
    target = mount / "p.qualkit"
    shutil.copy(project, target)  # no connection to it in this process
    filler = mount / "filler"
    with open(filler, "wb", buffering=0) as handle:
        try:
            while True:
                handle.write(b"\0" * 4096)
        except OSError:
            pass
        # Room for SQLite's shared-memory index and a little log, not for the import.
        handle.truncate(max(0, filler.stat().st_size - 160 * 1024))
    before = _count(target)
    full = qualkit("codings", "import", target, csv_file)
    after_full = _count(target)
    filler.unlink()
    retried = qualkit("codings", "import", target, csv_file)
    after_retry = _count(target)
    subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
    readonly = qualkit("codings", "import", target, other_csv)
    status = qualkit("status", target)
    print(
        json.dumps(
            {
                "before": before,
                "full": [full.returncode, full.stderr],
                "after_full": after_full,
                "retried": [retried.returncode, retried.stderr],
                "after_retry": after_retry,
                "readonly": [readonly.returncode, readonly.stderr],
                "status": [status.returncode, status.stdout, status.stderr],
                "after_readonly": _count(target),
            }
        )
    )


if __name__ == "__main__":
    if sys.argv[1] == "coder":
        _coder(sys.argv[2], sys.argv[3], "--worker" in sys.argv)
    elif sys.argv[1] == "storage":
        _storage(*sys.argv[2:6])
    else:
        raise SystemExit(f"unknown helper {sys.argv[1]}")
