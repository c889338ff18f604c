"""Sentence units: each paragraph of a speaker turn is split into sentences.

The rules are spaCy's ``sentencizer`` over its English tokenizer (abbreviations such as "Dr." or
"e.g." stay whole; a split after sentence-final punctuation), re-implemented in
``qualkit.ingest.sentences`` so that importing a transcript does not load spaCy (1-2 s) and,
through ``thinc``, torch (10-16 s). It is deterministic and linear in the text's length.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterator

from qualkit.ingest.sentences import FINAL, sentence_spans
from qualkit.ingest.transcripts import Transcript, trim_span

# (ordinal, turn, speaker, start, end, start_time, end_time): the rows the store takes.
SegmentRow = tuple[int, int, str | None, int, int, float | None, float | None]
# Long unbroken blocks (a one-line file) are cut into pieces of at most this many characters,
# so that the token list of one piece stays small.
_CHUNK = 100_000
# A block without sentence-final punctuation is one sentence: no need to tokenise it.
_ANY_FINAL = re.compile("[" + re.escape("".join(sorted(FINAL))) + "]")


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
    marks = transcript.times
    offsets = [m[0] for m in marks]
    for (turn_no, speaker, piece), sentences in zip(jobs, spans, strict=True):
        for start, end in sentences:
            first = bisect_right(offsets, start) - 1
            last = bisect_right(offsets, end - 1) - 1
            start_time = marks[first][1] if first >= 0 else None
            end_time = marks[last][2] if last >= 0 else None
            rows.append((len(rows), turn_no, speaker, start, end, start_time, end_time))
        if progress:
            progress(piece[1] - piece[0])
    return rows


def _pieces(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Cut a long block into pieces, preferring sentence ends, then spaces."""
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
    for start, end in pieces:
        if _ANY_FINAL.search(text, start, end):
            spans = sentence_spans(text, start, end)
        else:
            spans = [(start, end)]
        yield [span for span in (trim_span(text, *s) for s in spans) if span[0] < span[1]]
