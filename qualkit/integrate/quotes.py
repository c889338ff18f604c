"""Exemplar quotes and prevalence of a theme, chosen deterministically.

A *theme* is a code with its sub-codes. Its *passages* are every coder's spans of it, merged where
they overlap; a passage is a candidate when one of the table's coders (its scope) coded it, and
its quoted extent is that of their spans. Passages are ranked:

1. by trust: the ``consensus`` coder holds it, then two or more coders agreed on it (their spans
   overlap), then one coder's passage;
2. then passages coded with the code itself before those coded only with a sub-code, then by
   how many coders coded it, by length (a passage of 80-300 characters reads best; a fragment
   under 40 characters comes last), by document name and position.

Interviewers' and facilitators' turns are never quoted. The choice spreads over documents: each
document gives at most one quote until every document with a candidate has given one. A quote
is at most ``MAX_CHARS`` characters, cut at a sentence end (a single longer sentence is cut at a
word, with an ellipsis).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

import numpy as np

from qualkit.integrate.corpus import Corpus, _lookup
from qualkit.store.spans import code_array

if TYPE_CHECKING:
    from qualkit.store import Store

MAX_CHARS = 300
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”’)\]]*\s+")
TIERS = ("consensus", "coders agreed", "one coder")


@dataclass(frozen=True)
class Quote:
    """One exemplar passage."""

    text: str
    document: str
    speaker: str
    role: str | None
    tier: str
    coders: int
    document_id: int
    start: int
    end: int

    def to_dict(self) -> dict:
        return asdict(self)


def cut(text: str, limit: int = MAX_CHARS) -> str:
    """Whitespace collapsed, at most ``limit`` characters, cut after a sentence when possible."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    ends = [m.start() for m in _SENTENCE_END.finditer(text) if m.start() <= limit - 2]
    if ends:
        return text[: ends[-1]].rstrip() + " …"
    head = text[: limit - 2]
    return (head[: head.rfind(" ")] if " " in head else head).rstrip(" ,;:") + " …"


class QuoteFinder:
    """Passages and quotes of themes in one corpus; reads document texts lazily."""

    def __init__(self, store: Store, corpus: Corpus) -> None:
        self.store, self.corpus = store, corpus
        self._texts: dict[int, str] = {}
        self._passages: dict[int, dict[str, np.ndarray]] = {}
        coders = store.codings.coders()
        self.consensus = {c.id for c in coders if c.kind == "consensus"}
        self.scope_ids = {c.id for c in corpus.scope.coders}
        # Other coders' spans only matter for telling agreed passages; when the scope already
        # holds every coder (or only the consensus, whose passages rank first anyway) the
        # corpus's spans suffice and no second read of the codings is needed.
        active = store.integration.coders_with_codings()
        self._own_spans = active <= self.scope_ids or self.scope_ids <= self.consensus
        self._name_rank = np.argsort(np.argsort([d.name for d in corpus.docs], kind="stable"))

    def theme_codes(self, code: int) -> np.ndarray:
        """Indexes of a code and its sub-codes."""
        return np.flatnonzero(self.corpus.descendants[code])

    def passages(self, code: int) -> dict[str, np.ndarray]:
        """Passages of a theme as arrays: ``doc`` (index), ``start``, ``end`` (global),
        ``tier`` (index into ``TIERS``), ``coders`` (human coders) and ``direct``.

        Every coder's spans of the theme (not only the scope's) are merged where they overlap,
        so that agreement and consensus can be seen; a passage is kept when a scope coder's
        span is in it, and its extent is that of the scope coders' spans. ``direct``: a scope
        coder applied the code itself there (not only one of its sub-codes).
        """
        if code not in self._passages:
            doc, code_id, coder, start, end = self._theme_spans(code)
            order = np.lexsort((end, start))
            self._passages[code] = self._merge(*(a[order] for a in (
                doc, code_id == self.corpus.codes[code].id, coder, start, end)))
        return self._passages[code]

    def _theme_spans(self, code: int) -> tuple[np.ndarray, ...]:
        """``(doc index, code id, coder id, global start, global end)`` of the theme's spans."""
        c = self.corpus
        theme = self.theme_codes(code)
        if self._own_spans:
            rows = c.spans[np.isin(c.spans[:, 2], theme)]
            ids = np.array([k.id for k in c.codes], dtype=np.int64)
            coder_ids = np.array([k.id for k in c.scope.coders], dtype=np.int64)
            return rows[:, 4], ids[rows[:, 2]], coder_ids[rows[:, 3]], rows[:, 0], rows[:, 1]
        ids = [c.codes[j].id for j in theme]
        document, code_id, coder, start, end = code_array(self.store, ids).T
        doc_lookup = _lookup({d.id: i for i, d in enumerate(c.docs)})
        doc = np.where(document < len(doc_lookup),
                       doc_lookup[np.minimum(document, len(doc_lookup) - 1)], -1)
        keep = doc >= 0
        doc = doc[keep]
        return (doc, code_id[keep], coder[keep], start[keep] + c.bases[doc],
                end[keep] + c.bases[doc])

    def _merge(self, doc: np.ndarray, direct: np.ndarray, coder: np.ndarray, start: np.ndarray,
               end: np.ndarray) -> dict[str, np.ndarray]:
        """Overlapping spans (sorted by start) merged into passages, vectorised: a passage
        starts where a span begins at or after the furthest end seen so far."""
        if not len(start):
            empty = np.zeros(0, dtype=np.int64)
            return {k: empty for k in ("doc", "start", "end", "tier", "coders", "direct")}
        reach = np.maximum.accumulate(end)
        group = np.cumsum(np.r_[True, start[1:] >= reach[:-1]]) - 1
        n = int(group[-1]) + 1
        mine = np.isin(coder, list(self.scope_ids))
        consensus = np.isin(coder, list(self.consensus))
        key = np.unique(group[~consensus] * (int(coder.max()) + 1) + coder[~consensus])
        humans = np.bincount(key // (int(coder.max()) + 1), minlength=n)
        has_consensus = np.bincount(group, weights=consensus, minlength=n) > 0
        first = np.full(n, np.iinfo(np.int64).max)
        last = np.full(n, -1)
        np.minimum.at(first, group[mine], start[mine])
        np.maximum.at(last, group[mine], end[mine])
        gdoc = np.zeros(n, dtype=np.int64)
        gdoc[group] = doc
        tier = np.where(has_consensus, 0, np.where(humans >= 2, 1, 2))
        keep = last >= 0
        return {"doc": gdoc[keep], "start": first[keep], "end": last[keep], "tier": tier[keep],
                "coders": np.maximum(humans, 1)[keep],
                "direct": (np.bincount(group, weights=mine & direct, minlength=n) > 0)[keep]}

    def quotes(self, code: int, *, limit: int = 3, doc_mask: np.ndarray | None = None,
               role: str | None = None) -> list[Quote]:
        """Up to ``limit`` exemplar quotes of a theme (optionally within documents or a role)."""
        p = self.passages(code)
        keep = np.ones(len(p["doc"]), dtype=bool) if doc_mask is None else doc_mask[p["doc"]]
        idx = np.flatnonzero(keep)
        length = p["end"][idx] - p["start"][idx]
        fit = np.where((length >= 80) & (length <= MAX_CHARS), 0, np.where(length < 40, 2, 1))
        order = idx[np.lexsort((p["start"][idx], self._name_rank[p["doc"][idx]], fit,
                                -p["coders"][idx], ~p["direct"][idx], p["tier"][idx]))]
        ranked = ((int(p["doc"][k]), int(p["start"][k]), int(p["end"][k]),
                   TIERS[int(p["tier"][k])], int(p["coders"][k])) for k in order)
        chosen = _spread(ranked, limit, lambda r: self._speaker_ok(r, role))
        return [self._quote(*r, *info) for r, info in chosen]

    def _speaker_ok(self, row: tuple, role: str | None):
        """``(speaker, role)`` of a candidate, or ``None`` when it may not be quoted."""
        doc, start, end, _, _ = row
        speaker = self._speaker(start, end)
        if speaker is None or not speaker.participant:
            return None
        speaker_role = speaker.role or self.corpus.docs[doc].role
        if role is not None and speaker_role != role:
            return None
        return speaker, speaker_role

    def _speaker(self, start: int, end: int):
        """The first participant speaking in the span (else its first speaker)."""
        c = self.corpus
        first = int(np.searchsorted(c.seg_end, start, side="right"))
        last = int(np.searchsorted(c.seg_start, end, side="left"))
        for seg in range(first, min(max(first + 1, last), len(c.seg_start))):
            speaker = c.speakers[int(c.seg_speaker[seg])]
            if speaker.participant:
                return speaker
        return c.speakers[int(c.seg_speaker[first])] if first < len(c.seg_start) else None

    def _quote(self, doc: int, start: int, end: int, tier: str, n_coders: int, speaker,
               role: str | None) -> Quote:
        d = self.corpus.docs[doc]
        if d.id not in self._texts:
            self._texts[d.id] = self.store.documents.text(d.id)
        base = int(self.corpus.bases[doc])
        text = cut(self._texts[d.id][start - base: end - base])
        return Quote(text, d.name, speaker.label, role, tier, n_coders, d.id, start - base,
                     end - base)

    def prevalence(self, code: int, doc_mask: np.ndarray | None = None) -> dict:
        """Documents and speakers where participants (not interviewers) spoke of the theme, and
        those speakers' roles."""
        c = self.corpus
        present = c.presence[:, self.theme_codes(code)].any(axis=1)
        segs = np.ones(len(c.seg_doc), dtype=bool) if doc_mask is None else doc_mask[c.seg_doc]
        participant = c.participant()
        docs_all = np.unique(c.seg_doc[segs])
        docs = np.unique(c.seg_doc[segs & present & participant])  # what participants said
        sp_all = np.unique(c.seg_speaker[segs & participant])
        sp = np.unique(c.seg_speaker[segs & present & participant])
        roles: dict[str, int] = {}
        for s in sp.tolist():
            role = c.speakers[s].role or c.docs[c.speakers[s].document].role or "(no role)"
            roles[role] = roles.get(role, 0) + 1
        text = (f"{len(docs)}/{len(docs_all)} documents, {len(sp)}/{len(sp_all)} speakers"
                + ("; " + ", ".join(f"{r} {n}" for r, n in sorted(roles.items(),
                                                                   key=lambda x: (-x[1], x[0])))
                   if roles else ""))
        return {"documents": len(docs), "of_documents": len(docs_all),
                "speakers": len(sp), "of_speakers": len(sp_all), "roles": roles,
                "text": text}


def _spread(ranked, limit: int, usable) -> list:
    """Best first, one per document until every document has given one; ``usable(row)`` gives
    what the caller needs to quote a row, or ``None`` to skip it (asked only when needed).

    ``ranked`` is consumed lazily: rows from documents already quoted wait in a second list
    and are taken, in rank order, only when the first pass runs out.
    """
    chosen: list = []
    used_docs: set = set()
    later: list = []
    for row in ranked:
        if len(chosen) >= limit:
            return chosen
        if row[0] in used_docs:
            later.append(row)
            continue
        info = usable(row)
        if info is not None:
            chosen.append((row, info))
            used_docs.add(row[0])
    for row in later:
        if len(chosen) >= limit:
            break
        info = usable(row)
        if info is not None:
            chosen.append((row, info))
    return chosen


def theme_quotes(finder: QuoteFinder, codes: Sequence[int], *, limit: int,
                 doc_mask: np.ndarray | None = None) -> list[dict]:
    """Linked themes with prevalence and quotes, as plain dicts for a table cell."""
    out = []
    for code in codes:
        prevalence = finder.prevalence(code, doc_mask)
        out.append({"code": finder.corpus.codes[code].name, "prevalence": prevalence["text"],
                    **{k: prevalence[k] for k in ("documents", "of_documents", "speakers",
                                                  "of_speakers", "roles")},
                    "quotes": [q.to_dict() for q in finder.quotes(code, limit=limit,
                                                                  doc_mask=doc_mask)]})
    return out
