"""Topic modelling tables: cached embeddings, topic runs, their topics and members, and the
review of machine suggestions.

Vectors are stored as raw float32 bytes; turning them into arrays is the domain's job
(``qualkit.topics.embed``), so this module never imports numpy.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from qualkit.errors import QualkitError

if TYPE_CHECKING:
    from qualkit.store import Store


_TOPIC_COLUMNS = (
    "t.run_id, t.topic, t.keywords, t.size, t.code_id, c.name, t.similarity, t.coverage, "
    "t.candidate, t.status, t.target_code_id, g.name, t.label"
)
_RUN_COLUMNS = "id, created_at, model, seed, params, versions, stats"
_CHUNK = 900  # stay under SQLite's limit on host parameters per statement


@dataclass(frozen=True)
class TopicRun:
    id: int
    created_at: str
    model: str
    seed: int
    params: dict[str, Any]
    versions: dict[str, str]
    stats: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TopicRow:
    """One topic of a run as stored: what the fit found and what coders decided about it."""

    run_id: int
    topic: int
    keywords: list[str]
    size: int
    code_id: int | None
    code_name: str | None
    similarity: float | None
    coverage: float | None
    candidate: bool
    status: str = "new"
    target_code_id: int | None = None
    target_code_name: str | None = None
    label: str | None = None


@dataclass(frozen=True)
class Member:
    """A unit of a topic: a segment, or (for runs over whole turns) the turn starting there."""

    topic: int
    segment_id: int
    document_id: int
    document: str
    speaker: str | None
    start: int
    end: int
    text: str
    probability: float
    quote_rank: int | None


@dataclass(frozen=True)
class Suggestion:
    """A machine coder's coding waiting for a human's review."""

    coding_id: int
    document_id: int
    document: str
    code_id: int
    code: str
    start: int
    end: int
    text: str


def _chunks(items: Sequence, size: int = _CHUNK) -> Iterable[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class Topics:
    def __init__(self, store: Store) -> None:
        self.store = store

    # -- embedding caches ------------------------------------------------------------------------

    def embeddings(self, segment_ids: Sequence[int], model: str) -> dict[int, bytes]:
        """Cached vectors (raw float32 bytes) of these segments for ``model``."""
        found: dict[int, bytes] = {}
        for chunk in _chunks(list(segment_ids)):
            rows = self.store._sql(
                f"SELECT segment_id, vector FROM embeddings WHERE model = ? AND segment_id IN "
                f"({','.join('?' * len(chunk))})",
                [model, *chunk],
            )
            found.update(rows.fetchall())
        return found

    def put_embeddings(self, model: str, vectors: Iterable[tuple[int, bytes]]) -> None:
        """Cache vectors; one short transaction, so a coder's writes wait at most a moment."""
        with self.store.atomic():
            self.store.db.conn.executemany(
                "INSERT OR REPLACE INTO embeddings (segment_id, model, vector) VALUES (?, ?, ?)",
                [(segment_id, model, vector) for segment_id, vector in vectors],
            )

    def code_embeddings(self, model: str) -> dict[int, tuple[str, bytes]]:
        """Code id → (sha256 of the embedded text, vector bytes) for ``model``."""
        rows = self.store._sql(
            "SELECT code_id, text_sha256, vector FROM code_embeddings WHERE model = ?", [model]
        )
        return {code_id: (sha, vector) for code_id, sha, vector in rows}

    def put_code_embeddings(self, model: str, rows: Iterable[tuple[int, str, bytes]]) -> None:
        with self.store.atomic():
            self.store.db.conn.executemany(
                "INSERT OR REPLACE INTO code_embeddings (code_id, model, text_sha256, vector) "
                "VALUES (?, ?, ?, ?)",
                [(code_id, model, sha, vector) for code_id, sha, vector in rows],
            )

    # -- runs --------------------------------------------------------------------------------

    def add_run(
        self,
        run: dict[str, Any],
        topics: list[dict[str, Any]],
        members: list[tuple[int, int, float, int | None]],
    ) -> int:
        """Store a fitted run, its topics and members ``(topic, segment_id, probability,
        quote_rank)`` in one transaction, with an event; returns the run id."""
        from qualkit.store import now

        with self.store.atomic():
            cursor = self.store._sql(
                "INSERT INTO topic_runs (created_at, model, seed, params, versions, stats) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [now(), run["model"], run["seed"], *(json.dumps(run[k], sort_keys=True)
                                                     for k in ("params", "versions", "stats"))],
            )
            run_id = cursor.lastrowid
            self.store.db.conn.executemany(
                "INSERT INTO topics (run_id, topic, keywords, size, code_id, similarity, "
                "coverage, candidate) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(run_id, t["topic"], json.dumps(t["keywords"]), t["size"], t["code_id"],
                  t["similarity"], t["coverage"], int(t["candidate"])) for t in topics],
            )
            self.store.db.conn.executemany(
                "INSERT INTO topic_members (run_id, topic, segment_id, probability, quote_rank) "
                "VALUES (?, ?, ?, ?, ?)",
                [(run_id, *member) for member in members],
            )
            self.store.log("topics.fit", {"run": run_id, "topics": len(topics)})
        return run_id

    def runs(self) -> list[TopicRun]:
        rows = self.store._sql(f"SELECT {_RUN_COLUMNS} FROM topic_runs ORDER BY id")
        return [_run(r) for r in rows.fetchall()]

    def run(self, run_id: int | None = None) -> TopicRun:
        """A run by id, or the latest when ``run_id`` is None; a user error if there is none."""
        sql = f"SELECT {_RUN_COLUMNS} FROM topic_runs"
        if run_id is None:
            row = self.store._sql(sql + " ORDER BY id DESC LIMIT 1").fetchone()
            if row is None:
                raise QualkitError("no topic runs yet; fit one with `qualkit topics PROJECT`")
            return _run(row)
        row = self.store._sql(sql + " WHERE id = ?", [run_id]).fetchone()
        if row is None:
            known = ", ".join(str(r.id) for r in self.runs()) or "none yet"
            raise QualkitError(f"no topic run {run_id} (runs: {known})")
        return _run(row)

    # -- topics ------------------------------------------------------------------------------

    def topics(self, run_id: int) -> list[TopicRow]:
        rows = self.store._sql(
            f"SELECT {_TOPIC_COLUMNS} FROM topics t LEFT JOIN codes c ON c.id = t.code_id "
            "LEFT JOIN codes g ON g.id = t.target_code_id WHERE t.run_id = ? ORDER BY t.topic",
            [run_id],
        )
        return [_topic(r) for r in rows.fetchall()]

    def topic(self, run_id: int, topic: int) -> TopicRow:
        row = self.store._sql(
            f"SELECT {_TOPIC_COLUMNS} FROM topics t LEFT JOIN codes c ON c.id = t.code_id "
            "LEFT JOIN codes g ON g.id = t.target_code_id WHERE t.run_id = ? AND t.topic = ?",
            [run_id, topic],
        ).fetchone()
        if row is None:
            count = len(self.topics(run_id))
            raise QualkitError(
                f"run {run_id} has no topic {topic} (its topics are 0–{count - 1})"
                if count else f"run {run_id} has no topics"
            )
        return _topic(row)

    def set_status(
        self, run_id: int, topic: int, status: str, *, target_code_id: int | None = None,
        label: str | None = None,
    ) -> None:
        """Record a coder's decision on a topic (in the caller's transaction)."""
        self.store._sql(
            "UPDATE topics SET status = ?, target_code_id = ?, label = ? "
            "WHERE run_id = ? AND topic = ?",
            [status, target_code_id, label, run_id, topic],
        )

    def members(self, run_id: int, topic: int | None = None, *, turns: bool = False,
                quotes: bool = False) -> list[Member]:
        """A topic's units (all topics' when ``topic`` is None; only the quotes with
        ``quotes``), strongest first; with ``turns`` each unit spans the whole speaker turn
        that starts at its segment."""
        where = "m.run_id = ?" + ("" if topic is None else " AND m.topic = ?")
        where += " AND m.quote_rank IS NOT NULL" if quotes else ""
        params = [run_id] if topic is None else [run_id, topic]
        if turns:
            span = ("(SELECT min(x.start) FROM segments x WHERE x.document_id = s.document_id "
                    "AND x.turn = s.turn)",
                    '(SELECT max(x."end") FROM segments x WHERE x.document_id = s.document_id '
                    "AND x.turn = s.turn)")
        else:
            span = ("s.start", 's."end"')
        rows = self.store._sql(
            "WITH u AS (SELECT m.topic, m.segment_id, m.probability, m.quote_rank, s.document_id, "
            f"s.speaker, {span[0]} AS a, {span[1]} AS b FROM topic_members m "
            f"JOIN segments s ON s.id = m.segment_id WHERE {where}) "
            "SELECT u.topic, u.segment_id, u.document_id, d.name, u.speaker, u.a, u.b, "
            "substr(d.text, u.a + 1, u.b - u.a), u.probability, u.quote_rank "
            "FROM u JOIN documents d ON d.id = u.document_id "
            "ORDER BY u.probability DESC, u.segment_id",
            params,
        )
        return [Member(*r) for r in rows.fetchall()]

    # -- human codings, for coverage ----------------------------------------------------------

    def human_spans(self) -> list[tuple[int, int, int, int]]:
        """``(document_id, code_id, start, end)`` of every human or consensus coding."""
        rows = self.store._sql(
            'SELECT c.document_id, c.code_id, c.start, c."end" FROM codings c '
            "JOIN coders k ON k.id = c.coder_id WHERE k.kind IN ('human', 'consensus')"
        )
        return [tuple(r) for r in rows.fetchall()]

    # -- machine suggestions ------------------------------------------------------------------

    def add_suggestions(
        self, coder_id: int, code_id: int, spans: Iterable[tuple[int, int, int]],
        documents: Iterable[int],
    ) -> int:
        """Write a machine coder's codings ``(document_id, start, end)`` and mark the run's
        documents done for it (in the caller's transaction); returns how many were new."""
        from qualkit.store import now

        stamp = now()
        # rowcount counts the rows inserted, not the coverage rows their triggers touch.
        added = self.store.db.conn.executemany(
            'INSERT OR IGNORE INTO codings (document_id, code_id, coder_id, start, "end", '
            "created_at) VALUES (?, ?, ?, ?, ?, ?)",
            [(d, code_id, coder_id, s, e, stamp) for d, s, e in spans],
        ).rowcount
        self.store.db.conn.executemany(
            "INSERT OR IGNORE INTO completions (coder_id, document_id, at) VALUES (?, ?, ?)",
            [(coder_id, d, stamp) for d in documents],
        )
        return added

    def pending(self, machine_id: int, reviewer_id: int, *, code_id: int | None = None
                ) -> list[Suggestion]:
        """The machine coder's codings the reviewer has neither rejected nor already coded
        (any overlapping coding of the same code by the reviewer counts as accepted)."""
        sql = (
            'SELECT c.id, c.document_id, d.name, c.code_id, k.name, c.start, c."end", '
            'substr(d.text, c.start + 1, c."end" - c.start) FROM codings c '
            "JOIN documents d ON d.id = c.document_id "
            "JOIN codes k ON k.id = c.code_id WHERE c.coder_id = ? "
            "AND NOT EXISTS (SELECT 1 FROM suggestion_reviews r WHERE r.coding_id = c.id "
            "AND r.coder_id = ? AND r.verdict = 'rejected') "
            "AND NOT EXISTS (SELECT 1 FROM codings h WHERE h.coder_id = ? "
            "AND h.document_id = c.document_id AND h.code_id = c.code_id "
            'AND h.start < c."end" AND c.start < h."end")'
        )
        params: list[Any] = [machine_id, reviewer_id, reviewer_id]
        if code_id is not None:
            sql += " AND c.code_id = ?"
            params.append(code_id)
        rows = self.store._sql(sql + " ORDER BY d.name, c.start", params)
        return [Suggestion(*r) for r in rows.fetchall()]

    def review(self, coding_id: int, reviewer_id: int, verdict: str) -> None:
        """Record a reviewer's verdict on a suggestion (in the caller's transaction)."""
        from qualkit.store import now

        self.store._sql(
            "INSERT INTO suggestion_reviews (coding_id, coder_id, verdict, at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (coding_id, coder_id) DO UPDATE SET verdict = excluded.verdict, "
            "at = excluded.at",
            [coding_id, reviewer_id, verdict, now()],
        )


def _run(row: Sequence[Any]) -> TopicRun:
    run_id, created_at, model, seed, params, versions, stats = row
    return TopicRun(run_id, created_at, model, seed, json.loads(params), json.loads(versions),
                    json.loads(stats))


def _topic(row: Sequence[Any]) -> TopicRow:
    return TopicRow(row[0], row[1], json.loads(row[2]), row[3], row[4], row[5], row[6], row[7],
                    bool(row[8]), row[9], row[10], row[11], row[12])
