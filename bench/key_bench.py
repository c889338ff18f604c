"""Does a coding key cost the same at the 10,000th coding as at the first? (library level)

One document of about 2 MB (20,000 sentence segments) and a coder who already holds N codings
in it (N = 0, 2,500, 10,000 by default, spread over 30 codes); then 300 toggles of a random
code on random segments, each one transaction through ``CodingSession.toggle`` as the
workbench's key makes it. Sizes are interleaved in rounds; the table shows p50/p95 per size
and the ratio of each p50 to the p50 with no codings, measured in the same run.

    cd bench && python key_bench.py --codings 0,2500,10000
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from agreement_project_bench import _add_document  # run from bench/

from qualkit.coding.session import CodingSession
from qualkit.store import Store


def build(path: Path, codings: int, segments: int) -> tuple[int, list[int], list[tuple[int, int]]]:
    with Store.create(path) as store:
        with store.atomic():
            codes = [store.codes.insert({"name": f"code {i:02d}", "position": i})
                     for i in range(30)]
            document_id, starts, ends = _add_document(store, 0, segments)
        bounds = list(zip(starts.tolist(), ends.tolist(), strict=True))
        coder = CodingSession(store, "ana").coder.id
        rng = random.Random(codings)
        rows = {(document_id, rng.choice(codes), coder, *rng.choice(bounds))
                for _ in range(codings)}
        with store.atomic():
            store.codings.add_many(sorted(rows))
    return document_id, codes, bounds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--codings", default="0,2500,10000")
    parser.add_argument("--segments", type=int, default=20_000)
    parser.add_argument("--keys", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    sizes = [int(n) for n in args.codings.split(",")]
    times: dict[int, list[float]] = {n: [] for n in sizes}
    with tempfile.TemporaryDirectory() as folder:
        built = {n: (Path(folder) / f"k{n}.qualkit", build(Path(folder) / f"k{n}.qualkit", n,
                                                            args.segments)) for n in sizes}
        for round_ in range(args.rounds):
            for n in sizes:
                path, (document_id, codes, bounds) = built[n]
                rng = random.Random(round_)
                with Store.open(path) as store:
                    session = CodingSession(store, "ana")
                    for _ in range(args.keys // args.rounds):
                        span = rng.choice(bounds)
                        start = time.perf_counter()
                        session.toggle(document_id, rng.choice(codes), [span])
                        times[n].append(time.perf_counter() - start)
    load = os.getloadavg()[0]
    base = statistics.median(times[sizes[0]])
    print(f"key benchmark: a {args.segments:,}-segment document, {args.keys} toggles per size "
          f"in {args.rounds} interleaved rounds, {os.cpu_count()} CPUs, load {load:.1f}")
    print(f"{'codings in the document':>24} {'p50 ms':>8} {'p95 ms':>8} {'p50 / first':>12}")
    for n in sizes:
        ordered = sorted(times[n])
        p50, p95 = statistics.median(ordered), ordered[int(0.95 * (len(ordered) - 1))]
        print(f"{n:>24,} {p50 * 1e3:8.2f} {p95 * 1e3:8.2f} {p50 / base:11.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
