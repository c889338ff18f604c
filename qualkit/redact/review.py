"""Scanning a project for candidates, and the reviewers' decisions on them.

A scan stores each document's candidates in the project (with the text's hash, so a later change
of the text is noticed) and gives each new entity its pseudonym. Decisions are per span (accept
or reject this one) or per string (accept or reject every occurrence of it, found by the
detector or not); a span decision beats a string decision.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from qualkit.errors import InputError, QualkitError
from qualkit.redact import names as names_mod
from qualkit.redact.detect import Detector, Found, entity_key, name_parts
from qualkit.redact.pseudonyms import assign
from qualkit.store.redaction import Decision, StoredCandidate

DECISIONS = ("accept", "reject", "accept-all", "reject-all")
_ENTITY_KINDS = ("PERSON", "PLACE", "ORG")


@dataclass(frozen=True, slots=True)
class Candidate:
    """One proposed redaction, as the review shows it."""

    document: str
    document_id: int
    start: int
    end: int
    text: str
    kind: str
    source: str
    key: str
    label: str
    context: str
    decision: str | None = None  # accept / reject (resolved), None: not reviewed

    def as_dict(self) -> dict:
        return asdict(self)


def known_names(store) -> list:
    """The project's names list: the team's file (loaded with ``load_names``) and speakers."""
    speakers = [
        (label, role)
        for doc in store.documents.list()
        for label, role in store.documents.speakers(doc.id).items()
    ]
    return [*store.redaction.names(), *names_mod.speaker_names(speakers)]


def load_names(store, path: str | Path) -> int:
    """Replace the project's list of known names with the team's CSV; returns rows read."""
    entries = names_mod.read_team_file(path)
    store.redaction.set_names(entries)
    return len(entries)


def scan(store, *, ner=None, progress: Callable[[int, int], None] | None = None
         ) -> list[Candidate]:
    """Find candidates in every document, store them, and return them with their decisions.

    ``ner``: a spaCy pipeline, None for the packaged model, False for rules and names only.
    """
    detector = Detector(known_names(store), ner=ner)
    documents = store.documents.list()
    texts = [store.documents.text(doc.id) for doc in documents]
    if progress:
        progress(0, len(documents))
    per_doc = name_parts(texts, detector.find_many(texts))
    where = [(d.id, d.sha256) for d, fs in zip(documents, per_doc, strict=True) for _ in fs]
    found = unify([f for fs in per_doc for f in fs])
    found_all = [(d, s, f) for (d, s), f in zip(where, found, strict=True)]
    if progress:
        progress(len(documents), len(documents))
    new = assign((f for _, _, f in found_all), store.redaction.pseudonyms())
    with store.atomic():
        by_doc: dict[int, list[StoredCandidate]] = {d.id: [] for d in documents}
        for doc_id, sha, f in found_all:
            by_doc[doc_id].append(StoredCandidate(doc_id, f.start, f.end, f.text, f.kind,
                                                  f.source, f.key, f.role, sha))
        for doc_id, rows in by_doc.items():
            store.redaction.replace_candidates(doc_id, rows)
        store.redaction.add_pseudonyms(new)
        store.set_meta("redact_scanned", json.dumps({str(d.id): d.sha256 for d in documents}))
        store.log("redact-scan", {"documents": len(documents), "candidates": len(found_all)})
    return candidates(store)


def unify(found: Sequence[Found]) -> list[Found]:
    """One entity per string: the model may call "Bridgeway" a person here and an organisation
    there; every span of it takes the kind found most often (the names list's, if it has it),
    so it gets one pseudonym."""
    votes: Counter[tuple[str, str]] = Counter()
    named: dict[str, Found] = {}
    for f in found:
        norm = entity_key("", f.text)
        if f.source == "names":
            named.setdefault(norm, f)
        elif f.kind in _ENTITY_KINDS:
            votes[(norm, f.kind)] += 1
    best: dict[str, str] = {}
    for (norm, kind), _ in votes.most_common():
        best.setdefault(norm, kind)
    out = []
    for f in found:
        norm = entity_key("", f.text)
        if norm in named and f.source != "names":
            f = replace(f, kind=named[norm].kind, key=named[norm].key, role=named[norm].role)
        elif f.kind in _ENTITY_KINDS and norm in best:
            f = replace(f, kind=best[norm], key=entity_key(best[norm], f.text))
        out.append(f)
    return out


def candidates(store, decisions: Sequence[Decision] | None = None) -> list[Candidate]:
    """The stored candidates, with labels and resolved decisions (stored ones by default)."""
    docs = {d.id: d for d in store.documents.list()}
    labels = store.redaction.pseudonyms()
    resolve = Resolver(store.redaction.decisions() if decisions is None else decisions)
    texts: dict[int, str] = {}
    out = []
    for c in store.redaction.candidates():
        if c.document_id not in docs:
            continue
        text = texts.setdefault(c.document_id, store.documents.text(c.document_id))
        out.append(Candidate(
            docs[c.document_id].name, c.document_id, c.start, c.end, c.text, c.kind, c.source,
            c.key, labels.get(c.key, ("", f"[{c.kind}]"))[1], context(text, c.start, c.end),
            resolve(c.document_id, c.start, c.end, c.text),
        ))
    return out


def stale_documents(store) -> list[str]:
    """Documents added or changed since the last scan (their candidates may be out of date)."""
    scanned = json.loads(store.get_meta("redact_scanned") or "{}")
    return [d.name for d in store.documents.list() if scanned.get(str(d.id)) != d.sha256]


def context(text: str, start: int, end: int, width: int = 40) -> str:
    before = text[max(0, start - width):start].replace("\n", " ")
    after = text[end:end + width].replace("\n", " ")
    return f"…{before}[{text[start:end]}]{after}…"


class Resolver:
    """A candidate's decision: its span's, else its string's, else None."""

    def __init__(self, decisions: Iterable[Decision]) -> None:
        self.spans: dict[tuple[int, int, int], str] = {}
        self.strings: dict[str, str] = {}
        for d in decisions:
            if d.scope == "span":
                self.spans[(d.document_id, d.start, d.end)] = d.decision
            else:
                self.strings[d.text.casefold()] = d.decision

    def __call__(self, document_id: int, start: int, end: int, text: str) -> str | None:
        return self.spans.get((document_id, start, end)) or self.strings.get(text.casefold())


def decide(store, candidate: Candidate, verdict: str, *, coder: str | None = None) -> None:
    """Record a reviewer's verdict on a candidate: accept, reject, accept-all or reject-all
    (of this string, everywhere), as one transaction with an audit event."""
    if verdict not in DECISIONS:
        raise QualkitError(f"decision {verdict!r}: use one of {', '.join(DECISIONS)}")
    if verdict.endswith("-all"):
        decision = Decision("string", None, None, None, candidate.text,
                            verdict.removesuffix("-all"), coder)
    else:
        decision = Decision("span", candidate.document_id, candidate.start, candidate.end,
                            candidate.text, verdict, coder)
    store.redaction.decide(decision)


def mark_string(store, text: str, *, coder: str | None = None) -> None:
    """Redact every occurrence of ``text``, a string the scan did not propose (a reviewer read
    it in a candidate's context). Unless a candidate gives it a kind, its pseudonym says what it
    is where its last word tells (``[CLINIC_A]``), else ``[OTHER_A]``."""
    if not text.strip():
        raise QualkitError("give the string to redact")
    store.redaction.decide(Decision("string", None, None, None, text.strip(), "accept", coder))


def undecide(store, candidate: Candidate) -> None:
    """Forget the span decision on a candidate and any decision on its string."""
    store.redaction.undecide(Decision("span", candidate.document_id, candidate.start,
                                      candidate.end, candidate.text, "accept"))
    store.redaction.undecide(Decision("string", None, None, None, candidate.text, "accept"))


def read_decisions(path: str | Path, store) -> list[Decision]:
    """Decisions from a file: the JSON list that `qualkit redact scan --json` prints, with a
    ``decision`` of accept, reject, accept-all or reject-all filled in where reviewed."""
    path = Path(path)
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: not a decisions JSON file ({exc}); write one with "
                         "`qualkit redact scan PROJECT --json`") from None
    if not isinstance(rows, list):
        raise InputError(f"{path}: expected a JSON list of candidates, as `scan --json` prints")
    docs = {d.name: d.id for d in store.documents.list()}
    out = []
    for i, row in enumerate(rows, 1):
        verdict = row.get("decision") if isinstance(row, dict) else None
        if verdict is None:
            continue
        where = f"{path}: item {i}"
        if verdict not in DECISIONS:
            raise InputError(f"{where}: decision {verdict!r}; use {', '.join(DECISIONS)} or null")
        text = row.get("text")
        if not isinstance(text, str) or not text.strip():
            raise InputError(f"{where}: needs the candidate's text")
        if verdict.endswith("-all"):  # a string decision needs no position
            out.append(Decision("string", None, None, None, text, verdict[:-4]))
            continue
        try:
            doc_id, start, end = docs[row["document"]], int(row["start"]), int(row["end"])
        except (KeyError, TypeError, ValueError):
            raise InputError(f"{where}: needs document (one of the project's), start and end, "
                             "or a decision of accept-all / reject-all") from None
        out.append(Decision("span", doc_id, start, end, text, verdict))
    return out
