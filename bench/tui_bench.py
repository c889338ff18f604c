"""Benchmark of the coding workbench on a large project.

Builds (once, cached under bench/out/) a project of 200 documents and about 100,000 segments,
one of them a four-hour focus group of 3,000 segments, with three coders' codings, and measures:

  (a) launch: from creating the app to the first interactive coding screen (target <= 1 s);
  (b) apply a code: key press -> committed to SQLite -> repainted, p50 and p95 over N presses,
      timed inside the app from the key's arrival (the event's time, so a wait behind an earlier
      key or a garbage collection counts) to the frame after the repaint (target p95 <= 20 ms;
      Pilot's own idle waits are not counted, see shared/toolchain.md);
  (c) opening the largest document, to its first painted frame (target <= 300 ms);
  (d) the process's peak memory (resident), workbench and benchmark together (target < 100 MB).

    python bench/tui_bench.py [--presses 300] [--rebuild]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import resource
import statistics
import tempfile
import time
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"
WORDS = [
    *"officer case manager referral handoff housing shelter program diversion court".split(),
    *"prosecutor defender arrest treatment trust data consent waitlist funding staff".split(),
    *"training sergeant community outreach night weekend phone client".split(),
]


def _turn(rng: random.Random, speaker: str) -> str:
    sentences = [
        " ".join(rng.choices(WORDS, k=rng.randint(6, 18))).capitalize() + rng.choice(".?!")
        for _ in range(rng.randint(2, 4))
    ]
    return f"{speaker}: {' '.join(sentences)}\n\n"


def _write_transcripts(folder: Path, rng: random.Random) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(200):
        turns = 1000 if number == 0 else 163  # ~3 segments a turn
        speakers = [f"P{i}" for i in range(1, 7)]
        text = "".join(_turn(rng, rng.choice(speakers)) for _ in range(turns))
        (folder / f"doc{number:03d}.txt").write_text(text)


def build(path: Path) -> None:
    from qualkit.coding.codebook import apply_codebook, load_codebook
    from qualkit.ingest.importer import import_transcripts
    from qualkit.store import Store

    rng = random.Random(7)
    root = Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory() as tmp:
        _write_transcripts(Path(tmp), rng)
        with Store.create(path) as store:
            apply_codebook(store, load_codebook(root / "codebooks" / "lead_process.yaml"))
            started = time.perf_counter()
            report = import_transcripts(store, [tmp])
            print(f"built {report.segments:,} segments in {time.perf_counter() - started:.1f} s")
            _add_codings(store, rng)


def _add_codings(store, rng: random.Random) -> None:
    codes = [c.id for c in store.codes.list()]
    with store.atomic():
        for name in ("ana", "ben", "cruz"):
            coder = store.codings.ensure_coder(name)
            rows = []
            for document in store.documents.list():
                for segment in store.documents.segments(document.id):
                    if rng.random() < 0.15:
                        rows.append(
                            (
                                document.id,
                                rng.choice(codes),
                                coder.id,
                                segment.start,
                                segment.end,
                            )
                        )
            store.codings.add_many(rows)
    print(f"codings: {store.counts()['codings']:,}")


async def measure(path: Path, presses: int) -> dict[str, float | list[float]]:
    from qualkit.tui.app import make_app
    from qualkit.tui.screens.coding import CodingScreen

    started = time.perf_counter()
    app = make_app(path, "ana", measure=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        launch = time.perf_counter() - started
        screen = app.screen
        assert isinstance(screen, CodingScreen)
        largest = max(screen.documents, key=lambda d: d.length)
        opened = asyncio.get_running_loop().create_future()
        started = time.perf_counter()
        screen.open_document(largest.id)
        screen.call_after_refresh(lambda: opened.set_result(time.perf_counter() - started))
        open_time = await opened
        keys = [str(n) for n in range(1, 10)]
        for i in range(presses):
            await pilot.press("j", keys[i % len(keys)])
        await pilot.pause()
        latencies = list(app.latencies or [])
    return {"launch": launch, "open": open_time, "latencies": latencies,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presses", type=int, default=300)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    path = OUT / "tui_bench.qualkit"
    if args.rebuild or not path.exists():
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        build(path)
    result = asyncio.run(measure(path, args.presses))
    ms = sorted(x * 1000 for x in result["latencies"])
    p50, p95 = statistics.median(ms), ms[int(0.95 * (len(ms) - 1))]
    print(f"(a) launch to interactive screen: {result['launch'] * 1000:.0f} ms (target <= 1000)")
    print(
        f"(b) apply a code, {len(ms)} presses: p50 {p50:.1f} ms, p95 {p95:.1f} ms, "
        f"max {ms[-1]:.1f} ms (target p95 <= 20)"
    )
    print(f"(c) open the largest document: {result['open'] * 1000:.0f} ms (target <= 300)")
    print(f"(d) peak memory of this process: {result['peak_mb']:.0f} MB (target < 100)")


if __name__ == "__main__":
    main()
