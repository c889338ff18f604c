"""Measuring the detector on labelled transcripts: recall and precision per entity type.

A labelled transcript marks every identifier as ``[[KIND:text]]``. The texts go through the real
pipeline (a scratch project, ``scan``, decisions, ``plan``), so what is measured is what a user
gets. Two readings:

* **candidates** (before review): a gold identifier counts as found when the candidates cover all
  of its characters; a candidate counts as correct when it overlaps a gold identifier of any type
  (precision per type is by the candidate's type).
* **after review**: a reviewer accepts every candidate that overlaps an identifier, as "all of this
  string" (ages only as a span), and rejects the rest; recall is then over the plan's
  replacements, precision over the replacements too (a whole-string accept may hit a harmless
  occurrence).
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

KINDS = ("PERSON", "PLACE", "ORG", "DATE", "PHONE", "EMAIL", "ADDRESS", "AGE", "ID")
_MARK = re.compile(r"\[\[([A-Z]+):([^\]]+)\]\]")

Span = tuple[int, int, str]


def parse_labelled(text: str) -> tuple[str, list[Span]]:
    """The plain text and its gold spans ``(start, end, kind)``."""
    plain: list[str] = []
    gold: list[Span] = []
    pos = out = 0
    for m in _MARK.finditer(text):
        plain.append(text[pos:m.start()])
        out += m.start() - pos
        kind, value = m.group(1), m.group(2)
        if kind not in KINDS:
            raise ValueError(f"unknown kind {kind!r} in {m.group()!r}")
        gold.append((out, out + len(value), kind))
        plain.append(value)
        out += len(value)
        pos = m.end()
    plain.append(text[pos:])
    return "".join(plain), gold


@dataclass
class Score:
    gold: int = 0
    found: int = 0
    predicted: int = 0
    correct: int = 0

    @property
    def recall(self) -> float | None:
        return self.found / self.gold if self.gold else None

    @property
    def precision(self) -> float | None:
        return self.correct / self.predicted if self.predicted else None


@dataclass
class Evaluation:
    candidates: dict[str, Score] = field(default_factory=dict)
    reviewed: dict[str, Score] = field(default_factory=dict)
    missed: list[str] = field(default_factory=list)  # gold strings missed after review


def score(gold: Sequence[Span], predicted: Sequence[Span], into: dict[str, Score]) -> list[Span]:
    """Add one document's counts to ``into``; returns the gold spans not covered."""
    covered = sorted((s, e) for s, e, _ in predicted)
    missed = []
    for start, end, kind in gold:
        entry = into.setdefault(kind, Score())
        entry.gold += 1
        if _covers(covered, start, end):
            entry.found += 1
        else:
            missed.append((start, end, kind))
    for start, end, kind in predicted:
        entry = into.setdefault(kind, Score())
        entry.predicted += 1
        entry.correct += any(s < end and start < e for s, e, _ in gold)
    return missed


def _covers(spans: Iterable[tuple[int, int]], start: int, end: int) -> bool:
    pos = start
    for s, e in spans:
        if s <= pos < e:
            pos = e
        if pos >= end:
            return True
    return pos >= end


def evaluate(files: Sequence[Path], *, ner=None, names_file: Path | None = None) -> Evaluation:
    """Scan the labelled ``files`` in a scratch project and score both readings."""
    from qualkit import redact
    from qualkit.ingest import import_transcripts
    from qualkit.store import Store

    result = Evaluation()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "texts"
        folder.mkdir()
        golds: dict[str, list[Span]] = {}
        for path in files:
            plain, gold = parse_labelled(path.read_text(encoding="utf-8"))
            (folder / path.name).write_text(plain, encoding="utf-8")
            golds[path.name] = gold
        with Store.create(Path(tmp) / "eval.qualkit") as store:
            import_transcripts(store, [folder])
            docs = {d.name: d.id for d in store.documents.list()}
            for name, gold in golds.items():
                text = store.documents.text(docs[name])
                for s, e, _ in gold:  # the import must keep the offsets of the labelled text
                    assert text[s:e] == (folder / name).read_text()[s:e]
            if names_file is not None:
                redact.load_names(store, names_file)
            candidates = redact.scan(store, ner=ner)
            by_doc: dict[int, list] = {}
            for c in candidates:
                by_doc.setdefault(c.document_id, []).append(c)
            for name, gold in golds.items():
                found = [(c.start, c.end, c.kind) for c in by_doc.get(docs[name], [])]
                score(gold, found, result.candidates)
            _review(store, candidates, golds, docs)
            the_plan = redact.plan(store)
            kinds = {(c.document_id, c.start, c.end): c.kind for c in candidates}
            for name, gold in golds.items():
                reps = the_plan.replacements.get(docs[name], [])
                predicted = [(r.start, r.end, kinds.get((docs[name], r.start, r.end), "STRING"))
                             for r in redact.OffsetMap(reps).replacements]
                text = store.documents.text(docs[name])
                missed = score(gold, predicted, result.reviewed)
                result.missed += [f"{kind}:{text[s:e]}" for s, e, kind in missed]
    return result


def _review(store, candidates, golds, docs) -> None:
    """The simulated reviewer: true candidates accepted with every occurrence, others rejected."""
    from qualkit import redact

    ids = {v: k for k, v in docs.items()}
    for c in candidates:
        gold = golds[ids[c.document_id]]
        true = any(s < c.end and c.start < e for s, e, _ in gold)
        verdict = "reject" if not true else ("accept" if c.kind == "AGE" else "accept-all")
        redact.decide(store, c, verdict)
    # a string accepted somewhere and rejected elsewhere: the span decisions settle it
    for c in redact.candidates(store):
        if c.decision is None:
            redact.decide(store, c, "reject")
