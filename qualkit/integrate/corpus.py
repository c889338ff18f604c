"""What an integration table counts: which coders, which documents, and their coded segments.

Every table states its scope: one coder, ``consensus`` (the reconciled codings), or the union of
chosen coders (a segment counts as coded with a code when any of them coded it), and the
documents. By default the scope is ``consensus`` when reconciled codings exist, else the union of
every human coder with codings, over every document.

The corpus is read once into flat numpy arrays (the documents laid end to end, as in
``qualkit.agreement.units``): segments with their document and speaker, and the coders' spans.
A code is *present* in a segment when one of the scope coders' spans of it overlaps the segment.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from qualkit.errors import InputError
from qualkit.models import Code, Coder, Document
from qualkit.store.spans import coding_array

if TYPE_CHECKING:
    from qualkit.store import Store


@dataclass(frozen=True)
class Scope:
    """The coders and documents a table counts.

    Attributes:
        coders: The coders whose codings count.
        label: ``consensus``, a coder's name, or ``union of a, b``.
        documents: The documents counted, by name: those the scope's coders coded in or
            marked done (a document nobody in the scope has coded would count as "no theme").
        left_out: The other documents (of the project, or of ``--documents``), by name.
    """

    coders: tuple[Coder, ...]
    label: str
    documents: tuple[Document, ...]
    left_out: tuple[str, ...] = ()

    def describe(self) -> dict:
        """Provenance for a table's ``attrs`` and its JSON form."""
        return {"coders": self.label, "coder_names": [c.name for c in self.coders],
                "documents": [d.name for d in self.documents],
                "documents_left_out": list(self.left_out)}


def choose_scope(store: Store, coders: Sequence[str] | None = None,
                 documents: Sequence[str] | None = None) -> Scope:
    """The scope of a table (see the module docstring for the default).

    Args:
        store: An open project.
        coders: Coder names (``consensus`` is a coder); several make a union.
        documents: Document names (default: all); only those the coders coded are counted.

    Raises:
        InputError: An unknown coder or document, or a project without codings.
    """
    known = {c.name: c for c in store.codings.coders()}
    active = store.integration.coders_with_codings()
    if coders:
        wanted = list(dict.fromkeys(n.strip() for n in coders if n.strip()))
        unknown = [n for n in wanted if n not in known]
        if unknown:
            listed = ", ".join(sorted(known)) or "none yet"
            raise InputError(f"unknown coder '{unknown[0]}' in --coders; coders in this "
                             f"project: {listed}")
        chosen = [known[n] for n in wanted]
    elif "consensus" in known and known["consensus"].id in active:
        chosen = [known["consensus"]]
    else:
        chosen = [c for c in known.values() if c.kind == "human" and c.id in active]
        if not chosen:
            raise InputError("nothing is coded yet: code in `qualkit code`, or import codings "
                             "with `qualkit codings import`")
    label = chosen[0].name if len(chosen) == 1 else \
        "union of " + ", ".join(c.name for c in chosen)
    candidates = _documents(store, documents)
    coded = store.integration.coded_documents([c.id for c in chosen])
    kept = tuple(d for d in candidates if d.id in coded)
    if not kept:
        raise InputError(f"{label} has coded none of the {len(candidates)} document(s) "
                         "counted; choose other --coders or --documents")
    return Scope(tuple(chosen), label, kept,
                 tuple(d.name for d in candidates if d.id not in coded))


def _documents(store: Store, names: Sequence[str] | None) -> list[Document]:
    everything = store.documents.list()
    if not names:
        if not everything:
            raise InputError("the project has no documents; import transcripts first")
        return everything
    by_name = {d.name: d for d in everything}
    unknown = [n for n in names if n not in by_name]
    if unknown:
        raise InputError(f"unknown document '{unknown[0]}' in --documents; see `qualkit "
                         "status` for the names")
    return [by_name[n] for n in dict.fromkeys(names)]


@dataclass(frozen=True)
class Speaker:
    """One speaker of one document (labels are per document: OFFICER 1 differs by group)."""

    document: int
    label: str
    role: str | None
    researcher: bool
    labelled: bool = True

    @property
    def participant(self) -> bool:
        """Someone the research talks to: not the interviewer, and not an unlabelled line
        (a transcript's header, a stage direction)."""
        return self.labelled and not self.researcher


@dataclass
class Corpus:
    """The scope's segments and spans as arrays.

    Attributes:
        scope: The :class:`Scope`.
        codes: Active codes in codebook order (column order of every matrix).
        parent: Parent code index of each code (-1 for a top-level code).
        docs: ``scope.documents`` (row order of document tables).
        seg_doc, seg_speaker: Document and speaker index of each segment.
        seg_start, seg_end: Global bounds of each segment (documents laid end to end).
        bases: Global offset of each document.
        speakers: Every speaker, indexed by ``seg_speaker``.
        spans: ``(m, 5)`` rows of (global start, global end, code index, coder index, document
            index); the coder index is into ``scope.coders``.
    """

    scope: Scope
    codes: list[Code]
    parent: np.ndarray
    docs: list[Document]
    seg_doc: np.ndarray
    seg_speaker: np.ndarray
    seg_start: np.ndarray
    seg_end: np.ndarray
    bases: np.ndarray
    speakers: list[Speaker]
    spans: np.ndarray

    @property
    def n_codes(self) -> int:
        return len(self.codes)

    @cached_property
    def hits(self) -> tuple[np.ndarray, np.ndarray]:
        """``(span index, segment index)`` of every span-segment overlap (any overlap)."""
        return overlaps(self.seg_start, self.seg_end, self.spans[:, 0], self.spans[:, 1])

    @cached_property
    def presence(self) -> np.ndarray:
        """``(segments, codes)``: coded by any scope coder."""
        return self.presence_of(None)

    def presence_of(self, coder: int | None) -> np.ndarray:
        """``(segments, codes)`` presence for one scope coder index, or all (``None``)."""
        span, seg = self.hits
        if coder is not None:
            keep = self.spans[span, 3] == coder
            span, seg = span[keep], seg[keep]
        out = np.zeros((len(self.seg_start), self.n_codes), dtype=bool)
        out[seg, self.spans[span, 2]] = True
        return out

    @cached_property
    def descendants(self) -> np.ndarray:
        """``(codes, codes)``: ``[a, b]`` when b is a or one of a's sub-codes."""
        n = self.n_codes
        out = np.eye(n, dtype=bool)
        for b in range(n):
            a, depth = int(self.parent[b]), 0
            while a >= 0 and depth < 50:
                out[a, b] = True
                a, depth = int(self.parent[a]), depth + 1
        return out

    def inclusive(self, presence: np.ndarray) -> np.ndarray:
        """Presence of each code *with its sub-codes* (a parent is present where a child is)."""
        return (presence.astype(np.int32) @ self.descendants.T.astype(np.int32)) > 0

    def top_level(self) -> list[int]:
        """Indexes of the top-level codes."""
        return [i for i in range(self.n_codes) if self.parent[i] < 0]

    def code_index(self, name: str, *, option: str = "codes") -> int:
        """Index of a code by name (case-insensitive), or a one-line error listing codes."""
        folded = {c.name.casefold(): i for i, c in enumerate(self.codes)}
        if name.strip().casefold() not in folded:
            raise InputError(f"unknown code '{name}' in {option}; codes: "
                             + ", ".join(c.name for c in self.codes[:40]))
        return folded[name.strip().casefold()]

    def segment_role(self) -> np.ndarray:
        """Role of each segment's speaker (the document's role when the speaker has none)."""
        roles = np.array([s.role or self.docs[s.document].role for s in self.speakers],
                         dtype=object)
        return roles[self.seg_speaker] if len(self.seg_speaker) else roles[:0]

    def participant(self) -> np.ndarray:
        """Whether each segment is spoken by a participant (see :attr:`Speaker.participant`)."""
        participant = np.array([s.participant for s in self.speakers], dtype=bool)
        return participant[self.seg_speaker] if len(self.seg_speaker) else participant[:0]


def overlaps(seg_start: np.ndarray, seg_end: np.ndarray, start: np.ndarray,
             end: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every (span, segment) pair that share at least one character; segments sorted."""
    if not len(start) or not len(seg_start):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    first = np.searchsorted(np.maximum.accumulate(seg_end), start, side="right")
    stop = np.searchsorted(seg_start, end, side="left")
    count = np.maximum(stop - first, 0)
    owner = np.repeat(np.arange(len(start)), count)
    offset = np.arange(owner.size) - np.repeat(np.cumsum(count) - count, count)
    seg = first[owner] + offset
    real = np.minimum(seg_end[seg], end[owner]) > np.maximum(seg_start[seg], start[owner])
    return owner[real], seg[real]


def load_corpus(store: Store, scope: Scope) -> Corpus:
    """Read the scope's segments, speakers and spans from the project."""
    codes = store.codes.list()
    index = {c.id: i for i, c in enumerate(codes)}
    parent = np.array([index.get(c.parent_id, -1) if c.parent_id else -1 for c in codes],
                      dtype=np.int64)
    docs = list(scope.documents)
    doc_lookup = _lookup({d.id: i for i, d in enumerate(docs)})
    bases = np.concatenate([[0], np.cumsum([d.length for d in docs])[:-1]]).astype(np.int64)
    blob, labels = store.integration.packed_segments([d.id for d in docs])
    packed = _unpack(blob)
    seg_doc = doc_lookup[packed[:, 0] >> 32]
    start = (packed[:, 1] >> 32) + bases[seg_doc]
    end = (packed[:, 1] & 0xFFFFFFFF) + bases[seg_doc]
    order = np.argsort(start, kind="stable")  # the documents laid end to end, in reading order
    seg_speaker = (packed[:, 0] & 0xFFFFFFFF)[order]
    speakers = _speakers(store, docs, doc_lookup, labels)
    spans = _spans(store, scope, doc_lookup, _lookup(index), bases)
    return Corpus(scope, codes, parent, docs, seg_doc[order], seg_speaker, start[order],
                  end[order], bases, speakers, spans)


def _unpack(blob: bytes) -> np.ndarray:
    """The store's packed big-endian int64 pairs as an (n, 2) array."""
    return np.frombuffer(blob, dtype=">i8").astype(np.int64).reshape(-1, 2)


def _lookup(mapping: dict[int, int]) -> np.ndarray:
    """A dense array from ids to indexes (-1 for ids not in the mapping)."""
    out = np.full(max(mapping, default=0) + 1, -1, dtype=np.int64)
    out[list(mapping)] = list(mapping.values())
    return out


def _speakers(store: Store, docs: list[Document], doc_lookup: np.ndarray,
              labels: list[tuple]) -> list[Speaker]:
    """Every (document, label) speaker, with its role and whether it is the research team."""
    from qualkit.ingest.metadata import is_researcher

    roles = store.integration.speaker_roles()
    out = []
    for document_id, label in labels:
        role = roles.get((document_id, label))
        out.append(Speaker(int(doc_lookup[document_id]), label or "(no speaker)", role,
                           is_researcher(role or label or ""), label is not None))
    return out


def _spans(store: Store, scope: Scope, doc_lookup: np.ndarray, code_lookup: np.ndarray,
           bases: np.ndarray) -> np.ndarray:
    coder_lookup = _lookup({c.id: j for j, c in enumerate(scope.coders)})
    document_ids = np.flatnonzero(doc_lookup >= 0).tolist()
    coder_ids = [c.id for c in scope.coders]
    document, code_id, coder, start, end = coding_array(store, document_ids, coder_ids).T
    return spans_array(document, code_id, coder, start, end, doc_lookup, code_lookup,
                       coder_lookup, bases)


def spans_array(document: np.ndarray, code_id: np.ndarray, coder: np.ndarray, start: np.ndarray,
                end: np.ndarray, doc_lookup: np.ndarray, code_lookup: np.ndarray,
                coder_lookup: np.ndarray, bases: np.ndarray) -> np.ndarray:
    """``(m, 5)`` spans in global positions, sorted by start, for the corpus's codes."""
    if not len(document):
        return np.zeros((0, 5), dtype=np.int64)
    code = np.where(code_id < len(code_lookup),
                    code_lookup[np.minimum(code_id, len(code_lookup) - 1)], -1)
    doc = np.where(document < len(doc_lookup),
                   doc_lookup[np.minimum(document, len(doc_lookup) - 1)], -1)
    who = np.where(coder < len(coder_lookup),
                   coder_lookup[np.minimum(coder, len(coder_lookup) - 1)], -1)
    # codings of retired codes are not counted (the codebook no longer has them), nor those
    # of documents outside the scope
    keep = (code >= 0) & (doc >= 0)
    base = bases[np.maximum(doc, 0)]
    spans = np.empty((int(keep.sum()), 5), dtype=np.int64)
    for j, column in enumerate((start + base, end + base, code, who, doc)):
        spans[:, j] = column[keep]
    return spans[np.argsort(spans[:, 0], kind="stable")]
