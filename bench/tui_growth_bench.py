"""Does a coding key in the workbench cost the same at the 5,000th coding as at the first?

One document of 20,000 sentence segments (about 2 MB). Two measurements, both timed inside the
app from the key's arrival to the frame after the repaint (Pilot's own waits not counted):

* **flat?** the coder already holds N codings in the document (N = 0, 2,500, 10,000, spread over
  the codebook's codes), then applies codes to 150 segments; p50/p95 per N and the ratio of each
  p50 to the p50 with none, measured in the same run (interleaved by N is not possible: each N is
  its own project, so the sizes run one after another and the load is printed);
* **growth**: a new coder codes 5,000 passages in a row (``j`` then a code key), and the latency
  of every key is plotted against the number of codings already made (``bench/out/``).

    python bench/tui_growth_bench.py [--sizes 0,2500,10000] [--passages 5000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from agreement_project_bench import _add_document

from qualkit.coding.codebook import apply_codebook, load_codebook
from qualkit.coding.session import CodingSession
from qualkit.store import Store

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(__file__).resolve().parent / "out"


def build(path: Path, codings: int, segments: int) -> None:
    with Store.create(path) as store:
        apply_codebook(store, load_codebook(ROOT / "codebooks" / "lead_process.yaml"))
        with store.atomic():
            document_id, starts, ends = _add_document(store, 0, segments)
        codes = [c.id for c in store.codes.list()]
        coder = CodingSession(store, "ana").coder.id
        rng = random.Random(codings)
        bounds = list(zip(starts.tolist(), ends.tolist(), strict=True))
        rows = {(document_id, rng.choice(codes), coder, *rng.choice(bounds))
                for _ in range(codings)}
        with store.atomic():
            store.codings.add_many(sorted(rows))


async def presses(path: Path, coder: str, count: int) -> list[float]:
    from qualkit.tui.app import make_app

    app = make_app(path, coder, measure=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        keys = [str(n) for n in range(1, 10)]
        for i in range(count):
            await pilot.press("j", keys[i % len(keys)])
        await pilot.pause()
        return list(app.latencies or [])


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[int(q * (len(ordered) - 1))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="0,2500,10000")
    parser.add_argument("--segments", type=int, default=20_000)
    parser.add_argument("--keys", type=int, default=150)
    parser.add_argument("--passages", type=int, default=5000)
    args = parser.parse_args(argv)
    sizes = [int(n) for n in args.sizes.split(",")]
    print(f"workbench key benchmark: one {args.segments:,}-segment document, "
          f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f} at the start")
    with tempfile.TemporaryDirectory() as folder:
        results = {}
        for n in sizes:
            path = Path(folder) / f"n{n}.qualkit"
            build(path, n, args.segments)
            results[n] = asyncio.run(presses(path, "ana", args.keys))
        base = statistics.median(results[sizes[0]])
        print(f"{'codings already in the document':>32} {'p50 ms':>8} {'p95 ms':>8} "
              f"{'p50 / none':>11}")
        for n in sizes:
            p50 = statistics.median(results[n])
            print(f"{n:>32,} {p50 * 1e3:8.1f} {percentile(results[n], 0.95) * 1e3:8.1f} "
                  f"{p50 / base:10.2f}x")
        if args.passages:
            path = Path(folder) / "growth.qualkit"
            build(path, 0, args.segments)
            started = time.perf_counter()
            growth = asyncio.run(presses(path, "rita", args.passages))
            took = time.perf_counter() - started
            print(f"growth: {len(growth):,} passages coded in {took:.0f} s")
            blocks = [growth[i:i + 500] for i in range(0, len(growth), 500)]
            for i, block in enumerate(blocks):
                print(f"  codings {i * 500:>5,}-{i * 500 + len(block) - 1:>5,}: "
                      f"p50 {statistics.median(block) * 1e3:6.1f} ms, "
                      f"p95 {percentile(block, 0.95) * 1e3:6.1f} ms")
            _plot(growth)
    print(f"load {os.getloadavg()[0]:.1f} at the end")
    return 0


def _plot(latencies: list[float]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    OUT.mkdir(exist_ok=True)
    fig, ax = plt.subplots(figsize=(7, 3.5))
    ax.plot(range(len(latencies)), [t * 1e3 for t in latencies], ",", alpha=0.5)
    ax.set_xlabel("codings already made in the document")
    ax.set_ylabel("key → commit → repaint (ms)")
    ax.set_title("Coding key latency as the document fills")
    fig.tight_layout()
    fig.savefig(OUT / "tui_growth.png", dpi=120)
    print(f"plot: {OUT / 'tui_growth.png'}")


if __name__ == "__main__":
    sys.exit(main())
