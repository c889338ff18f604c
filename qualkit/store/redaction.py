"""De-identification tables: the candidates a scan found, the reviewers' decisions, the team's list
of known names, and the private pseudonym mapping.

All four hold the very strings that redaction removes, so they live in the original project only:
the redacted copy empties them (``qualkit.store.redact_copy``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qualkit.store import Store

M008_REDACTION = """
CREATE TABLE redact_candidates (
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    text TEXT NOT NULL,
    kind TEXT NOT NULL,
    source TEXT NOT NULL,
    key TEXT NOT NULL,
    role TEXT,
    document_sha256 TEXT NOT NULL,
    PRIMARY KEY (document_id, start, "end")
);
CREATE TABLE redact_decisions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    scope TEXT NOT NULL CHECK (scope IN ('span', 'string')),
    document_id INTEGER REFERENCES documents(id) ON DELETE CASCADE,
    start INTEGER,
    "end" INTEGER,
    text TEXT NOT NULL,
    decision TEXT NOT NULL CHECK (decision IN ('accept', 'reject')),
    coder TEXT,
    at TEXT NOT NULL,
    CHECK ((scope = 'span') = (document_id IS NOT NULL))
);
CREATE UNIQUE INDEX redact_decisions_span ON redact_decisions (document_id, start, "end")
    WHERE scope = 'span';
CREATE UNIQUE INDEX redact_decisions_string ON redact_decisions (lower(text))
    WHERE scope = 'string';
CREATE TABLE redact_names (
    name TEXT NOT NULL,
    alias TEXT NOT NULL,
    kind TEXT NOT NULL,
    label TEXT,
    PRIMARY KEY (alias)
);
CREATE TABLE redact_pseudonyms (
    key TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    label TEXT NOT NULL
);
"""

# The redaction tables: the copy must hold none of their rows.
PRIVATE_TABLES = ("redact_candidates", "redact_decisions", "redact_names", "redact_pseudonyms")


@dataclass(frozen=True, slots=True)
class StoredCandidate:
    document_id: int
    start: int
    end: int
    text: str
    kind: str
    source: str
    key: str
    role: str | None
    document_sha256: str


@dataclass(frozen=True, slots=True)
class Decision:
    scope: str  # 'span' | 'string'
    document_id: int | None
    start: int | None
    end: int | None
    text: str
    decision: str  # 'accept' | 'reject'
    coder: str | None = None


@dataclass(frozen=True, slots=True)
class NameEntry:
    name: str
    alias: str
    kind: str  # PERSON, PLACE, ORG or KEEP
    label: str | None = None


class Redaction:
    def __init__(self, store: Store) -> None:
        self.store = store

    # -- candidates ---------------------------------------------------------------------------

    def replace_candidates(self, document_id: int, rows: Iterable[StoredCandidate]) -> None:
        """A document's candidates from a fresh scan; decisions are kept (they name spans)."""
        with self.store.atomic():
            self.store._sql("DELETE FROM redact_candidates WHERE document_id = ?", [document_id])
            self.store.db.conn.executemany(
                'INSERT OR IGNORE INTO redact_candidates (document_id, start, "end", text, kind, '
                "source, key, role, document_sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (r.document_id, r.start, r.end, r.text, r.kind, r.source, r.key, r.role,
                     r.document_sha256)
                    for r in rows
                ],
            )

    def candidates(self) -> list[StoredCandidate]:
        rows = self.store._sql(
            'SELECT document_id, start, "end", text, kind, source, key, role, document_sha256 '
            'FROM redact_candidates ORDER BY document_id, start, "end"'
        )
        return [StoredCandidate(*row) for row in rows]

    # -- decisions ----------------------------------------------------------------------------

    def decide(self, decision: Decision, *, log: bool = True) -> None:
        """Record (or replace) one decision, as one transaction with an audit event.

        The event names the span and the verdict, not the string: the audit trail travels with
        copies of the project.
        """
        from qualkit.store import now

        with self.store.atomic():
            self._forget(decision)
            self.store._sql(
                'INSERT INTO redact_decisions (scope, document_id, start, "end", text, decision, '
                "coder, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [decision.scope, decision.document_id, decision.start, decision.end,
                 decision.text, decision.decision, decision.coder, now()],
            )
            if log:
                self.store.log(
                    "redact-decide",
                    {"scope": decision.scope, "document_id": decision.document_id,
                     "start": decision.start, "end": decision.end,
                     "decision": decision.decision},
                    coder=decision.coder,
                )

    def undecide(self, decision: Decision) -> None:
        with self.store.atomic():
            self._forget(decision)

    def _forget(self, decision: Decision) -> None:
        if decision.scope == "span":
            self.store._sql(
                "DELETE FROM redact_decisions WHERE scope = 'span' AND document_id = ? "
                'AND start = ? AND "end" = ?',
                [decision.document_id, decision.start, decision.end],
            )
        else:
            self.store._sql(
                "DELETE FROM redact_decisions WHERE scope = 'string' AND lower(text) = lower(?)",
                [decision.text],
            )

    def decisions(self) -> list[Decision]:
        rows = self.store._sql(
            'SELECT scope, document_id, start, "end", text, decision, coder '
            "FROM redact_decisions ORDER BY id"
        )
        return [Decision(*row) for row in rows]

    # -- known names and pseudonyms -------------------------------------------------------------

    def set_names(self, entries: Sequence[NameEntry]) -> None:
        """Replace the team's list of known names and aliases."""
        with self.store.atomic():
            self.store._sql("DELETE FROM redact_names")
            self.store.db.conn.executemany(
                "INSERT OR REPLACE INTO redact_names (name, alias, kind, label) "
                "VALUES (?, ?, ?, ?)",
                [(e.name, e.alias, e.kind, e.label) for e in entries],
            )
            self.store.log("redact-names", {"entries": len(entries)})

    def names(self) -> list[NameEntry]:
        rows = self.store._sql("SELECT name, alias, kind, label FROM redact_names ORDER BY name")
        return [NameEntry(*row) for row in rows]

    def pseudonyms(self) -> dict[str, tuple[str, str]]:
        """Entity key → (kind, label), as given out so far: the private mapping."""
        rows = self.store._sql("SELECT key, kind, label FROM redact_pseudonyms")
        return {key: (kind, label) for key, kind, label in rows}

    def add_pseudonyms(self, rows: dict[str, tuple[str, str]]) -> None:
        """Keep newly given pseudonyms, so the same person gets the same label next time."""
        with self.store.atomic():
            self.store.db.conn.executemany(
                "INSERT OR IGNORE INTO redact_pseudonyms (key, kind, label) VALUES (?, ?, ?)",
                [(key, kind, label) for key, (kind, label) in rows.items()],
            )
