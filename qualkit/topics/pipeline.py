"""Fitting a topic run: units, cached embeddings, BERTopic, mapping to the codebook, storing.

``fit_topics`` selects the units (``units``), embeds what is not cached yet (``embed``), fits
BERTopic (``fit``), maps each topic to its closest code and flags candidate new themes
(``mapping``), and stores the run with its parameters, seed, model and library versions.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from qualkit.errors import ParameterError, QualkitError
from qualkit.topics.embed import BATCH_SIZE, Embedder, PackagedModel
from qualkit.topics.mapping import COVERAGE_THRESHOLD, SIMILARITY_THRESHOLD

if TYPE_CHECKING:
    from qualkit.store import Store
    from qualkit.store.topics import TopicRun
    from qualkit.topics.fit import TopicParts

Progress = Callable[[str, int, int], None]
# The fit's steps, as ``progress("fit", step, FIT_STEPS)``: 0 loading the libraries, 1 UMAP,
# 2 HDBSCAN, 3 describing the topics, 4 done.
FIT_STEPS = 4
FIT_STEP_NAMES = ("loading BERTopic", "reducing dimensions (UMAP)", "clustering (HDBSCAN)",
                  "describing topics", "done")


@dataclass(frozen=True)
class TopicOptions:
    """What to model and how. Defaults suit a project of a few thousand sentences.

    Attributes:
        min_topic_size: HDBSCAN's smallest cluster; larger gives fewer, broader topics.
        nr_topics: merge topics down to this many (an int, or "auto"); None keeps them all.
        seed: UMAP's random state: the same seed on the same cached embeddings gives the
            same topics.
        documents: names of the documents to model; empty means all.
        turns: model whole speaker turns instead of segments.
        min_words: leave out units with fewer words (annotations such as [laughs] not counted).
        include_researchers: keep interviewer and facilitator turns.
        similarity_threshold: below it a topic is far from every code.
        coverage_threshold: below it humans hardly coded the topic with its closest code.
        n_keywords: keywords kept per topic.
        n_quotes: representative quotes kept per topic.
    """

    min_topic_size: int = 25
    nr_topics: int | str | None = None
    seed: int = 42
    documents: tuple[str, ...] = ()
    turns: bool = False
    min_words: int = 5
    include_researchers: bool = False
    similarity_threshold: float = SIMILARITY_THRESHOLD
    coverage_threshold: float = COVERAGE_THRESHOLD
    n_keywords: int = 10
    n_quotes: int = 5

    def check(self) -> None:
        """Raise a one-line QualkitError naming the option that is out of range."""
        if self.min_topic_size < 2:
            raise ParameterError("min_topic_size", "must be at least 2")
        if self.nr_topics is not None and self.nr_topics != "auto" and (
            not isinstance(self.nr_topics, int) or self.nr_topics < 2
        ):
            raise ParameterError("nr_topics", "must be a whole number of at least 2, or 'auto'")
        if self.min_words < 0:
            raise ParameterError("min_words", "cannot be negative")
        if not -1 <= self.similarity_threshold <= 1:
            raise ParameterError("similarity_threshold", "must lie between -1 and 1")
        if not 0 <= self.coverage_threshold <= 1:
            raise ParameterError("coverage_threshold", "must lie between 0 and 1")
        if not (1 <= self.n_quotes <= 20 and 1 <= self.n_keywords <= 30):
            raise QualkitError("keep 1–20 quotes and 1–30 keywords per topic")


def fit_topics(
    store: Store,
    options: TopicOptions | None = None,
    *,
    embedder: Embedder | None = None,
    parts: TopicParts | None = None,
    progress: Progress | None = None,
) -> TopicRun:
    """Fit a topic model on the project, map it to the codebook and store the run.

    Args:
        store: the open project.
        options: what to model and how (defaults: ``TopicOptions()``).
        embedder: turns texts into vectors; default all-MiniLM-L6-v2 from its package, loaded
            only if some unit or code is not cached yet.
        parts: BERTopic's UMAP / HDBSCAN / vectorizer; missing ones get seeded defaults.
        progress: called as ``progress(phase, done, total)``; phases "embed", "fit", "map".

    Returns:
        The stored run (its ``stats`` hold counts, timings and warnings).

    Raises:
        QualkitError: bad options, too few units, no topics found, model not installed.
    """
    from qualkit.topics import embed as topics_embed
    from qualkit.topics import fit as topics_fit
    from qualkit.topics import mapping as topics_map
    from qualkit.topics.units import chosen_documents, keyword_text, select_units

    options = options or TopicOptions()
    options.check()
    embedder = embedder or PackagedModel()
    clock = _Clock()
    units = select_units(store, documents=options.documents, turns=options.turns,
                         min_words=options.min_words,
                         include_researchers=options.include_researchers)
    what = "turns" if options.turns else "segments"
    topics_fit.check_corpus([u.text for u in units], min_topic_size=options.min_topic_size,
                            what=what)
    vectors, embedded = topics_embed.unit_vectors(store, units, embedder, turns=options.turns,
                                                  progress=progress)
    clock.lap("embed")
    if progress:  # step 0 of FIT_STEPS: loading BERTopic, UMAP and HDBSCAN (seconds, at first)
        progress("fit", 0, FIT_STEPS)
    parts = topics_fit.default_parts(min_topic_size=options.min_topic_size, seed=options.seed,
                                     parts=parts, embeddings=vectors)
    fit = topics_fit.fit_bertopic([keyword_text(u.text) for u in units], vectors,
                                  min_topic_size=options.min_topic_size,
                                  nr_topics=options.nr_topics, n_keywords=options.n_keywords,
                                  parts=parts,
                                  step=(lambda k: progress("fit", k, FIT_STEPS)) if progress
                                  else None)
    topics_fit.check_found(fit, min_topic_size=options.min_topic_size)
    clock.lap("fit")
    if progress:
        progress("fit", FIT_STEPS, FIT_STEPS)
        progress("map", 0, 1)
    codes = store.codes.list()
    mapped = topics_map.map_topics(
        fit, units, vectors, codes, topics_embed.code_vectors(store, codes, embedder),
        store.topics.human_spans(), similarity_threshold=options.similarity_threshold,
        coverage_threshold=options.coverage_threshold, n_quotes=options.n_quotes,
    )
    clock.lap("map")
    stats = {"units": len(units), "embedded": embedded, "cached": len(units) - embedded,
             "topics": len(mapped), "outliers": fit.labels.count(-1),
             "keyword_support": {str(t.topic): [t.support, t.novel] for t in mapped},
             "warnings": [] if codes else [NO_CODEBOOK], "seconds": clock.laps,
             "document_ids": [d.id for d in chosen_documents(store, options.documents)]}
    run = _record(options, embedder, parts, stats)
    run_id = store.topics.add_run(run, *_rows(fit, units, mapped))
    if progress:
        progress("map", 1, 1)
    return store.topics.run(run_id)


NO_CODEBOOK = (
    "the project has no codes, so no topic has a closest code and every topic with keyword "
    "support is flagged as a candidate new theme; load a codebook with "
    "`qualkit codebook PROJECT --load FILE`"
)


def _record(options: TopicOptions, embedder: Embedder, parts: TopicParts, stats: dict) -> dict:
    from qualkit.topics.fit import describe_parts, versions

    params = {k: v for k, v in asdict(options).items() if k != "seed"}
    params["documents"] = list(options.documents)
    params["embedding_batch_size"] = getattr(embedder, "batch_size", BATCH_SIZE)
    params["parts"] = describe_parts(parts)
    return {"model": embedder.name, "seed": options.seed, "params": params,
            "versions": versions(), "stats": stats}


def _rows(fit, units, mapped) -> tuple[list[dict], list[tuple]]:
    topics, members = [], []
    for topic in mapped:
        topics.append({"topic": topic.topic, "keywords": fit.keywords.get(topic.topic, []),
                       "size": topic.size, "code_id": topic.code_id,
                       "similarity": topic.similarity, "coverage": topic.coverage,
                       "candidate": topic.candidate})
        ranks = {index: rank for rank, index in enumerate(topic.quotes)}
        members += [(topic.topic, units[i].key, round(fit.probabilities[i], 6), ranks.get(i))
                    for i in topic.members]
    return topics, members


class _Clock:
    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.laps: dict[str, float] = {}

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = round(now - self.started, 3)
        self.started = now
