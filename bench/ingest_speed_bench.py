"""Benchmark of import start-up and throughput (issue 10 §2), each a median of --runs.

  (1) `qualkit import` of a one-page transcript (3 KB) into a new project, as a whole fresh
      process, against `python -c pass` in the same rounds (target <= 1 s wall);
  (2) import throughput in-process at several sizes (one page, 1 MB, 5 MB, and a 5 MB file
      that is one single line), sentence units and the full-text index included, in MB/s
      (target >= 1 MB/s);
  (3) first `qualkit demo` to the interactive coding screen in a fresh process: the demo project
      built from nothing (12 transcripts, codebook, two coders' codings), then the workbench
      mounted headless (target <= 5 s);
  (4) whether spaCy or torch was loaded by (1) (it must not be).

    python bench/ingest_speed_bench.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "transcripts_sample"
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def _sentences() -> list[str]:
    from qualkit.ingest.segmenter import segment
    from qualkit.ingest.transcripts import read_transcript

    out = []
    for path in sorted(SAMPLE.glob("*.txt")):
        transcript = read_transcript(path, path.read_bytes())
        out += [transcript.text[r[3] : r[4]] for r in segment(transcript)]
    return out


def _write(path: Path, size: int, *, one_line: bool, rng: random.Random) -> int:
    pool = _sentences()
    speakers = ["INTERVIEWER", "P3", "OFFICER 1"]
    parts, length = [], 0
    while length < size:
        text = " ".join(rng.choices(pool, k=rng.randint(1, 6)))
        parts.append(text if one_line else f"{rng.choice(speakers)}: {text}\n\n")
        length += len(parts[-1]) + 1
    data = ("P1: " + " ".join(parts)) if one_line else "".join(parts)
    path.write_text(data, encoding="utf-8")
    return path.stat().st_size


def _run(args: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(args, check=True, capture_output=True, env=ENV)
    return time.perf_counter() - started


def one_page(work: Path, runs: int) -> tuple[list[float], list[float]]:
    page = work / "one_page.txt"
    _write(page, 3000, one_line=False, rng=random.Random(1))
    cold, bare = [], []
    for i in range(runs):
        project = work / f"page{i}.qualkit"
        _run([sys.executable, "-m", "qualkit", "init", str(project)])
        cold.append(_run([sys.executable, "-m", "qualkit", "import", str(project), str(page)]))
        bare.append(_run([sys.executable, "-c", "pass"]))
    return cold, bare


def throughput(work: Path, runs: int) -> list[tuple[str, int, float]]:
    from qualkit.ingest import import_transcripts
    from qualkit.store import Store

    rng = random.Random(2)
    sizes = [("one page", 3_000, False), ("1 MB", 1_000_000, False), ("5 MB", 5_000_000, False),
             ("5 MB one line", 5_000_000, True)]
    out = []
    for label, size, one_line in sizes:
        source = work / f"t_{size}_{int(one_line)}.txt"
        actual = _write(source, size, one_line=one_line, rng=rng)
        times = []
        for i in range(runs):
            with Store.create(work / f"tp_{size}_{int(one_line)}_{i}.qualkit") as store:
                started = time.perf_counter()
                import_transcripts(store, [source])
                times.append(time.perf_counter() - started)
        out.append((label, actual, statistics.median(times)))
    return out


_DEMO = """
import asyncio, sys, time
started = time.perf_counter()
from qualkit.demo import build_demo
path = build_demo(__import__("pathlib").Path(sys.argv[1]))
built = time.perf_counter() - started
from qualkit.tui.app import make_app

async def first_screen():
    app = make_app(path, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        return time.perf_counter() - started

total = asyncio.run(first_screen())
heavy = sorted({m.split(".")[0] for m in sys.modules} & {"torch", "spacy", "thinc"})
print(f"{built:.2f} {total:.2f} {','.join(heavy) or '-'}")
"""


def demo(work: Path, runs: int) -> list[tuple[float, float, str]]:
    out = []
    for i in range(runs):
        done = subprocess.run(
            [sys.executable, "-c", _DEMO, str(work / f"demo{i}" / "lead_demo.qualkit")],
            check=True, capture_output=True, text=True, env=ENV,
        )
        built, total, heavy = done.stdout.split()
        out.append((float(built), float(total), heavy))
    return out


def loaded_by_import(work: Path) -> str:
    page = work / "one_page.txt"
    project = work / "probe.qualkit"
    code = (
        "import sys\nfrom qualkit.cli import main\n"
        f"sys.argv = ['qualkit', 'import', {str(project)!r}, {str(page)!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(','.join(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'torch', 'spacy', 'thinc', 'numpy'})) or '-')"
    )
    _run([sys.executable, "-m", "qualkit", "init", str(project)])
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=ENV)
    return done.stdout.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(f"load: {' '.join(f'{x:.2f}' for x in os.getloadavg())} (1, 5, 15 min) "
          f"on {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        cold, bare = one_page(work, args.runs)
        print(f"(1) qualkit import, one page, fresh process: median {statistics.median(cold):.2f} s"
              f" (min {min(cold):.2f}); python -c pass: {statistics.median(bare):.2f} s; "
              f"ratio {statistics.median(cold) / statistics.median(bare):.1f}x (target <= 1 s)")
        for label, size, seconds in throughput(work, args.runs):
            print(f"(2) {label:>14}: {size / 1e6:6.2f} MB in {seconds:6.2f} s = "
                  f"{size / 1e6 / seconds:5.2f} MB/s")
        runs = demo(work, max(1, args.runs // 2))
        print(f"(3) first qualkit demo: build median {statistics.median(r[0] for r in runs):.2f} s,"
              f" to the coding screen {statistics.median(r[1] for r in runs):.2f} s "
              f"(target <= 5 s); heavy modules loaded: {runs[0][2]}")
        print(f"(4) modules of torch/spaCy/thinc/numpy loaded by `qualkit import`: "
              f"{loaded_by_import(work)}")


if __name__ == "__main__":
    main()
