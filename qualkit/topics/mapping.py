"""Topics against the codebook: closest code, coverage by human coders, quotes and the
candidate-new-theme rule.

* **Similarity**: cosine between the topic's centroid (the normalised mean of its units'
  vectors) and each code's vector (name, definition, include rule and example embedded together);
  the closest code is the most similar active code.
* **Coverage**: of the topic's units that lie in documents some human (or consensus) coder has
  coded, the share that a human coding of the closest code, or of one of its sub-codes, overlaps.
  ``None`` when no human has coded any of those documents yet.
* **Keyword support**: the share of the topic's units that contain at least one of its top
  ``TOP_KEYWORDS`` keywords. A theme is something people talk *about*, so most of its units share
  its words (housing, vouchers, motel); a topic held together by the form of talk ("honestly,
  that's what works") or by numbers and durations has keywords that few of its units carry.
* **Novel keywords**: how many of those top keywords appear nowhere in the codebook's text
  (names, definitions, rules, examples; a plural matches its singular).
* **Candidate new theme**: keyword support at least ``SUPPORT_THRESHOLD``, *and* far from the
  codebook: similarity below ``similarity_threshold`` or at least ``NOVEL_KEYWORDS`` novel
  keywords (a cosine near the threshold is a coin toss across seeds and library releases; words
  the codebook never uses are not), *and* coverage below ``coverage_threshold`` (unknown
  coverage counts as low). Thresholds and the rates over seeds that chose them: docs/topics.md.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

    from qualkit.models import Code
    from qualkit.topics.fit import FitResult
    from qualkit.topics.units import Unit

SIMILARITY_THRESHOLD = 0.45
COVERAGE_THRESHOLD = 0.20
SUPPORT_THRESHOLD = 0.6
TOP_KEYWORDS = 5
NOVEL_KEYWORDS = 4  # of TOP_KEYWORDS
_WORD = re.compile(r"[^\W\d_]{2,}")
QUOTE_WORDS = 10
HumanSpans = Sequence[tuple[int, int, int, int]]  # (document_id, code_id, start, end)


@dataclass(frozen=True)
class MappedTopic:
    """One topic of a fit, mapped to the codebook. Unit lists hold indexes into the units."""

    topic: int
    members: list[int]
    quotes: list[int]
    code_id: int | None
    similarity: float | None
    coverage: float | None
    candidate: bool
    support: float = 1.0
    novel: int = 0

    @property
    def size(self) -> int:
        return len(self.members)


def is_candidate(similarity: float | None, coverage: float | None, *,
                 support: float = 1.0, novel: int = 0,
                 similarity_threshold: float = SIMILARITY_THRESHOLD,
                 coverage_threshold: float = COVERAGE_THRESHOLD) -> bool:
    """The rule: a theme people talk about (keyword support), far from every code (by
    similarity or by words the codebook never uses), and hardly coded with the closest code
    by humans."""
    about = support >= SUPPORT_THRESHOLD
    far = similarity is None or similarity < similarity_threshold or novel >= NOVEL_KEYWORDS
    uncoded = coverage is None or coverage < coverage_threshold
    return about and far and uncoded


def words(text: str) -> set[str]:
    """The words of ``text`` as keywords are compared: lower case, a plural as its singular
    (c-TF-IDF counts "voucher" and "vouchers" apart; a coder would not)."""
    return {_singular(w) for w in _WORD.findall(text.lower().replace("'", "").replace("’", ""))}


def _singular(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def top_keywords(keywords: Sequence[str], n: int = TOP_KEYWORDS) -> list[str]:
    """The first ``n`` distinct single words among a topic's keywords (c-TF-IDF also ranks
    two-word phrases, whose words are already counted)."""
    chosen: list[str] = []
    for keyword in keywords:
        word = _singular(keyword.lower())
        if " " not in keyword and word not in chosen:
            chosen.append(word)
    return chosen[:n]


def keyword_support(member_words: Sequence[set[str]], keywords: Sequence[str]) -> float:
    """Share of the units (given as their ``words``) holding at least one of ``keywords``."""
    if not member_words:
        return 0.0
    chosen = set(top_keywords(keywords))
    return round(sum(bool(chosen & w) for w in member_words) / len(member_words), 4)


def codebook_words(codes: Sequence[Code]) -> set[str]:
    """Every word of the codebook: names, definitions, include and exclude rules, examples."""
    found: set[str] = set()
    for code in codes:
        for part in (code.name, code.description, code.include, code.exclude, code.example):
            found |= words(part or "")
    return found


def map_topics(
    fit: FitResult,
    units: Sequence[Unit],
    vectors: np.ndarray,
    codes: Sequence[Code],
    code_vectors: np.ndarray,
    human: HumanSpans,
    *,
    similarity_threshold: float = SIMILARITY_THRESHOLD,
    coverage_threshold: float = COVERAGE_THRESHOLD,
    n_quotes: int = 5,
) -> list[MappedTopic]:
    """Map every topic of ``fit`` to its closest code and flag candidate new themes."""
    import numpy as np

    from qualkit.topics.units import keyword_text

    labels = np.asarray(fit.labels)
    covers = Coverage(codes, human)
    vocabulary = codebook_words(codes)
    unit_words = [words(keyword_text(u.text)) for u in units]
    mapped = []
    for topic in fit.topic_ids:
        members = np.flatnonzero(labels == topic)
        centroid = _normalise(vectors[members].mean(axis=0))
        code_id, similarity = _closest(centroid, codes, code_vectors)
        coverage = None if code_id is None else covers.share([units[i] for i in members], code_id)
        keywords = fit.keywords.get(topic, [])
        support = keyword_support([unit_words[i] for i in members], keywords)
        novel = sum(w not in vocabulary for w in top_keywords(keywords)) if codes else 0
        mapped.append(MappedTopic(
            topic=topic,
            members=_by_strength(members, fit.probabilities),
            quotes=pick_quotes(members, units, vectors @ centroid, n_quotes),
            code_id=code_id,
            similarity=similarity,
            coverage=coverage,
            candidate=is_candidate(similarity, coverage, support=support, novel=novel,
                                   similarity_threshold=similarity_threshold,
                                   coverage_threshold=coverage_threshold),
            support=support,
            novel=novel,
        ))
    return mapped


def _normalise(vector: np.ndarray) -> np.ndarray:
    import numpy as np

    norm = float(np.linalg.norm(vector))
    return vector / norm if norm else vector


def _closest(centroid, codes: Sequence[Code], code_vectors) -> tuple[int | None, float | None]:
    if not codes:
        return None, None
    similarities = code_vectors @ centroid
    best = int(similarities.argmax())
    return codes[best].id, round(float(similarities[best]), 4)


def _by_strength(members, probabilities: Sequence[float]) -> list[int]:
    return sorted((int(i) for i in members), key=lambda i: (-probabilities[i], i))


def pick_quotes(members, units: Sequence[Unit], closeness, n: int) -> list[int]:
    """Up to ``n`` units nearest the centroid, no text twice, from as many documents as
    possible: a coder judges a theme better from several voices than from one speech. Units of
    at least ``QUOTE_WORDS`` words go first: the nearest ones are often short and say little."""
    from qualkit.topics.units import word_count

    def rank(i: int) -> tuple:
        return word_count(units[i].text) < QUOTE_WORDS, -float(closeness[i]), i

    ranked = sorted((int(i) for i in members), key=rank)
    chosen: list[int] = []
    texts: set[str] = set()
    for spread in (True, False):
        documents = {units[i].document_id for i in chosen}
        for i in ranked:
            if len(chosen) == n:
                return chosen
            text = " ".join(units[i].text.lower().split())
            if i in chosen or text in texts or (spread and units[i].document_id in documents):
                continue
            chosen.append(i)
            texts.add(text)
            documents.add(units[i].document_id)
    return chosen


class Coverage:
    """How much of a set of units human coders coded with a code or its sub-codes."""

    def __init__(self, codes: Sequence[Code], human: HumanSpans) -> None:
        self.children: dict[int, list[int]] = {}
        for code in codes:
            if code.parent_id is not None:
                self.children.setdefault(code.parent_id, []).append(code.id)
        self.spans: dict[tuple[int, int], list[tuple[int, int]]] = {}
        self.documents: set[int] = set()
        for document_id, code_id, start, end in human:
            self.spans.setdefault((code_id, document_id), []).append((start, end))
            self.documents.add(document_id)

    def family(self, code_id: int) -> set[int]:
        found, todo = set(), [code_id]
        while todo:
            current = todo.pop()
            if current not in found:
                found.add(current)
                todo.extend(self.children.get(current, []))
        return found

    def share(self, units: Sequence[Unit], code_id: int) -> float | None:
        """Covered units / units in human-coded documents; None if there are none."""
        seen = [u for u in units if u.document_id in self.documents]
        if not seen:
            return None
        family = self.family(code_id)
        covered = sum(self._covered(u, family) for u in seen)
        return round(covered / len(seen), 4)

    def _covered(self, unit: Unit, family: set[int]) -> bool:
        return any(
            start < unit.end and unit.start < end
            for code_id in family
            for start, end in self.spans.get((code_id, unit.document_id), ())
        )
