"""Benchmark `qualkit report` on the integration benchmark's projects (issue 15: the
100,000-segment project's report in <= 30 s; the sample's in <= 10 s, see README).

Each project is built as in ``integrate_bench.py`` (200 documents per 100,000 segments, 30
codes, 3 coders, ~620k codings at 100k, metadata, a saved 1,000 x 100,000 match run with
linked outcomes). Timed, medians of interleaved repeats, each opening the project afresh:
the HTML report in-process (imports already paid), the Word report in-process, and the whole
`qualkit report -o report.html` command as a fresh process; beside them `qualkit agree`'s
computation on the same project, whose ratio tells what the machine load does not.

    cd bench && python report_bench.py --sizes 25000,100000 --repeats 3
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from integrate_bench import prepare  # run from bench/

from qualkit.agreement.project import project_agreement
from qualkit.report import ReportOptions, render
from qualkit.store import Store

OPTIONS = ReportOptions(run="bench", equity_code="code 00", generated_at="bench")
REFERENCE = "reference: `agree`, all statistics"


def html(store: Store) -> None:
    render(store, "html", OPTIONS)


def docx(store: Store) -> None:
    render(store, "docx", OPTIONS)


STEPS = {REFERENCE: project_agreement, "report.html (in-process)": html,
         "report.docx (in-process)": docx}


def cli(path: Path, folder: str) -> None:
    out = Path(folder) / "report.html"
    subprocess.run([sys.executable, "-m", "qualkit", "report", str(path), "--run", "bench",
                    "--equity-code", "code 00", "-o", str(out), "--force"], check=True,
                   capture_output=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="25000,100000")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"load before: {os.getloadavg()[0]:.2f} (1-min), {os.cpu_count()} CPUs")
    times: dict[tuple[str, int], list[float]] = {}
    with tempfile.TemporaryDirectory() as folder:
        paths = {}
        for size in sizes:
            start = time.perf_counter()
            paths[size] = Path(folder) / f"bench{size}.qualkit"
            prepare(paths[size], size, 0)
            print(f"built {size:,} segments in {time.perf_counter() - start:.0f} s")
        with Store.open(paths[sizes[0]]) as store:  # warm-up: imports, matplotlib fonts
            html(store)
        for _ in range(args.repeats):
            for size, path in paths.items():
                for label, step in STEPS.items():
                    start = time.perf_counter()
                    with Store.open(path) as store:
                        step(store)
                    times.setdefault((label, size), []).append(time.perf_counter() - start)
                start = time.perf_counter()
                cli(path, folder)
                times.setdefault(("`qualkit report -o report.html` (process)", size), []).append(
                    time.perf_counter() - start)
    biggest = sizes[-1]
    agree = statistics.median(times[(REFERENCE, biggest)])
    print(f"\nmedian seconds of {args.repeats} interleaved runs")
    print(f"  {'step':<44}" + "".join(f"{f'{s // 1000}k':>9}" for s in sizes) + "  x agree")
    ok = True
    for label in dict.fromkeys(k for k, _ in times):
        medians = [statistics.median(times[(label, s)]) for s in sizes]
        if label != REFERENCE:
            ok &= medians[-1] <= 30
        print(f"  {label:<44}" + "".join(f"{m:9.2f}" for m in medians)
              + f"  {medians[-1] / agree:7.2f}")
    print(f"target: every report <= 30 s at {biggest // 1000}k: {'OK' if ok else 'TOO SLOW'}")
    print(f"load after: {os.getloadavg()[0]:.2f} (1-min)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
