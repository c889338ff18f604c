"""Recall and precision of de-identification per entity type, on the labelled set.

Run from the repository root:

    python bench/redact_eval.py            # with the team's names list, then without it
    python bench/redact_eval.py --no-ner   # rules and names only

The sets are tests/data/redact/ (fictional transcripts, every identifier marked; the rules were
tuned on them) and tests/data/redact/heldout/ (written afterwards, never tuned on). See
qualkit/redact/evaluate.py for how each figure is counted.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from qualkit.redact.evaluate import KINDS, evaluate  # noqa: E402

DATA = ROOT / "tests" / "data" / "redact"


def _pct(value: float | None) -> str:
    return "   —" if value is None else f"{value:5.3f}"


def report(title: str, result) -> None:
    print(f"\n{title}")
    print(f"{'type':8} {'gold':>5} {'cand. R':>8} {'cand. P':>8} {'review R':>9} {'review P':>9}")
    for kind in [*KINDS, "STRING"]:
        cand = result.candidates.get(kind)
        rev = result.reviewed.get(kind)
        if cand is None and rev is None:
            continue
        gold = (cand or rev).gold
        print(f"{kind:8} {gold:5d} {_pct(cand and cand.recall):>8} "
              f"{_pct(cand and cand.precision):>8} {_pct(rev and rev.recall):>9} "
              f"{_pct(rev and rev.precision):>9}")
    total = sum(s.predicted for s in result.reviewed.values())
    correct = sum(s.correct for s in result.reviewed.values())
    print(f"after review, all replacements: precision {correct / total:.3f} ({correct}/{total})")
    if result.missed:
        print("missed after review:", ", ".join(result.missed))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-ner", action="store_true", help="rules and known names only")
    args = parser.parse_args()
    sets = {"development set": sorted(DATA.glob("*.txt")),
            "held-out set": sorted((DATA / "heldout").glob("*.txt"))}
    ner = False if args.no_ner else None
    if ner is None:
        from qualkit.redact.detect import load_pipeline

        ner = load_pipeline()  # once, for both runs
    for label, files in sets.items():
        for title, names in (("with the team's names list", DATA / "team_names.csv"),
                             ("without a names list", None)):
            started = time.perf_counter()
            result = evaluate(files, ner=ner, names_file=names)
            report(f"{label}, {title} ({len(files)} transcripts, "
                   f"{time.perf_counter() - started:.1f} s)", result)


if __name__ == "__main__":
    main()
