"""A stored topic run, read back as the CLI's JSON, its Markdown summary and the TUI's rows.

Everything comes from the project file, so the screen, ``--json`` and the Markdown never
disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from qualkit.store import Store
    from qualkit.store.topics import Member, TopicRow, TopicRun


@dataclass(frozen=True)
class Quote:
    segment_id: int
    document: str
    speaker: str | None
    text: str

    def to_json(self) -> dict[str, Any]:
        return {"segment_id": self.segment_id, "document": self.document,
                "speaker": self.speaker, "text": self.text}


@dataclass(frozen=True)
class TopicSummary:
    """One topic as coders see it."""

    row: TopicRow
    quotes: list[Quote]

    @property
    def id(self) -> int:
        return self.row.topic

    def to_json(self) -> dict[str, Any]:
        row = self.row
        return {
            "id": row.topic,
            "keywords": row.keywords,
            "size": row.size,
            "quotes": [q.to_json() for q in self.quotes],
            "closest_code": row.code_name,
            "similarity": row.similarity,
            "coverage": row.coverage,
            "candidate_new": row.candidate,
            "status": row.status,
            "code": row.target_code_name,
        }


@dataclass(frozen=True)
class TopicReport:
    run: TopicRun
    topics: list[TopicSummary]

    @property
    def candidates(self) -> list[TopicSummary]:
        return [t for t in self.topics if t.row.candidate]

    def to_json(self) -> dict[str, Any]:
        run = self.run
        return {
            "run": {"id": run.id, "created_at": run.created_at, "model": run.model,
                    "seed": run.seed, "params": run.params, "versions": run.versions,
                    "stats": run.stats},
            "thresholds": {"similarity": run.params.get("similarity_threshold"),
                           "coverage": run.params.get("coverage_threshold")},
            "topics": [t.to_json() for t in self.topics],
        }


def topic_report(store: Store, run_id: int | None = None) -> TopicReport:
    """A stored run (the latest when ``run_id`` is None) with its topics and quotes."""
    run = store.topics.run(run_id)
    turns = bool(run.params.get("turns"))
    quotes: dict[int, list[Member]] = {}
    for member in store.topics.members(run.id, turns=turns, quotes=True):
        quotes.setdefault(member.topic, []).append(member)
    topics = []
    for row in store.topics.topics(run.id):
        chosen = sorted(quotes.get(row.topic, []), key=lambda m: m.quote_rank or 0)
        topics.append(TopicSummary(row, [Quote(m.segment_id, m.document, m.speaker, m.text)
                                         for m in chosen]))
    return TopicReport(run, topics)


def topic_markdown(report: TopicReport, *, quote_chars: int = 300) -> str:
    """A Markdown summary: the run, a table of topics, then each candidate with its quotes."""
    run, stats = report.run, report.run.stats
    lines = [
        f"# Topics of run {run.id}",
        "",
        f"{stats.get('topics', len(report.topics))} topics from {stats.get('units', '?')} "
        f"units ({stats.get('outliers', 0)} outliers); model {run.model}, seed {run.seed}, "
        f"minimum topic size {run.params.get('min_topic_size')}, {run.created_at[:16]} UTC.",
        "",
        "| topic | keywords | size | closest code | similarity | coverage | new? |",
        "|---:|---|---:|---|---:|---:|:---:|",
    ]
    for topic in report.topics:
        row = topic.row
        lines.append(
            f"| {row.topic} | {_cell(', '.join(row.keywords[:6]))} | {row.size} | "
            f"{_cell(row.code_name or '—')} | {fmt(row.similarity)} | {fmt(row.coverage)} | "
            f"{'★' if row.candidate else ''} |"
        )
    lines += ["", "## Candidate new themes", ""]
    lines += _candidates(report, quote_chars) or ["None at these thresholds."]
    return "\n".join(lines) + "\n"


def _candidates(report: TopicReport, quote_chars: int) -> list[str]:
    params = report.run.params
    lines = []
    for topic in report.candidates:
        row = topic.row
        lines += [
            f"### Topic {row.topic}: {', '.join(row.keywords[:5])}",
            "",
            f"{row.size} units; closest code {row.code_name or '—'} (similarity "
            f"{fmt(row.similarity)} < {params.get('similarity_threshold')}), coverage "
            f"{fmt(row.coverage)} (< {params.get('coverage_threshold')}).",
            "",
        ]
        lines += [f"> {_clip(q.text, quote_chars)} — *{q.document}, {q.speaker or '?'}*\n"
                  for q in topic.quotes]
    return lines


def fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
