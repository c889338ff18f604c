"""Benchmark of REFI-QDA export and re-import, and of the analysis exports.

Projects of 25, 50 and 200 documents (about 13k, 25k and 100k segments; three coders each
coding 15 % of the segments, so about 45,000 codings at the largest, as in bench/tui_bench.py,
whose generator and seed are used), built once and cached under bench/out/. Per size, over
--runs interleaved rounds, it times:

  (1) export:   the project -> .qdpx (XML built, checked against the schema, zipped, written);
  (2) import:   that .qdpx -> a new project (read, offsets mapped, documents segmented into
                sentences, everything written in one transaction);
  (3) again:    the same .qdpx into that project (everything matched, nothing written);

and, in the same rounds, `python -c pass` as a whole process, the reference the ratios are to.
Medians are printed. Once, on the largest: the whole `qualkit import NEW FILE.qdpx` as a fresh
process (interpreter start included), and the CSV and XLSX exports.

Target: export and re-import of the largest (45k codings) each <= 10 s.

    python bench/exchange_bench.py [--runs 3] [--sizes 25,50,200] [--rebuild]
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
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT / "bench"))


def build(path: Path, documents: int) -> None:
    """The tui_bench project, with ``documents`` documents (doc000 is the long focus group)."""
    import tui_bench

    from qualkit.coding.codebook import apply_codebook, load_codebook
    from qualkit.ingest.importer import import_transcripts
    from qualkit.store import Store

    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for number in range(documents):
            turns = 1000 if number == 0 else 163
            speakers = [f"P{i}" for i in range(1, 7)]
            text = "".join(tui_bench._turn(rng, rng.choice(speakers)) for _ in range(turns))
            (folder / f"doc{number:03d}.txt").write_text(text)
        with Store.create(path) as store:
            apply_codebook(store, load_codebook(ROOT / "codebooks" / "lead_process.yaml"))
            import_transcripts(store, [folder])
            tui_bench._add_codings(store, rng)


def project(documents: int, rebuild: bool) -> Path:
    path = OUT / f"exchange_{documents}.qualkit"
    if rebuild or not path.exists():
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        build(path, documents)
    return path


def reference() -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    return time.perf_counter() - started


def one_round(path: Path, work: Path) -> dict[str, float]:
    from qualkit.exchange import export_qdpx, import_refi
    from qualkit.store import Store

    archive, target = work / f"{path.stem}.qdpx", work / f"{path.stem}-new.qualkit"
    for stale in (archive, target, Path(f"{target}-wal"), Path(f"{target}-shm")):
        stale.unlink(missing_ok=True)
    times: dict[str, float] = {}

    def timed(key: str, call):
        started, cpu = time.perf_counter(), time.process_time()
        result = call()
        times[key] = time.perf_counter() - started
        times[f"{key}_cpu"] = time.process_time() - cpu
        return result

    with Store.open(path) as store:
        timed("export", lambda: export_qdpx(store, archive))
    with Store.create(target) as store:
        report = timed("import", lambda: import_refi(store, archive))
        assert report.codings_added == store.counts()["codings"]
    with Store.open(target) as store:
        again = timed("again", lambda: import_refi(store, archive))
        assert again.codings_added == 0
    times["codings"] = report.codings_added
    return times


def cold_import(path: Path, work: Path) -> float:
    archive, target = work / "cold.qdpx", work / "cold.qualkit"
    from qualkit.exchange import export_qdpx
    from qualkit.store import Store

    with Store.open(path) as store:
        export_qdpx(store, archive)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "qualkit", "import", str(target), str(archive)],
                   check=True, env=env, capture_output=True)
    return time.perf_counter() - started


def table_exports(path: Path, work: Path) -> dict[str, float]:
    from qualkit.exchange import coded_segments, write_csv, write_xlsx
    from qualkit.store import Store

    times = {}
    with Store.open(path) as store:
        started = time.perf_counter()
        columns, rows = coded_segments(store)
        write_csv(work / "segments.csv", columns, rows)
        times["csv"] = time.perf_counter() - started
        started = time.perf_counter()
        columns, rows = coded_segments(store)
        order = [c.name for c in store.codes.list(include_retired=True)]
        write_xlsx(work / "segments.xlsx", columns, rows, order)
        times["xlsx"] = time.perf_counter() - started
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes", default="25,50,200")
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    print(f"load before: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} "
          f"{os.getloadavg()[2]:.2f} (1, 5, 15 min) on {os.cpu_count()} CPUs")
    sizes = [int(s) for s in args.sizes.split(",")]
    paths = {n: project(n, args.rebuild) for n in sizes}
    results: dict[int, list[dict[str, float]]] = {n: [] for n in sizes}
    refs = []
    with tempfile.TemporaryDirectory(dir=OUT) as tmp:
        work = Path(tmp)
        for _ in range(args.runs):  # interleaved: each round visits every size
            refs.append(reference())
            for n in sizes:
                results[n].append(one_round(paths[n], work))
        ref = statistics.median(refs)
        print(f"reference `python -c pass`: median {ref * 1000:.0f} ms over {len(refs)} runs")
        print("wall-clock seconds (CPU seconds of this process in brackets), medians:")
        print(f"{'documents':>9} {'codings':>8} {'export':>14} {'import':>14} {'again':>14}"
              f" {'export/ref':>10} {'import/ref':>10}")
        keys = ("export", "import", "again")
        for n in sizes:
            med = {k: statistics.median(r[k] for r in results[n])
                   for k in (*keys, *(f"{k}_cpu" for k in keys))}
            codings = int(results[n][0]["codings"])
            cells = " ".join(f"{med[k]:>6.2f} ({med[k + '_cpu']:>5.2f})" for k in keys)
            print(f"{n:>9} {codings:>8,} {cells} {med['export'] / ref:>10.0f} "
                  f"{med['import'] / ref:>10.0f}")
        largest = paths[max(sizes)]
        print(f"cold `qualkit import NEW FILE.qdpx` (fresh process), "
              f"largest: {cold_import(largest, work):.1f} s")
        tables = table_exports(largest, work)
        print(f"analysis exports, largest: CSV {tables['csv']:.1f} s, XLSX {tables['xlsx']:.1f} s")
    print(f"load after: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} "
          f"{os.getloadavg()[2]:.2f}")


if __name__ == "__main__":
    main()
