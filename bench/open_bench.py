"""How long the workbench takes to show one long transcript, at several sizes (issue 12).

Builds (once, cached under bench/out/) one project per size, each holding a single focus group
of 1, 2, 4 or 8 MB (about 10,000 segments a MB) with one coder's codings on a tenth of its
segments, and measures in fresh processes, round-robin over the sizes and the reference:

  launch: from the process's start to the interactive coding screen showing that document
          (target <= 1 s); the process imports qualkit and Textual and opens the project;
  open:   inside that process, opening the document again from scratch to its first painted
          frame, median of 3 (target <= 0.5 s);
  peak memory: the child's peak resident set size (the largest over the rounds);
  reference: a bare ``python -c pass`` in the same rounds, so a busy machine shows as a larger
          reference rather than as a slower qualkit.

    python bench/open_bench.py [--rounds 5] [--sizes 1 2 4 8] [--rebuild]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from tui_bench import _turn  # the same turns as the project benchmark

OUT = Path(__file__).resolve().parent / "out"
ROOT = Path(__file__).resolve().parent.parent

# Run in a child process: launch the workbench on PROJECT, wait for the coding screen, then open
# the document three more times; prints the times as JSON.
CHILD = r"""
import asyncio, json, resource, statistics, sys, time
spawned = float(sys.argv[2])
from qualkit.tui.app import make_app

async def main():
    app = make_app(sys.argv[1], "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        launch = time.time() - spawned
        screen = app.screen
        opens = []
        for _ in range(3):
            done = asyncio.get_running_loop().create_future()
            started = time.perf_counter()
            screen.open_document(screen.documents[0].id)
            screen.call_after_refresh(lambda: done.set_result(time.perf_counter() - started))
            opens.append(await done)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # MB on Linux
        print(json.dumps({"launch": launch, "open": statistics.median(opens),
                          "segments": len(screen.segments), "peak_mb": peak}))

asyncio.run(main())
"""


def build(path: Path, megabytes: float) -> None:
    from qualkit.coding.codebook import apply_codebook, load_codebook
    from qualkit.ingest.importer import import_transcripts
    from qualkit.store import Store

    rng = random.Random(3)
    speakers = [f"P{i}" for i in range(1, 7)]
    with tempfile.TemporaryDirectory() as tmp:
        parts, size = [], 0
        while size < megabytes * 1_000_000:
            parts.append(_turn(rng, rng.choice(speakers)))
            size += len(parts[-1])
        (Path(tmp) / "focus_group.txt").write_text("".join(parts))
        with Store.create(path) as store:
            apply_codebook(store, load_codebook(ROOT / "codebooks" / "lead_process.yaml"))
            import_transcripts(store, [tmp])
            codes = [c.id for c in store.codes.list()]
            coder = store.codings.ensure_coder("ana")
            document = store.documents.list()[0]
            rows = [
                (document.id, rng.choice(codes), coder.id, s.start, s.end)
                for s in store.documents.segments(document.id)
                if rng.random() < 0.1
            ]
            with store.atomic():
                store.codings.add_many(rows)


def run_child(path: Path) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), repr(time.time())],
        capture_output=True, text=True, check=True, cwd=ROOT,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def reference() -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--sizes", type=float, nargs="+", default=[1, 2, 4, 8])
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    paths = {}
    for size in args.sizes:
        path = paths[size] = OUT / f"open_{size:g}mb.qualkit"
        if args.rebuild or not path.exists():
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            build(path, size)
    results: dict = {size: [] for size in args.sizes}
    refs = []
    for _ in range(args.rounds):  # interleaved, so load changes hit every size alike
        refs.append(reference())
        for size in args.sizes:
            results[size].append(run_child(paths[size]))
    ref = statistics.median(refs)
    load = os.getloadavg()[0]
    print(f"load average {load:.1f}; reference (python -c pass) median {ref * 1000:.0f} ms")
    print("| document | segments | launch to interactive (median) | open again (median) "
          "| peak memory |")
    print("|---|---|---|---|---|")
    for size in args.sizes:
        runs = results[size]
        launch = statistics.median(r["launch"] for r in runs)
        opened = statistics.median(r["open"] for r in runs)
        print(
            f"| {size:g} MB | {runs[0]['segments']:,} | {launch * 1000:.0f} ms "
            f"({launch / ref:.0f}× ref) | {opened * 1000:.0f} ms ({opened / ref:.1f}× ref) | "
            f"{max(r['peak_mb'] for r in runs):.0f} MB |"
        )


if __name__ == "__main__":
    main()
