"""The speaker report printed after every import: who speaks how much, and what looks wrong.

A transcript whose labels were misread imports without an error and silently corrupts every
speaker-level analysis, so each document gets a short report (labels, turns and words per
label, the role assigned) and warnings for the usual signs of a misread: no label at all, one
label holding nearly all the words of an interview, a label that opens a single turn, and
labels that differ only in case or punctuation.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qualkit.ingest.transcripts import Transcript

DOMINANT_SHARE = 0.9
_WORDS = re.compile(r"\w+(?:['’-]\w+)*")


@dataclass(frozen=True)
class SpeakerStats:
    label: str
    turns: int
    words: int
    role: str | None


@dataclass
class SpeakerReport:
    """One document's speakers and the warnings about them."""

    document: str
    speakers: list[SpeakerStats] = field(default_factory=list)
    unlabelled_words: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def line(self) -> str:
        """``name: LABEL (role) 12 turns, 410 words; ...`` — one line for the CLI."""
        parts = [
            f"{s.label}{f' ({s.role})' if s.role else ''} {s.turns} turns, {s.words:,} words"
            for s in self.speakers
        ]
        if self.unlabelled_words:
            parts.append(f"no speaker: {self.unlabelled_words:,} words")
        skipped = ", ".join(f"{n} {why}" for why, n in sorted(self.skipped.items()))
        tail = f" (left out: {skipped})" if skipped else ""
        return f"{self.document}: " + "; ".join(parts) + tail

    def as_dict(self) -> dict:
        return {
            "document": self.document,
            "speakers": [s.__dict__ for s in self.speakers],
            "unlabelled_words": self.unlabelled_words,
            "skipped": self.skipped,
            "warnings": self.warnings,
        }


def speaker_report(
    name: str,
    transcript: Transcript,
    rows: list,
    roles: dict[str, str | None],
    *,
    kind: str | None = None,
) -> SpeakerReport:
    """Count turns and words per label in ``rows`` (segment rows) and flag likely misreads."""
    turns = Counter(t.speaker for t in transcript.turns if t.speaker)
    words: Counter = Counter()
    for row in rows:
        words[row[2]] += len(_WORDS.findall(transcript.text, row[3], row[4]))
    report = SpeakerReport(
        name,
        [
            SpeakerStats(label, turns[label], words[label], roles.get(label))
            for label in sorted(turns, key=lambda label: -words[label])
        ],
        words[None],
        dict(transcript.skipped),
    )
    report.warnings = _warnings(name, report, kind, sum(turns.values()))
    return report


def _warnings(name: str, report: SpeakerReport, kind: str | None, n_turns: int) -> list[str]:
    speakers = report.speakers
    total = sum(s.words for s in speakers) + report.unlabelled_words
    out = []
    if not speakers:
        out.append(
            f"{name}: no speaker labels recognised; every segment is without a speaker. If the "
            "file has labels in a house style, give --speaker-pattern (a regular expression "
            "with a 'speaker' group)"
        )
        return out
    top = speakers[0]
    if kind in (None, "interview") and total >= 100 and top.words > DOMINANT_SHARE * total:
        out.append(
            f"{name}: '{top.label}' holds {top.words / total:.0%} of the words; in an interview "
            "that usually means the other speaker's labels were not recognised "
            "(check the file, or give --speaker-pattern)"
        )
    if n_turns >= 10 and kind != "focus_group":  # in a focus group, some speak once
        once = [s.label for s in speakers if s.turns == 1]
        if once:
            out.append(
                f"{name}: label{'s' if len(once) > 1 else ''} "
                + ", ".join(f"'{label}'" for label in once)
                + (" open" if len(once) > 1 else " opens")
                + " only one turn; a line misread as a speaker?"
            )
    groups: dict[str, list[str]] = {}
    for s in speakers:
        groups.setdefault(re.sub(r"[\W_]+", "", s.label.lower()), []).append(s.label)
    for labels in groups.values():
        if len(labels) > 1:
            out.append(
                f"{name}: labels " + " and ".join(f"'{label}'" for label in labels)
                + " differ only in case or punctuation; the same person? Correct the "
                "transcript, or give both the same role in documents.csv"
            )
    return out
