"""Turning reviewed candidates into a redacted copy of the project.

The plan: every accepted candidate, plus every occurrence of a string accepted as a whole (found
by the detector or not), becomes a replacement by its entity's pseudonym. The original project is
only read; the copy is written by ``qualkit.store.redact_copy``.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from qualkit.errors import QualkitError
from qualkit.redact.detect import Found, entity_key
from qualkit.redact.pseudonyms import assign
from qualkit.redact.review import Resolver, stale_documents
from qualkit.redact.text import OffsetMap, Replacement, apply
from qualkit.store.redaction import Decision

# Ages are short numbers: every "34" of a text is not the person's age.
_NO_EXPANSION = {"AGE"}
_BOUNDARY_L, _BOUNDARY_R = r"(?<![A-Za-z0-9])", r"(?![A-Za-z0-9])"


@dataclass
class Plan:
    """What the copy replaces: per document the replacements, and the removed strings (with
    their pseudonyms) to clean from every other text of the project."""

    replacements: dict[int, list[Replacement]] = field(default_factory=dict)
    strings: dict[str, str] = field(default_factory=dict)
    mapping: dict[str, tuple[str, str]] = field(default_factory=dict)  # key -> (kind, label)

    def removed(self) -> set[str]:
        return set(self.strings)


def plan(store, *, decisions: Sequence[Decision] = (), accept_all: bool = False) -> Plan:
    """The replacements that reviewed candidates call for; refuses unreviewed candidates unless
    ``accept_all`` (then every candidate not rejected is accepted, with all its occurrences)."""
    if store.get_meta("redact_scanned") is None:
        raise QualkitError("no scan yet: run `qualkit redact scan PROJECT` and review first")
    stale = stale_documents(store)
    if stale:
        raise QualkitError(f"documents changed since the scan ({', '.join(stale[:3])}); "
                           "run `qualkit redact scan PROJECT` again and review the new candidates")
    resolve = Resolver([*store.redaction.decisions(), *decisions])
    stored = store.redaction.candidates()
    verdicts = [resolve(c.document_id, c.start, c.end, c.text) for c in stored]
    undecided = [c for c, v in zip(stored, verdicts, strict=True) if v is None]
    if undecided and not accept_all:
        first = undecided[0]
        raise QualkitError(
            f"{len(undecided)} candidates not reviewed (first: {first.text!r} in document "
            f"{first.document_id} at {first.start}); review them in the workbench, or pass "
            "--decisions FILE or --accept-all")
    accepted = [c for c, v in zip(stored, verdicts, strict=True)
                if v == "accept" or (v is None and accept_all)]
    # A string accepted as a whole is the entity of a candidate with that text, where one exists.
    entity = {c.text.casefold(): (c.kind, c.key) for c in stored}
    whole = {text: entity.get(text, ("OTHER", entity_key("OTHER", text)))
             for text, v in resolve.strings.items() if v == "accept"}
    if accept_all:
        whole.update({c.text.casefold(): (c.kind, c.key) for c in accepted
                      if c.kind not in _NO_EXPANSION
                      and resolve.strings.get(c.text.casefold()) != "reject"})
    found = [Found(c.start, c.end, c.text, c.kind, c.source, c.key, c.role) for c in accepted]
    found += [Found(0, 0, t, kind, "string", key) for t, (kind, key) in whole.items()]
    mapping = dict(store.redaction.pseudonyms())
    mapping.update(assign(found, mapping))
    result = Plan(mapping=mapping)
    for c in accepted:
        result.replacements.setdefault(c.document_id, []).append(
            Replacement(c.start, c.end, mapping[c.key][1]))
        if c.kind not in _NO_EXPANSION and len(c.text) >= 3:
            result.strings[c.text] = mapping[c.key][1]
    for text, (_, key) in whole.items():
        result.strings.setdefault(text, mapping[key][1])
    _expand(store, result, whole, mapping, resolve)
    return result


def _expand(store, result: Plan, whole: dict[str, tuple[str, str]], mapping,
            resolve: Resolver) -> None:
    """Every occurrence of a string accepted as a whole, unless that very span was rejected."""
    if not whole:
        return
    pattern = re.compile(_BOUNDARY_L + "(?:" + "|".join(
        re.escape(t) for t in sorted(whole, key=len, reverse=True)) + ")" + _BOUNDARY_R,
        re.IGNORECASE)
    for doc in store.documents.list():
        text = store.documents.text(doc.id)
        for m in pattern.finditer(text):
            if resolve.spans.get((doc.id, m.start(), m.end())) == "reject":
                continue
            label = mapping[whole[m.group().casefold()][1]][1]
            result.replacements.setdefault(doc.id, []).append(
                Replacement(m.start(), m.end(), label))


class PlanRedactor:
    """The plan as ``qualkit.store.redact_copy`` consumes it."""

    def __init__(self, store, plan: Plan) -> None:
        self.store, self.plan = store, plan
        self._maps: dict[int, OffsetMap] = {}
        strings = sorted((s for s in plan.strings if s.strip()), key=len, reverse=True)
        self._labels = {s.casefold(): plan.strings[s] for s in strings}
        self._pattern = re.compile(
            _BOUNDARY_L + "(?:" + "|".join(map(re.escape, strings)) + ")" + _BOUNDARY_R,
            re.IGNORECASE) if strings else None

    def document(self, document_id: int):
        if document_id not in self._maps:
            self.store.documents.get(document_id)  # KeyError for a document that is gone
            self._maps[document_id] = OffsetMap(self.plan.replacements.get(document_id, []))
        omap = self._maps[document_id]
        text = apply(self.store.documents.text(document_id), omap.replacements)
        return text, omap.start, omap.end

    def clean(self, value: str) -> str:
        if self._pattern is None:
            return value
        return self._pattern.sub(lambda m: self._labels[m.group().casefold()], value)


@dataclass(frozen=True)
class CopyResult:
    path: Path
    documents: int
    codings: int
    codings_merged: int
    replacements: int
    entities: int
    mapping_file: Path | None


def write_copy(store, out: str | Path, *, decisions: Sequence[Decision] = (),
               accept_all: bool = False, force: bool = False,
               mapping_file: str | Path | None = None) -> CopyResult:
    """Write the redacted copy of ``store``'s project to ``out``; the original is not changed.

    ``mapping_file``: where to write the private pseudonym → original mapping (CSV, 0600); it
    never goes into the copy.
    """
    from qualkit.store.redact_copy import write_redacted_copy

    the_plan = plan(store, decisions=decisions, accept_all=accept_all)
    report = write_redacted_copy(store, Path(out), PlanRedactor(store, the_plan), force=force)
    if mapping_file is not None:
        _write_mapping(Path(mapping_file), the_plan)
    used = {rep.label for reps in the_plan.replacements.values() for rep in reps}
    return CopyResult(report.path, report.documents, report.codings, report.codings_merged,
                      sum(len(OffsetMap(r).replacements) for r in the_plan.replacements.values()),
                      len(used), None if mapping_file is None else Path(mapping_file))


def _write_mapping(path: Path, the_plan: Plan) -> None:
    """The key to the pseudonyms: private, beside nothing it could unlock by accident."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
    with os.fdopen(fd, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["pseudonym", "original"])
        for text, label in sorted(the_plan.strings.items(), key=lambda kv: (kv[1], kv[0])):
            writer.writerow([label, text])
    os.replace(tmp, path)
