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

from qualkit.integrate.corpus import Corpus

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
        self._passages: dict[int, list[tuple]] = {}
        self.consensus = {c.id for c in store.codings.coders() if c.kind == "consensus"}
        self.scope_ids = {c.id for c in corpus.scope.coders}

    def theme_codes(self, code: int) -> np.ndarray:
        """Indexes of a code and its sub-codes."""
        return np.flatnonzero(self.corpus.descendants[code])

    def passages(self, code: int) -> list[tuple]:
        """Passages of a theme: ``(doc index, global start, global end, tier, coders, direct)``.

        Every coder's spans of the theme (not only the scope's) are merged where they overlap,
        so that agreement and consensus can be seen; a passage is kept when a scope coder's
        span is in it, and its extent is that of the scope coders' spans. ``direct``: a scope
        coder applied the code itself there (not only one of its sub-codes).
        """
        if code in self._passages:
            return self._passages[code]
        c = self.corpus
        ids = [c.codes[j].id for j in self.theme_codes(code)]
        doc_index = {d.id: i for i, d in enumerate(c.docs)}
        rows = sorted(
            (doc_index[d], s + int(c.bases[doc_index[d]]), e + int(c.bases[doc_index[d]]), coder,
             code_id == c.codes[code].id)
            for d, code_id, coder, s, e in self.store.integration.code_rows(ids)
            if d in doc_index)
        out: list[tuple] = []
        group: list[tuple] = []
        reach = -1  # the furthest end in the current group
        for row in [*rows, (-1, 0, 0, 0, False)]:
            if group and (row[0] != group[0][0] or row[1] >= reach):
                out += self._passage(group)
                group = []
            if row[0] >= 0:
                reach = max(reach, row[2]) if group else row[2]
                group.append(row)
        self._passages[code] = out
        return out

    def _passage(self, group: list[tuple]) -> list[tuple]:
        mine = [g for g in group if g[3] in self.scope_ids]
        if not mine:
            return []
        who = {g[3] for g in group}
        humans = who - self.consensus
        tier = "consensus" if who & self.consensus else (
            "coders agreed" if len(humans) >= 2 else "one coder")
        return [(group[0][0], min(g[1] for g in mine), max(g[2] for g in mine), tier,
                 max(len(humans), 1), any(g[4] for g in mine))]

    def quotes(self, code: int, *, limit: int = 3, doc_mask: np.ndarray | None = None,
               role: str | None = None) -> list[Quote]:
        """Up to ``limit`` exemplar quotes of a theme (optionally within documents or a role)."""
        ranked = []
        for doc, start, end, tier, n_coders, direct in self.passages(code):
            if doc_mask is not None and not doc_mask[doc]:
                continue
            length = end - start
            fit = 0 if 80 <= length <= MAX_CHARS else (2 if length < 40 else 1)
            key = (TIERS.index(tier), not direct, -n_coders, fit, self.corpus.docs[doc].name,
                   start)
            ranked.append((key, doc, start, end, tier, n_coders))
        ranked.sort(key=lambda r: r[0])
        chosen = _spread(ranked, limit, lambda r: self._speaker_ok(r, role))
        return [self._quote(*r[1:], speaker, speaker_role) for r, (speaker, speaker_role), _
                in chosen]

    def _speaker_ok(self, row: tuple, role: str | None):
        """``(speaker, role)`` of a candidate, or ``None`` when it may not be quoted."""
        _, doc, start, end, _, _ = row
        speaker = self._speaker(start, end)
        if speaker is None or speaker.researcher:
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
            if not speaker.researcher:
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


def _spread(ranked: list, limit: int, usable) -> list:
    """Best first, one per document until every document has given one; ``usable(row)`` gives
    what the caller needs to quote a row, or ``None`` to skip it (asked only when needed)."""
    chosen: list = []
    used_docs: set = set()
    skipped: set = set()
    for second_pass in (False, True):
        for k, row in enumerate(ranked):
            if len(chosen) >= limit:
                return chosen
            if k in skipped or any(k == c[2] for c in chosen):
                continue
            if not second_pass and row[1] in used_docs:
                continue
            info = usable(row)
            if info is None:
                skipped.add(k)
                continue
            chosen.append((row, info, k))
            used_docs.add(row[1])
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
