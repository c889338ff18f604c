"""Benchmark of transcript import and CLI start-up.

  (1) import throughput on >= 50 MB of transcripts (plain text, Markdown and WebVTT, one large
      file among many small ones), sentence segments and the full-text index included
      (target >= 1 MB/s);
  (2) start-up of `qualkit --help` and `qualkit status PROJECT` as whole processes, median of N
      runs (target <= 0.3 s: nothing heavy is imported at start).

    python bench/import_bench.py [--megabytes 50] [--runs 10]
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "transcripts_sample"


def sentences() -> list[str]:
    """Real sentences from the sample transcripts, to build large realistic files from."""
    from qualkit.ingest.segmenter import segment
    from qualkit.ingest.transcripts import read_transcript

    out = []
    for path in sorted(SAMPLE.glob("*.txt")) + sorted(SAMPLE.glob("*.md")):
        transcript = read_transcript(path, path.read_bytes())
        out += [transcript.text[s:e] for _, _, _, s, e, *_ in segment(transcript)]
    return out


def write_corpus(folder: Path, megabytes: float, rng: random.Random) -> int:
    pool = sentences()
    speakers = ["INTERVIEWER", "OFFICER 1", "CASE MANAGER 2", "DEFENDER", "P4"]
    sizes = [20_000_000] + [400_000] * int((megabytes * 1e6 - 20e6) // 400_000 + 1)
    total = 0
    for number, size in enumerate(sizes):
        fmt = ("txt", "md", "vtt")[number % 3]
        turns, length = [], 0
        while length < size:
            text = " ".join(rng.choices(pool, k=rng.randint(1, 6)))
            turns.append((rng.choice(speakers), text))
            length += len(text) + 20
        data = _render(turns, fmt)
        (folder / f"t{number:03d}.{fmt}").write_text(data, encoding="utf-8")
        total += len(data.encode("utf-8"))
    return total


def _render(turns: list[tuple[str, str]], fmt: str) -> str:
    if fmt == "txt":
        return "".join(f"{who}: {text}\n\n" for who, text in turns)
    if fmt == "md":
        return "# Interview\n\n" + "".join(f"**{who}:** {text}\n\n" for who, text in turns)
    cues = []
    for i, (who, text) in enumerate(turns):
        h, m, s = i // 3600, i // 60 % 60, i % 60
        cues.append(f"{h:02d}:{m:02d}:{s:02d}.000 --> {h:02d}:{m:02d}:{s:02d}.900\n<v {who}>{text}")
    return "WEBVTT\n\n" + "\n\n".join(cues) + "\n"


def time_import(folder: Path, project: Path) -> tuple[float, int]:
    from qualkit.ingest.importer import import_transcripts
    from qualkit.store import Store

    with Store.create(project) as store:
        started = time.perf_counter()
        report = import_transcripts(store, [folder])
        return time.perf_counter() - started, report.segments


def time_command(args: list[str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(args, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=50)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder, project = Path(tmp) / "corpus", Path(tmp) / "bench.qualkit"
        folder.mkdir()
        size = write_corpus(folder, args.megabytes, random.Random(3))
        seconds, segments = time_import(folder, project)
        files = len(list(folder.iterdir()))
        print(f"(1) import: {size / 1e6:.1f} MB in {files} files, {segments:,} segments, "
              f"{seconds:.1f} s = {size / 1e6 / seconds:.2f} MB/s (target >= 1 MB/s)")
        qualkit = [sys.executable, "-m", "qualkit"]
        for label, command in (("--help", [*qualkit, "--help"]),
                               ("status", [*qualkit, "status", str(project)])):
            times = time_command(command, args.runs)
            print(f"(2) qualkit {label}: median {statistics.median(times) * 1000:.0f} ms, "
                  f"min {min(times) * 1000:.0f} ms over {args.runs} runs (target <= 300 ms)")
        bare = time_command([sys.executable, "-c", "pass"], args.runs)
        print(f"    (a bare `python -c pass` takes {statistics.median(bare) * 1000:.0f} ms)")


if __name__ == "__main__":
    main()
