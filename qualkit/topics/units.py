"""The units a topic model sees: participants' segments (or whole speaker turns), filtered.

Left out: the research team's turns (interviewer, facilitator … by the speakers' roles in the
metadata), unlabelled lines of documents that do have speaker labels (titles, notes), units with
fewer than ``min_words`` words once bracketed annotations such as ``[laughs]`` are removed, and
documents not chosen.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from qualkit.errors import InputError
from qualkit.ingest.metadata import is_researcher

if TYPE_CHECKING:
    from qualkit.models import Segment
    from qualkit.store import Store

_ANNOTATION = re.compile(r"\[[^\]]*\]")
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_POSSESSIVE = re.compile(r"['’]s\b", re.I)
_JOINERS = re.compile(r"[-–—/]+")


@dataclass(frozen=True, slots=True)
class Unit:
    """What one point of the topic model stands for.

    Attributes:
        key: the segment id that caches the unit's embedding (for a turn: its first segment).
        document_id: the document it comes from.
        document: that document's name.
        speaker: the speaker label.
        start: start offset of the unit in the document text.
        end: end offset (exclusive).
        text: the unit's text (a turn's segments joined by spaces).
    """

    key: int
    document_id: int
    document: str
    speaker: str | None
    start: int
    end: int
    text: str


def word_count(text: str) -> int:
    """Words, not counting bracketed transcriber annotations such as ``[laughs]``."""
    return len(_WORD.findall(_ANNOTATION.sub(" ", text)))


def embedding_text(text: str) -> str:
    """The text that is embedded: without annotations, which would otherwise pull every
    "[laughs]" of a project into one topic."""
    return " ".join(_ANNOTATION.sub(" ", text).split())


def keyword_text(text: str) -> str:
    """The text c-TF-IDF counts words in: annotations and possessive 's dropped, and hyphens
    split, since BERTopic deletes punctuation and would glue "data-sharing" into one word."""
    text = _POSSESSIVE.sub("", _ANNOTATION.sub(" ", text))
    return _JOINERS.sub(" ", text)


def select_units(
    store: Store,
    *,
    documents: Sequence[str] = (),
    turns: bool = False,
    min_words: int = 5,
    include_researchers: bool = False,
) -> list[Unit]:
    """The units of the chosen documents (all when ``documents`` is empty), in reading order.

    Raises:
        InputError: a named document is not in the project.
    """
    units: list[Unit] = []
    for document in chosen_documents(store, documents):
        roles = store.documents.speakers(document.id)
        segments = store.documents.segments(document.id)
        labelled = any(s.speaker for s in segments)
        for group in _groups(segments, turns):
            first = group[0]
            if labelled and not first.speaker:
                continue  # a title or note line between the turns of a transcript
            if not include_researchers and is_researcher(roles.get(first.speaker or "")):
                continue
            text = " ".join(s.text for s in group)
            if word_count(text) < min_words:
                continue
            units.append(Unit(first.id, document.id, document.name, first.speaker,
                              first.start, group[-1].end, text))
    return units


def chosen_documents(store: Store, names: Sequence[str]) -> list:
    """The documents called ``names`` (all documents when empty); unknown names are errors."""
    if not names:
        return store.documents.list()
    chosen = []
    for name in dict.fromkeys(names):
        document = store.documents.by_name(name)
        if document is None:
            known = ", ".join(d.name for d in store.documents.list()[:5]) or "none yet"
            raise InputError(f"unknown document '{name}' (documents include: {known})")
        chosen.append(document)
    return chosen


def _groups(segments: list[Segment], turns: bool) -> list[list[Segment]]:
    """One group per segment, or per speaker turn with ``turns``."""
    if not turns:
        return [[s] for s in segments]
    groups: dict[int, list[Segment]] = {}
    for segment in segments:
        groups.setdefault(segment.turn, []).append(segment)
    return list(groups.values())
