"""How `qualkit status` and `qualkit agree` grow with the number of codings (issue: scale).

Projects are built like ``agreement_project_bench.py`` (30 codes, spans over runs of segments)
at several sizes; the number of coders sets the codings (3 coders on 100,000 segments give about
620,000 codings, 6 coders about 1.2 million). Each round runs, interleaved: a bare
``python -c pass`` (the reference), the whole `qualkit status` command in a fresh process, and,
in this process, status and the whole agreement (segment unit, every statistic, no bootstrap)
from a freshly opened store. The table shows medians and the ratio of each to the reference
measured in the same rounds, with the machine's load, so a busy machine can be told from growth.

    cd bench && python scale_bench.py --sizes 10000:3,100000:3,100000:6 --repeats 5
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

from agreement_project_bench import build_project  # run from bench/

from qualkit.agreement.project import project_agreement
from qualkit.status import project_status
from qualkit.store import Store

TARGETS = {"status command": 0.3, "agree (in process)": 1.0}


def clock(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def command(*args: str) -> float:
    return clock(lambda: subprocess.run([sys.executable, *args], check=True,
                                        stdout=subprocess.DEVNULL))


def in_process(path: Path, work) -> float:
    def run() -> None:
        with Store.open(path) as store:
            work(store)
    return clock(run)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000:3,100000:3,100000:6",
                        help="segments:coders pairs, comma-separated")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    sizes = [tuple(int(x) for x in pair.split(":")) for pair in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as folder:
        projects = []
        for segments, coders in sizes:
            path = Path(folder) / f"p{segments}_{coders}.qualkit"
            n = build_project(path, segments=segments, codes=30, coders=coders,
                              documents=max(1, segments // 500), seed=0)
            with Store.open(path) as store:  # the first status fills the progress cache
                project_status(store)
            projects.append((f"{n:,} codings ({segments:,} segments, {coders} coders)", path))
        steps = {
            "python -c pass": lambda p: command("-c", "pass"),
            "status command": lambda p: command("-m", "qualkit", "status", str(p)),
            "status (in process)": lambda p: in_process(p, project_status),
            "agree (in process)": lambda p: in_process(p, project_agreement),
        }
        times = {(label, step): [] for label, _ in projects for step in steps}
        for _ in range(args.repeats):  # interleaved: every step of every size each round
            for label, path in projects:
                for step, run in steps.items():
                    times[label, step].append(run(path))
        load = os.getloadavg()[0]
    print(f"scale benchmark: {os.cpu_count()} CPUs, load average {load:.1f} at the end, "
          f"medians of {args.repeats} interleaved rounds")
    print(f"{'project':<48} {'step':<22} {'median':>9} {'x ref':>7}  target")
    ok = True
    for label, _ in projects:
        reference = statistics.median(times[label, "python -c pass"])
        for step in steps:
            median = statistics.median(times[label, step])
            target = TARGETS.get(step)
            verdict = "" if target is None else (
                f"<= {target} s {'OK' if median <= target else 'over'}")
            ok &= target is None or median <= target
            print(f"{label:<48} {step:<22} {median:8.3f}s {median / reference:6.1f}x  {verdict}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
