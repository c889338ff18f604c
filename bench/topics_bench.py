"""Benchmark topic modelling: embedding rate, refit time on 10k cached segments, and qualkit's
overhead over a bare BERTopic call on the same embeddings and parameters.

The 10k segments are the sample's participant sentences (those the topic model keeps: at least
five words, no interviewer or facilitator), copied until there are enough: copy 0 is the
sentence itself, each later copy drops one word (not the first, and never below five words)
and, every other time, swaps two neighbouring words, so copies rarely embed alike. Copies keep
their speaker and turn and go into new documents ``copyK_<sample document>.txt`` of a fresh
project with the LEAD codebook. Every copy is embedded with the packaged model (that is the
embedding-rate measurement), so the fits then run on cached embeddings, as a refit does.

    python bench/topics_bench.py                      # 10,000 segments, 2 threads, 3 repeats
    python bench/topics_bench.py --units 3000 --repeats 1

Targets (docs/topics.md): a refit of 10k cached segments in at most 30 s on 2 cores, and
qualkit's overhead over bare BERTopic at most 20 %.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_FIT_SECONDS = 30.0
TARGET_OVERHEAD = 0.20


def sample_sentences() -> list[tuple[str, int, str | None, str, str]]:
    """(document, turn, speaker, role, text) of the sample's modelled segments."""
    from qualkit.coding.codebook import apply_codebook, load_codebook
    from qualkit.ingest.importer import import_transcripts
    from qualkit.store import Store
    from qualkit.topics.units import select_units

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "sample.qualkit"
        with Store.create(path) as store:
            apply_codebook(store, load_codebook(ROOT / "codebooks" / "lead_process.yaml"))
            import_transcripts(store, [ROOT / "transcripts_sample"])
            rows = []
            for unit in select_units(store):
                roles = store.documents.speakers(unit.document_id)
                turn = store._sql("SELECT turn FROM segments WHERE id = ?", [unit.key])
                rows.append((unit.document, turn.fetchone()[0], unit.speaker,
                             roles.get(unit.speaker or ""), unit.text))
    return rows


def perturb(text: str, copy: int, rng: random.Random) -> str:
    """Copy 0 unchanged; later copies lose one word (keeping five, the filter's minimum) and
    every other copy swaps two neighbours."""
    words = text.split()
    if copy == 0:
        return text
    if len(words) > 5:
        del words[rng.randrange(1, len(words))]
    if copy % 2 == 0 and len(words) > 3:
        i = rng.randrange(1, len(words) - 1)
        words[i], words[i + 1] = words[i + 1], words[i]
    return " ".join(words)


def build_project(path: Path, units: int) -> int:
    """A project with ``units`` modelled segments made from the sample; returns the count."""
    from qualkit.coding.codebook import apply_codebook, load_codebook
    from qualkit.store import Store, now

    sentences = sample_sentences()
    rng = random.Random(0)
    documents: dict[str, list] = {}
    for index in range(units):
        copy, position = divmod(index, len(sentences))
        document, turn, speaker, role, text = sentences[position]
        name = f"copy{copy}_{Path(document).stem}.txt"
        documents.setdefault(name, []).append((turn, speaker, role, perturb(text, copy, rng)))
    with Store.create(path) as store:
        apply_codebook(store, load_codebook(ROOT / "codebooks" / "lead_process.yaml"))
        with store.atomic():
            for name, rows in documents.items():
                _add_document(store, name, rows, now())
    return units


def _add_document(store, name: str, rows: list, stamp: str) -> None:
    text, segments, roles = "", [], {}
    for ordinal, (turn, speaker, role, sentence) in enumerate(rows):
        prefix = f"{speaker}: "
        start = len(text) + len(prefix)
        text += prefix + sentence + "\n"
        segments.append((ordinal, turn, speaker, start, start + len(sentence)))
        roles[speaker] = role
    document_id = store.documents.add(
        name=name, text=text, sha256=hashlib.sha256(text.encode()).hexdigest(), format="txt",
        source=None, encoding="utf-8", segments=segments, imported_at=stamp)
    store.documents.set_speakers(document_id, roles)


def embed_all(path: Path, threads: int) -> tuple[float, int, float]:
    """Embed every modelled segment; returns (model load seconds, count, seconds)."""
    import torch

    from qualkit.store import Store
    from qualkit.topics.embed import PackagedModel, unit_vectors
    from qualkit.topics.units import select_units

    torch.set_num_threads(threads)
    model = PackagedModel()
    started = time.perf_counter()
    model.encode(["warm up the model"])
    loaded = time.perf_counter() - started
    with Store.open(path) as store:
        units = select_units(store)
        started = time.perf_counter()
        _, embedded = unit_vectors(store, units, model)
        seconds = time.perf_counter() - started
        from qualkit.topics.embed import code_vectors

        code_vectors(store, store.codes.list(), model)  # cached, as after a first fit
    return loaded, embedded, seconds


def qualkit_fit(path: Path, options) -> float:
    """Seconds of ``fit_topics`` on the cached project, store reads and writes included."""
    from qualkit.store import Store
    from qualkit.topics import fit_topics

    started = time.perf_counter()
    with Store.open(path) as store:
        run = fit_topics(store, options)
    seconds = time.perf_counter() - started
    assert run.stats["embedded"] == 0, "the bench must run on cached embeddings"
    return seconds


def bare_fit(texts: list[str], embeddings, options, *, stock: bool = False) -> float:
    """BERTopic alone on qualkit's texts and embeddings, with qualkit's parts (their exact
    neighbours computed inside the timing, as qualkit does) or, with ``stock``, UMAP left to
    its own approximate neighbour search."""
    from bertopic import BERTopic

    from qualkit.topics.fit import default_parts

    started = time.perf_counter()
    parts = default_parts(min_topic_size=options.min_topic_size, seed=options.seed,
                          embeddings=None if stock else embeddings)
    BERTopic(umap_model=parts.umap_model, hdbscan_model=parts.hdbscan_model,
             vectorizer_model=parts.vectorizer_model, min_topic_size=options.min_topic_size,
             nr_topics=options.nr_topics, top_n_words=options.n_keywords,
             calculate_probabilities=False, verbose=False).fit_transform(texts, embeddings)
    return time.perf_counter() - started


def cold(path: Path, what: str) -> float:
    """Seconds of a fit in a fresh process: imports and numba compilation included."""
    if what == "cli":
        command = [str(Path(sys.executable).parent / "qualkit"), "topics", str(path), "--json"]
    else:
        command = [sys.executable, __file__, "--one", what, "--project", str(path)]
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - started


def bare_inputs(path: Path):
    from qualkit.store import Store
    from qualkit.topics.embed import unit_vectors
    from qualkit.topics.units import keyword_text, select_units

    with Store.open(path) as store:
        units = select_units(store)
        vectors, _ = unit_vectors(store, units, _NoModel())
    return [keyword_text(u.text) for u in units], vectors


class _NoModel:
    name, batch_size = "all-MiniLM-L6-v2", 32

    def encode(self, texts):
        raise AssertionError("everything is cached")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=10_000)
    parser.add_argument("--threads", type=int, default=2, help="torch threads for embedding")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--min-topic-size", type=int, default=25)
    parser.add_argument("--keep", type=Path, help="also copy the embedded project here")
    parser.add_argument("--one", choices=("stock",), help=argparse.SUPPRESS)
    parser.add_argument("--project", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import warnings

    warnings.filterwarnings("ignore")  # the bench prints numbers, not library chatter

    from qualkit.topics import TopicOptions

    options = TopicOptions(min_topic_size=args.min_topic_size)
    if args.one:  # a child process timed by cold()
        bare_fit(*bare_inputs(args.project), options, stock=True)
        return 0
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.qualkit"
        started = time.perf_counter()
        count = build_project(path, args.units)
        print(f"project: {count} segments from the sample, built in "
              f"{time.perf_counter() - started:.1f} s ({os.cpu_count()} CPUs here)")
        loaded, embedded, seconds = embed_all(path, args.threads)
        print(f"embedding: model loaded in {loaded:.1f} s; {embedded} segments in {seconds:.1f} s"
              f" = {embedded / seconds:.0f} segments/s on {args.threads} threads")
        if args.keep:
            shutil.copy(path, args.keep)
        print(f"fresh process, cached embeddings: `qualkit topics` {cold(path, 'cli'):.1f} s, "
              f"bare BERTopic with stock UMAP {cold(path, 'stock'):.1f} s (imports and numba "
              "compilation included)")
        texts, vectors = bare_inputs(path)
        qualkit_fit(path, options)  # warm up this process
        bare_fit(texts, vectors, options, stock=True)
        ours, bare, stock = [], [], []
        for _ in range(args.repeats):  # alternate, so machine noise hits all alike
            bare.append(bare_fit(texts, vectors, options))
            stock.append(bare_fit(texts, vectors, options, stock=True))
            ours.append(qualkit_fit(path, options))
    mine, theirs = statistics.median(ours), statistics.median(bare)
    overhead = mine / theirs - 1
    print(f"refit in a warm process (median of {args.repeats}): qualkit {mine:.1f} s "
          f"(target <= {TARGET_FIT_SECONDS:.0f} s), bare BERTopic with the same parts "
          f"{theirs:.1f} s, with stock UMAP {statistics.median(stock):.1f} s")
    print(f"overhead of qualkit over bare BERTopic: {100 * overhead:+.1f} % "
          f"(target <= {100 * TARGET_OVERHEAD:.0f} %); runs: qualkit "
          f"{', '.join(f'{t:.1f}' for t in ours)} s, bare {', '.join(f'{t:.1f}' for t in bare)} s")
    ok = mine <= TARGET_FIT_SECONDS and overhead <= TARGET_OVERHEAD
    print("targets met" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
