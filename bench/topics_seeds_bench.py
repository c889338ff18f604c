"""How often is each theme planted in the sample, and missing from its codebook, flagged as a
candidate new theme, over seeds? And how many candidates are neither?

The sample plants housing scarcity and data-sharing friction (see README, "The sample"). A topic
*is* a planted theme when at least 40 % of its units match the theme's pattern below (the same
patterns as tests/test_topics_sample.py); a candidate is *false* when under 20 % of its units
match either pattern (candidates between the two are partly about a planted theme, counted
apart). The sample is embedded once (all-MiniLM-L6-v2 from its package, cached in the project
file); each seed then refits BERTopic on the cached vectors with qualkit's default parts and
maps the topics to the LEAD codebook, exactly as `qualkit topics --seed S` does.

    python bench/topics_seeds_bench.py                    # seeds 0-9, a fresh sample project
    python bench/topics_seeds_bench.py --seeds 20 --project /tmp/sample.qualkit   # reuse its cache
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
THEMES = {
    "housing scarcity": re.compile(
        r"shelter|housing|housed|motel|voucher|encampment|camp|tent|sweep|swept|landlord|"
        r"waitlist|overpass|apartment|sidewalk|sleep", re.I),
    "data-sharing friction": re.compile(
        r"release of information|\broi\b|hipaa|42 cfr|part 2|spreadsheet|data.?sharing|consent|"
        r"legal review|agreement|privacy|records", re.I),
}
IS_THEME, UNRELATED = 0.40, 0.20


def sample_project(path: Path) -> None:
    """The sample transcripts under the LEAD codebook, every unit and code embedded."""
    from qualkit.coding.codebook import apply_codebook, load_codebook
    from qualkit.ingest.importer import import_transcripts
    from qualkit.store import Store
    from qualkit.topics.embed import PackagedModel, code_vectors, unit_vectors
    from qualkit.topics.units import select_units

    with Store.create(path) as store:
        apply_codebook(store, load_codebook(ROOT / "codebooks" / "lead_process.yaml"))
        import_transcripts(store, [ROOT / "transcripts_sample"])
        model = PackagedModel()
        unit_vectors(store, select_units(store), model)
        code_vectors(store, store.codes.list(), model)


class CachedOnly:
    """Reads the project's cached embeddings; refuses to embed anything new."""

    name, batch_size = "all-MiniLM-L6-v2", 32

    def encode(self, texts):
        raise RuntimeError(f"{len(texts)} texts are not embedded yet: build the project anew")


def load(path: Path):
    from qualkit.store import Store
    from qualkit.topics.embed import code_vectors, unit_vectors
    from qualkit.topics.units import select_units

    with Store.open(path) as store:
        units = select_units(store)
        vectors, _ = unit_vectors(store, units, CachedOnly())
        codes = store.codes.list()
        return units, vectors, codes, code_vectors(store, codes, CachedOnly())


def fit_seed(units, vectors, codes, code_vecs, seed: int, min_topic_size: int = 25):
    """The mapped topics of one seed, as ``qualkit topics --seed`` computes them."""
    from qualkit.topics import fit as topics_fit
    from qualkit.topics.mapping import map_topics
    from qualkit.topics.units import keyword_text

    parts = topics_fit.default_parts(min_topic_size=min_topic_size, seed=seed,
                                     embeddings=vectors)
    fit = topics_fit.fit_bertopic([keyword_text(u.text) for u in units], vectors,
                                  min_topic_size=min_topic_size, nr_topics=None, n_keywords=10,
                                  parts=parts)
    return fit, map_topics(fit, units, vectors, codes, code_vecs, [])


def score(units, fit, mapped, *, old_rule: bool = False) -> dict:
    """Per theme whether a candidate is it; how many candidates are unrelated or partly so.
    ``old_rule``: judge by the rule before keyword support (similarity and coverage alone)."""
    from qualkit.topics.mapping import is_candidate

    if old_rule:
        mapped = [replace(t, candidate=is_candidate(t.similarity, t.coverage)) for t in mapped]
    shares = {}
    for topic in mapped:
        texts = [units[i].text for i in topic.members]
        shares[topic.topic] = {name: sum(bool(p.search(t)) for t in texts) / len(texts)
                               for name, p in THEMES.items()}
    candidates = [t for t in mapped if t.candidate]
    found = {name: any(shares[t.topic][name] >= IS_THEME for t in candidates) for name in THEMES}
    false = sum(max(shares[t.topic].values()) < UNRELATED for t in candidates)
    return {"found": found, "candidates": len(candidates), "false": false,
            "partly": len(candidates) - false - sum(
                max(shares[t.topic].values()) >= IS_THEME for t in candidates),
            "topics": len(mapped)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--min-topic-size", type=int, default=25)
    parser.add_argument("--project", type=Path, help="a sample project to reuse (made if absent)")
    parser.add_argument("--old-rule", action="store_true",
                        help="candidates by similarity and coverage alone (the earlier rule)")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from qualkit.topics.fit import versions

    with tempfile.TemporaryDirectory() as folder:
        path = args.project or Path(folder) / "sample.qualkit"
        if not path.exists():
            started = time.perf_counter()
            sample_project(path)
            print(f"embedded the sample in {time.perf_counter() - started:.0f} s")
        units, vectors, codes, code_vecs = load(path)
        rows = []
        for seed in range(args.seeds):
            started = time.perf_counter()
            fit, mapped = fit_seed(units, vectors, codes, code_vecs, seed, args.min_topic_size)
            rows.append(score(units, fit, mapped, old_rule=args.old_rule))
            found = " ".join(n.split()[0] for n, ok in rows[-1]["found"].items() if ok) or "-"
            print(f"seed {seed}: {rows[-1]['topics']} topics, {rows[-1]['candidates']} "
                  f"candidates ({rows[-1]['false']} false, {rows[-1]['partly']} partly); "
                  f"found: {found}  [{time.perf_counter() - started:.1f} s]")
    rule = "old rule" if args.old_rule else "keyword-support rule"
    print(f"\n{len(units)} units, --min-topic-size {args.min_topic_size}, "
          f"seeds 0-{args.seeds - 1}, {rule}")
    for name in THEMES:
        print(f"  {name}: a candidate in {sum(r['found'][name] for r in rows)} of {len(rows)}")
    falses = [r["false"] for r in rows]
    print(f"  false candidates per run: {falses} (mean {sum(falses) / len(falses):.1f}); "
          f"candidates per run: {[r['candidates'] for r in rows]}")
    found = versions()
    print("  " + ", ".join(f"{k} {found[k]}" for k in
                           ("bertopic", "umap-learn", "hdbscan", "scikit-learn", "numpy")))


if __name__ == "__main__":
    main()
