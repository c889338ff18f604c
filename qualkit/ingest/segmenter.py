"""Sentence units: each paragraph of a speaker turn is split into sentences with spaCy.

The pipeline is ``spacy.blank("en")`` with the rule-based ``sentencizer``: English tokenizer rules
(abbreviations such as "Dr." or "e.g." stay whole) and a split after sentence-final punctuation.
It needs no model download, is deterministic, and runs several MB of text a second, where the
statistical parsers of the small English model manage a tenth of that for little gain on
transcribed speech, whose punctuation is the transcriber's anyway.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import lru_cache

from qualkit.ingest.transcripts import Transcript, trim_span

# (ordinal, turn, speaker, start, end): the rows the store takes.
SegmentRow = tuple[int, int, str | None, int, int]
# spaCy refuses texts over 1,000,000 characters; long unbroken blocks are cut below that.
_CHUNK = 100_000
# Sentence-final punctuation followed by a space inside a block: without it, no need for spaCy.
_INNER_BOUNDARY = re.compile(r"[.!?…][\"'”’)\]]*\s")


@lru_cache(maxsize=1)
def sentencizer():
    spacy = _import_spacy_without_torch()
    from spacy.language import Language

    if "qualkit_brackets" not in Language.factories:
        Language.component("qualkit_brackets", func=_keep_brackets_whole)
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("qualkit_brackets")
    return nlp


def _import_spacy_without_torch():
    """``import spacy`` imports torch through ``thinc.compat`` whenever torch is installed: 10 s
    or more of a first import (or `qualkit demo`) for a rule-based sentencizer that never uses
    it. thinc treats torch as absent when its import fails, so hide it for spaCy's import; a
    later import of torch (topics) finds it as usual. Where torch is loaded already, nothing
    is hidden."""
    import sys

    if "torch" in sys.modules or "spacy" in sys.modules:
        import spacy

        return spacy
    sys.modules["torch"] = None  # type: ignore[assignment]  # makes `import torch` fail
    try:
        import spacy
    finally:
        if sys.modules.get("torch", 0) is None:
            del sys.modules["torch"]
    return spacy


def _keep_brackets_whole(doc):
    """Transcribers' notes such as "[laughs]" or "(pause)" never hold a sentence boundary; after
    a full stop they open the next sentence ("so. [laughs] Just to say" splits before "[")."""
    if "[" not in doc.text and "(" not in doc.text:
        return doc  # most turns: no need to walk the tokens in Python
    depth = 0
    for i, token in enumerate(doc):
        if token.text in ("[", "("):
            if depth == 0 and i and doc[i - 1].text in (".", "!", "?", "…", "..."):
                token.is_sent_start = True
            elif i:
                token.is_sent_start = False
            depth += 1
        elif depth:
            token.is_sent_start = False
            if token.text in ("]", ")"):
                depth -= 1
    return doc


def segment(
    transcript: Transcript, *, progress: Callable[[int], None] | None = None
) -> list[SegmentRow]:
    """Split every turn of ``transcript`` into sentence segments, in reading order.

    ``progress`` is called with the number of characters handled since the last call.
    """
    text = transcript.text
    jobs = [
        (turn_no, turn.speaker, piece)
        for turn_no, turn in enumerate(transcript.turns)
        for block in turn.blocks
        for piece in _pieces(text, *block)
    ]
    rows: list[SegmentRow] = []
    spans = _sentences(text, [piece for _, _, piece in jobs])
    for (turn_no, speaker, piece), sentences in zip(jobs, spans, strict=True):
        for start, end in sentences:
            rows.append((len(rows), turn_no, speaker, start, end))
        if progress:
            progress(piece[1] - piece[0])
    return rows


def _pieces(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Cut a block into pieces spaCy accepts, preferring sentence ends, then spaces."""
    while end - start > _CHUNK:
        window = text[start : start + _CHUNK]
        cut = max(window.rfind(". "), window.rfind("? "), window.rfind("! "))
        if cut < _CHUNK // 2:
            cut = window.rfind(" ")
        cut = start + (cut + 1 if cut > 0 else _CHUNK)
        yield start, cut
        start = cut
    yield start, end


def _sentences(text: str, pieces: list[tuple[int, int]]) -> Iterator[list[tuple[int, int]]]:
    """Sentence spans of each piece, trimmed of surrounding space, as absolute offsets."""
    needs_spacy = [bool(_INNER_BOUNDARY.search(text, start, end)) for start, end in pieces]
    # A generator, consumed in step with the pieces: spaCy docs are never all in memory at once.
    docs = sentencizer().pipe(
        (text[start:end] for (start, end), needs in zip(pieces, needs_spacy, strict=True) if needs),
        batch_size=256,
    )
    for (start, end), needs in zip(pieces, needs_spacy, strict=True):
        if needs:
            spans = [(start + s.start_char, start + s.end_char) for s in next(docs).sents]
        else:
            spans = [(start, end)]
        yield [span for span in (trim_span(text, *s) for s in spans) if span[0] < span[1]]
