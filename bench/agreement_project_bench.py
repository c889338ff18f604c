"""Benchmark `qualkit agree` on a real project file: reading, unit extraction and statistics.

Builds a project through the store (documents with their segments, a codebook, codings as
spans over runs of consecutive segments, completions marked by each coder's CodingSession),
then times the whole project agreement from a freshly opened store.  Run it through
``bench/agreement_bench.py --project`` or directly:

    python bench/agreement_project_bench.py --segments 100000 --codes 30 --coders 3
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from agreement_bench import timed  # run from bench/: the script folder is on sys.path

from qualkit.agreement.project import project_agreement
from qualkit.agreement.select import compare, segment_units, span_table
from qualkit.coding.session import CodingSession
from qualkit.store import Store, now

TARGET_SECONDS = 2.0
SENTENCE = "Participant {n} said the diversion program changed how officers and case managers work."


def build_project(
    path: Path, *, segments: int, codes: int, coders: int, documents: int, seed: int
) -> int:
    """Create the project file; returns the number of codings written."""
    rng = np.random.default_rng(seed)
    per_document = segments // documents
    with Store.create(path) as store:
        with store.atomic():
            code_ids = [store.codes.insert({"name": f"code {i:02d}", "position": i})
                        for i in range(codes)]
            bounds = [_add_document(store, d, per_document) for d in range(documents)]
        names = [f"coder{j}" for j in range(coders)]
        ids = [CodingSession(store, name).coder.id for name in names]
        rows = _codings(rng, bounds, code_ids, ids)
        with store.atomic():
            added = store.codings.add_many(rows)
        for name in names:
            session = CodingSession(store, name)
            for document_id, _, _ in bounds:
                session.set_done(document_id)
    return added


def _add_document(store: Store, number: int, count: int) -> tuple[int, np.ndarray, np.ndarray]:
    """One document of ``count`` sentence segments; returns (id, starts, ends)."""
    sentences = [SENTENCE.format(n=n) for n in range(count)]
    starts = np.cumsum([0] + [len(s) + 1 for s in sentences[:-1]])
    ends = starts + np.array([len(s) for s in sentences])
    text = "\n".join(sentences) + "\n"
    rows = [(i, i, "P1", int(s), int(e)) for i, (s, e) in enumerate(zip(starts, ends, strict=True))]
    document_id = store.documents.add(
        name=f"doc{number:04d}.txt", text=text, sha256=hashlib.sha256(text.encode()).hexdigest(),
        format="txt", source=None, encoding="utf-8", segments=rows, imported_at=now())
    return document_id, starts, ends


def _codings(rng, bounds, code_ids, coder_ids) -> list[tuple[int, int, int, int, int]]:
    """Spans over runs of segments: a true passage per code, seen by each coder with errors."""
    rows = []
    for document_id, starts, ends in bounds:
        n = starts.size
        for code_id in code_ids:
            prevalence = rng.uniform(0.01, 0.15)
            truth = _runs(rng, n, prevalence)
            for coder_id in coder_ids:
                seen = truth ^ (rng.random(n) < 0.04)  # 4 % of segments judged differently
                rows += _spans(seen, starts, ends, document_id, code_id, coder_id)
    return rows


def _runs(rng, n: int, prevalence: float) -> np.ndarray:
    """Passages of 1-4 consecutive segments covering about ``prevalence`` of them."""
    present = np.zeros(n, dtype=bool)
    begins = np.flatnonzero(rng.random(n) < prevalence / 2.5)
    for length in range(4):
        present[np.minimum(begins + length, n - 1)] |= rng.random(begins.size) < 1 - length / 4
    return present


def _spans(seen, starts, ends, document_id, code_id, coder_id):
    """One coding per run of consecutive coded segments."""
    edges = np.diff(np.concatenate([[0], seen.astype(np.int8), [0]]))
    first, last = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1) - 1
    return [(document_id, code_id, coder_id, int(starts[a]), int(ends[b]))
            for a, b in zip(first, last, strict=True)]


def row(label: str, times: list[float], extra: str = "") -> None:
    print(f"  {label:<40} {min(times):9.3f} s {statistics.median(times):9.3f} s  {extra}")


def run(path: Path, repeats: int) -> bool:
    """Time the agreement steps on the project; True if the whole run meets the target."""

    def whole(unit: str = "segment") -> None:
        with Store.open(path) as store:
            project_agreement(store, unit=unit)

    def read_only() -> None:
        with Store.open(path) as store:
            span_table(store, compare(store))

    def extract() -> None:
        with Store.open(path) as store:
            segment_units(store, span_table(store, compare(store)))

    print(f"  {'':<40} {'min':>11} {'median':>11}")
    row("open + choose documents + read codings", timed(read_only, repeats))
    row("... + segment unit extraction", timed(extract, repeats))
    total = timed(whole, repeats)
    verdict = "OK" if min(total) <= TARGET_SECONDS else "TOO SLOW"
    row("whole `agree` (segment unit, all stats)", total,
        f"target <= {TARGET_SECONDS:.1f} s: {verdict}")
    row("whole `agree --unit character`", timed(lambda: whole("character"), repeats))
    return verdict == "OK"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--segments", type=int, default=100_000)
    parser.add_argument("--codes", type=int, default=30)
    parser.add_argument("--coders", type=int, default=3)
    parser.add_argument("--documents", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.qualkit"
        start = time.perf_counter()
        added = build_project(path, segments=args.segments, codes=args.codes,
                              coders=args.coders, documents=args.documents, seed=args.seed)
        print(f"project agreement benchmark: {args.segments:,} segments in {args.documents} "
              f"documents x {args.codes} codes x {args.coders} coders, {added:,} codings "
              f"(built in {time.perf_counter() - start:.1f} s, "
              f"{path.stat().st_size / 1e6:.0f} MB), {os.cpu_count()} CPUs, "
              f"best/median of {args.repeats}")
        ok = run(path, args.repeats)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
