"""What the integration of themes and outcomes needs from the project file.

* The matched data of a saved outcome run (``outcome_run_data``): the treated rows and their
  matched controls with every column of the input table, so that effects can be re-estimated
  within groups and subgroups later without the original file.
* Links from a run's outcomes to codes (``outcome_links`` and ``outcome_link_codes``), with the
  evaluator's fit and meta-inference; every change is one transaction with an audit event.
* Bulk reads of segments (with their speaker) and codings (with their time) as plain tuples.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from qualkit.errors import QualkitError

if TYPE_CHECKING:
    from qualkit.store import Store

FITS = ("confirmation", "expansion", "discordance", "silence")

M006_INTEGRATION = """
CREATE TABLE outcome_run_data (
    run_id INTEGER PRIMARY KEY REFERENCES outcome_runs(id) ON DELETE CASCADE,
    format TEXT NOT NULL,
    n_rows INTEGER NOT NULL,
    data BLOB NOT NULL
);
CREATE TABLE outcome_links (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id INTEGER NOT NULL REFERENCES outcome_runs(id) ON DELETE CASCADE,
    outcome TEXT NOT NULL,
    fit TEXT CHECK (fit IS NULL OR fit IN ('confirmation', 'expansion', 'discordance', 'silence')),
    meta_inference TEXT NOT NULL DEFAULT '',
    author TEXT,
    updated_at TEXT NOT NULL,
    UNIQUE (run_id, outcome)
);
CREATE TABLE outcome_link_codes (
    link_id INTEGER NOT NULL REFERENCES outcome_links(id) ON DELETE CASCADE,
    code_id INTEGER NOT NULL REFERENCES codes(id),
    position INTEGER NOT NULL,
    PRIMARY KEY (link_id, code_id)
);
"""

# SQLite's default limit on host parameters is 32766; stay far below it.
_CHUNK = 900


@dataclass(frozen=True)
class Link:
    """One outcome of a run tied to codes, with the evaluator's reading of the two strands.

    Attributes:
        outcome: Outcome column of the run.
        code_ids: Linked codes, in the order given.
        fit: ``confirmation``, ``expansion``, ``discordance``, ``silence`` or ``None`` (not yet
            assessed); Fetters, Curry & Creswell (2013).
        meta_inference: What the two strands say together.
        author: Who wrote it (coder name, or ``None``).
        updated_at: When it was last changed.
    """

    outcome: str
    code_ids: tuple[int, ...]
    fit: str | None
    meta_inference: str
    author: str | None = None
    updated_at: str = ""

    def same_as(self, other: Link) -> bool:
        """Equal in content (author and time aside)."""
        return (self.outcome, self.code_ids, self.fit, self.meta_inference) == (
            other.outcome, other.code_ids, other.fit, other.meta_inference)


class Integration:
    def __init__(self, store: Store) -> None:
        self.store = store

    # -- runs and their matched data -----------------------------------------------------------

    def run_id(self, name: str) -> int:
        """The id of a saved outcome run; a one-line error naming the saved runs otherwise."""
        row = self.store._sql("SELECT id FROM outcome_runs WHERE name = ?", [name]).fetchone()
        if row is None:
            known = [r[0] for r in self.store._sql(
                "SELECT name FROM outcome_runs ORDER BY created_at")]
            listed = ", ".join(known) or "none yet: save one with `qualkit outcomes match ... " \
                "--save PROJECT --name RUN`"
            raise QualkitError(f"no outcome run named '{name}' (saved runs: {listed})")
        return row[0]

    def save_run(self, name: str, *, params: dict, result: dict, pairs: list, data: bytes,
                 data_format: str, n_rows: int) -> int:
        """Save a matching run with its matched data, in one transaction."""
        with self.store.atomic():
            run_id = self.store.runs.save_outcome_run(name, params=params, result=result,
                                                      pairs=pairs)
            self.store._sql(
                "INSERT INTO outcome_run_data (run_id, format, n_rows, data) VALUES (?, ?, ?, ?)",
                [run_id, data_format, n_rows, data],
            )
        return run_id

    def run_data(self, name: str) -> tuple[str, bytes] | None:
        """``(format, data)`` of a run's matched data, or ``None`` for a run saved without it."""
        row = self.store._sql(
            "SELECT d.format, d.data FROM outcome_run_data d JOIN outcome_runs r "
            "ON r.id = d.run_id WHERE r.name = ?", [name]).fetchone()
        return None if row is None else (row[0], bytes(row[1]))

    # -- links ---------------------------------------------------------------------------------

    def links(self, run: str) -> list[Link]:
        """The links of a run, by outcome name."""
        run_id = self.run_id(run)
        rows = self.store._sql(
            "SELECT id, outcome, fit, meta_inference, author, updated_at FROM outcome_links "
            "WHERE run_id = ? ORDER BY outcome", [run_id]).fetchall()
        return [Link(outcome, self._link_codes(link_id), fit, meta, author, at)
                for link_id, outcome, fit, meta, author, at in rows]

    def _link_codes(self, link_id: int) -> tuple[int, ...]:
        rows = self.store._sql(
            "SELECT code_id FROM outcome_link_codes WHERE link_id = ? ORDER BY position",
            [link_id])
        return tuple(r[0] for r in rows)

    def set_links(self, run: str, links: Sequence[Link], *, source: str,
                  author: str | None = None, groups: dict | None = None) -> bool:
        """Replace every link of a run (e.g. from ``links.yaml``), and the grouping of its
        group-level view; one transaction, one event.

        Returns:
            ``False`` (and writes nothing) when the stored links already say the same.
        """
        current = {link.outcome: link for link in self.links(run)}
        wanted = {link.outcome: link for link in links}
        if current.keys() == wanted.keys() and all(
                current[k].same_as(wanted[k]) for k in wanted) and groups == self.groups(run):
            return False
        run_id = self.run_id(run)
        with self.store.atomic():
            self.store._sql("DELETE FROM outcome_links WHERE run_id = ?", [run_id])
            for link in links:
                self._insert(run_id, link, author)
            self.store._sql(
                "INSERT INTO project (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE "
                "SET value = excluded.value", [_groups_key(run_id), json.dumps(groups)])
            self.store.log("links.set", {"run": run, "source": source,
                                         "outcomes": sorted(wanted)}, coder=author)
        return True

    def groups(self, run: str) -> dict | None:
        """The grouping stored with a run's links (``groups:`` of ``links.yaml``), if any."""
        value = self.store.get_meta(_groups_key(self.run_id(run)))
        return None if value is None else json.loads(value)

    def set_link(self, run: str, link: Link, *, author: str | None = None) -> bool:
        """Create or change the link of one outcome (the TUI's edit); one event per change."""
        current = {k.outcome: k for k in self.links(run)}.get(link.outcome)
        if current is not None and current.same_as(link):
            return False
        run_id = self.run_id(run)
        with self.store.atomic():
            self.store._sql("DELETE FROM outcome_links WHERE run_id = ? AND outcome = ?",
                               [run_id, link.outcome])
            self._insert(run_id, link, author)
            self.store.log("links.edit", {"run": run, "outcome": link.outcome,
                                          "codes": list(link.code_ids), "fit": link.fit,
                                          "meta_inference": link.meta_inference}, coder=author)
        return True

    def _insert(self, run_id: int, link: Link, author: str | None) -> None:
        from qualkit.store import now

        if link.fit is not None and link.fit not in FITS:
            raise QualkitError(f"fit must be one of {', '.join(FITS)}, not '{link.fit}'")
        cursor = self.store._sql(
            "INSERT INTO outcome_links (run_id, outcome, fit, meta_inference, author, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?)",
            [run_id, link.outcome, link.fit, link.meta_inference, author, now()])
        self.store.db.conn.executemany(
            "INSERT INTO outcome_link_codes (link_id, code_id, position) VALUES (?, ?, ?)",
            [(cursor.lastrowid, code_id, i) for i, code_id in enumerate(link.code_ids)])

    # -- bulk reads ----------------------------------------------------------------------------

    def segment_rows(self, document_ids: Sequence[int]) -> list[tuple]:
        """``(document_id, segment_id, ordinal, speaker, start, end)`` in reading order."""
        rows: list[tuple] = []
        for chunk in _chunks(document_ids):
            rows += self.store._sql(
                'SELECT document_id, id, ordinal, speaker, start, "end" FROM segments '
                f"WHERE document_id IN ({','.join('?' * len(chunk))}) "
                "ORDER BY document_id, start, ordinal", chunk).fetchall()
        return rows

    def packed_segments(self, document_ids: Sequence[int]) -> tuple[bytes, list[tuple]]:
        """Segments as big-endian int64 pairs ``(document_id << 32 | speaker, start << 32 |
        end)`` (in no particular order), where ``speaker`` indexes the returned list of
        ``(document_id, speaker label)`` (sorted; a speaker is a label within a document)."""
        parts, speakers = [], []
        for chunk in _chunks(document_ids):
            marks = ",".join("?" * len(chunk))
            row = self.store._sql(
                "SELECT group_concat(printf('%016x%016x', (document_id << 32) | (rank + ?), "
                "(start << 32) | \"end\"), '') FROM (SELECT document_id, start, \"end\", "
                "dense_rank() OVER (ORDER BY document_id, speaker) - 1 AS rank FROM segments "
                f"WHERE document_id IN ({marks}))", [len(speakers), *chunk]).fetchone()
            parts.append(row[0] or "")
            speakers += self.store._sql(
                f"SELECT DISTINCT document_id, speaker FROM segments WHERE document_id IN "
                f"({marks}) ORDER BY document_id, speaker", chunk).fetchall()
        return bytes.fromhex("".join(parts)), speakers

    def first_codings(self, coder_ids: Sequence[int]) -> list[tuple]:
        """``(coder_id, document_id, time of the coder's first coding there)``."""
        coders = list(coder_ids)
        if not coders:
            return []
        return self.store._sql(
            "SELECT coder_id, document_id, min(created_at) FROM codings WHERE coder_id IN "
            f"({','.join('?' * len(coders))}) GROUP BY coder_id, document_id", coders).fetchall()

    def coded_documents(self, coder_ids: Sequence[int]) -> set[int]:
        """Documents the coders have coded in, or marked done (done with no codings counts:
        the coder found nothing to code there). One index probe per document, not a scan."""
        coders = list(coder_ids)
        if not coders:
            return set()
        marks = ",".join("?" * len(coders))
        rows = self.store._sql(
            "SELECT d.id FROM documents d WHERE EXISTS (SELECT 1 FROM codings c WHERE "
            f"c.document_id = d.id AND c.coder_id IN ({marks})) OR EXISTS (SELECT 1 FROM "
            f"completions k WHERE k.document_id = d.id AND k.coder_id IN ({marks}))",
            [*coders, *coders])
        return {r[0] for r in rows}

    def coders_with_codings(self) -> set[int]:
        """Ids of the coders who have at least one coding (stops at each one's first)."""
        rows = self.store._sql(
            "SELECT k.id FROM coders k WHERE EXISTS (SELECT 1 FROM codings c WHERE "
            "c.coder_id = k.id)")
        return {r[0] for r in rows}

    def speaker_roles(self) -> dict[tuple[int, str], str | None]:
        """Role of every (document id, speaker label) that the metadata named."""
        rows = self.store._sql("SELECT document_id, label, role FROM speakers")
        return {(d, label): role for d, label, role in rows}


def _groups_key(run_id: int) -> str:
    return f"integration.groups.{run_id}"


def _chunks(ids: Sequence[int]):
    ids = list(ids)
    for offset in range(0, len(ids), _CHUNK):
        yield ids[offset: offset + _CHUNK]

