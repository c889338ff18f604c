"""Importing a REFI-QDA project into a new or existing qualkit project, in one transaction.

Everything is read, checked and planned first (texts decoded, offsets mapped, documents
segmented); only then is the project written, all at once. Documents are matched by content
(SHA-256 of the stored text), codes by name (case-insensitive), coders by name. Importing the
same file twice adds nothing the second time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from qualkit.exchange.common import RETIRED_SET, unique_name
from qualkit.exchange.offsets import (
    Choice,
    PositionMap,
    candidate_readings,
    choose_reading,
    normalise,
)
from qualkit.exchange.refi_attach import Anchor, Anchors, MemoPlan, Metadata, memo_plans
from qualkit.exchange.refi_attach import source_metadata as _metadata
from qualkit.exchange.refi_model import RefiCode, RefiProject, RefiSource
from qualkit.exchange.safety import DEFAULT_LIMITS, Limits

if TYPE_CHECKING:
    from qualkit.store import Store

FALLBACK_CODER = "refi-import"
_MARKDOWN = (".md", ".markdown", ".docx")


@dataclass
class RefiImportReport:
    """What an import brought in, matched, skipped and why."""

    file: str
    documents_added: list[str] = field(default_factory=list)
    documents_matched: list[str] = field(default_factory=list)
    sources_skipped: list[str] = field(default_factory=list)
    codes_added: list[str] = field(default_factory=list)
    codes_matched: list[str] = field(default_factory=list)
    codes_retired: list[str] = field(default_factory=list)
    codes_renamed: list[tuple[str, str]] = field(default_factory=list)
    coders: list[str] = field(default_factory=list)
    codings_added: int = 0
    codings_present: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    memos_added: int = 0
    memos_present: int = 0
    metadata_filled: int = 0  # matched documents that got metadata they lacked
    readings: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def skip(self, reason: str, count: int = 1) -> None:
        if count:
            self.skipped[reason] = self.skipped.get(reason, 0) + count


@dataclass
class _Doc:
    source: RefiSource
    name: str
    text: str
    pmap: PositionMap
    existing: int | None
    meta: Metadata
    segments: list = field(default_factory=list)
    id: int | None = None


@dataclass
class _Code:
    refi: RefiCode
    name: str
    existing: int | None
    retired: bool = False
    id: int | None = None


@dataclass
class _Plan:
    docs: list[_Doc] = field(default_factory=list)
    codes: dict[str, _Code] = field(default_factory=dict)  # by GUID
    code_order: list[_Code] = field(default_factory=list)
    codings: list[tuple[int, str, str, int, int, str | None]] = field(default_factory=list)
    memos: list[MemoPlan] = field(default_factory=list)


def import_refi(
    store: Store,
    path: str | Path,
    *,
    coder: str = FALLBACK_CODER,
    limits: Limits = DEFAULT_LIMITS,
) -> RefiImportReport:
    """Import a ``.qdpx`` (or bare ``.qde``) into ``store``: all of it, or (on a refusal)
    nothing. ``coder`` names the coder for codings and notes whose user the file omits."""
    from qualkit.exchange.refi_read import read_project_file

    project = read_project_file(path, limits)
    report = RefiImportReport(str(path), warnings=list(project.warnings))
    plan = _Plan()
    _plan_codes(store, project, plan, report)
    anchors = Anchors()
    _plan_documents(store, project, plan, report, anchors)
    _plan_codings(project, plan, report, anchors)

    def spans_in(doc: int, start: int, end: int):
        return _span(plan.docs[doc].pmap, start, end)

    plan.memos, orphans = memo_plans(project, anchors, spans_in)
    if orphans:
        report.warnings.append(
            f"{orphans} notes annotate something that was not imported; kept as project memos"
        )
    _segment(plan)
    _write(store, project, plan, report, coder)
    return report


def _plan_codes(store: Store, project: RefiProject, plan: _Plan, report: RefiImportReport):
    existing = {c.name.casefold(): c for c in store.codes.list(include_retired=True)}
    retired = {g for name, members in project.sets if name == RETIRED_SET for g in members}
    taken: set[str] = set()
    for code in project.codes:
        if not code.name:
            report.warnings.append("a code without a name skipped (its codings too)")
            continue
        name = unique_name(code.name, code.parent.name if code.parent else None, taken)
        if name != code.name:
            report.codes_renamed.append((code.name, name))
        found = existing.get(name.casefold())
        item = _Code(code, found.name if found else name, found.id if found else None,
                     retired=code.guid in retired)
        if found is None:
            report.codes_added.append(name)
        elif found.status == "retired":
            report.codes_retired.append(found.name)
        else:
            report.codes_matched.append(found.name)
        plan.code_order.append(item)
        if code.guid:
            plan.codes.setdefault(code.guid, item)


def _plan_documents(store: Store, project: RefiProject, plan: _Plan, report: RefiImportReport,
                    anchors: Anchors) -> None:
    by_hash = store.exchange.text_hashes()
    names = {d.name for d in store.documents.list()}
    atlas = "atlas" in project.origin.lower()
    from qualkit.store.exchange import text_sha256

    for source in project.sources:
        refs = [*source.note_refs, *(n for s in source.selections for n in s.note_refs)]
        if source.kind != "text" or source.raw is None or not normalise(source.raw).strip():
            why = source.problem or ("empty text" if source.kind == "text" else
                                     f"{source.kind} sources are not imported (text only)")
            count = source.other_selections or len(source.selections)
            report.sources_skipped.append(
                f"{source.name} ({source.kind}, {count} selections): {why}"
            )
            anchors.dropped.update(refs)
            continue
        choice = choose_reading(
            source.raw, [(s.start, s.end, s.name) for s in source.selections], atlas=atlas
        )
        text = choice.position_map.normalised
        existing = by_hash.get(text_sha256(text))
        name = source.name
        if existing is None and name in names:
            report.sources_skipped.append(
                f"{name}: the project has a document of that name with a different text; "
                "rename one (or import into a new project) and import again"
            )
            anchors.dropped.update(refs)
            continue
        _note_reading(report, source.name, choice, source.raw)
        names.add(name)
        doc = _Doc(source, name, text, choice.position_map, existing,
                   _metadata(project, source.guid, source.values))
        (report.documents_matched if existing else report.documents_added).append(name)
        if existing is not None:
            by_hash.pop(text_sha256(text))  # a second identical source is a new document
        index = len(plan.docs)
        plan.docs.append(doc)
        if source.guid:
            anchors.sources.setdefault(source.guid, index)
        for note in source.note_refs:
            anchors.add(note, Anchor(doc=index))


def _note_reading(report: RefiImportReport, name: str, choice: Choice, raw: str) -> None:
    """Say how positions were read where the text left a choice, and flag quotes that do not
    match the text (a sign the exporter counted in a way qualkit does not know)."""
    ambiguous = len(candidate_readings(raw, atlas=False)) > 1
    evidence = (
        f"{choice.matched} of {choice.checked} quoted selections match the text"
        if choice.checked else "no quoted selections to check against"
    )
    if ambiguous:
        report.readings.append(f"{name}: positions read as {choice.reading.describe(raw)} "
                               f"({evidence})")
    elif choice.checked and choice.matched < choice.checked:
        report.readings.append(f"{name}: {evidence}")


def _span(pmap: PositionMap, start: int, end: int) -> tuple[int, int] | None:
    a, b = pmap.to_text(start, end=False), pmap.to_text(end, end=True)
    if a is None or b is None:
        return None
    return a, b


def _plan_codings(project: RefiProject, plan: _Plan, report: RefiImportReport,
                  anchors: Anchors) -> None:
    for index, doc in enumerate(plan.docs):
        outside = 0
        for sel in doc.source.selections:
            span = _span(doc.pmap, sel.start, sel.end)
            refs = [*sel.note_refs, *(n for c in sel.codings for n in c.note_refs)]
            if span is None:
                outside += 1
                anchors.dropped.update(refs)
                continue
            if span[0] >= span[1]:
                report.skip("selections whose end is not after their start")
                anchors.dropped.update(refs)
                continue
            anchor = Anchor(index, span)
            if sel.guid:
                anchors.selections.setdefault(sel.guid, anchor)
            for note in sel.note_refs:
                anchors.add(note, anchor)
            if sel.description.strip():
                anchors.direct.append(
                    MemoPlan(anchor, sel.description, sel.user, sel.created, sel.created)
                )
            for coding in sel.codings:
                for note in coding.note_refs:
                    anchors.add(note, Anchor(index, span, coding.code))
                if coding.code not in plan.codes:
                    report.skip("codings of a code the file does not define")
                    continue
                plan.codings.append((index, coding.code, coding.user or "", *span,
                                     coding.created))
        if outside:
            report.skip("selections outside their text", outside)
            report.warnings.append(
                f"{doc.name}: {outside} selections fall outside the text "
                f"({len(doc.text):,} characters); skipped, not moved"
            )


def _segment(plan: _Plan) -> None:
    """Sentence units for the new documents, before the write transaction starts."""
    from qualkit.ingest.segmenter import segment
    from qualkit.ingest.transcripts import Transcript, parse_plain

    for doc in plan.docs:
        if doc.existing is None:
            markdown = doc.name.lower().endswith(_MARKDOWN)
            turns = parse_plain(doc.text, markdown=markdown)
            doc.segments = segment(Transcript(doc.text, tuple(turns), "txt", "utf-8"))


def _write(store: Store, project: RefiProject, plan: _Plan, report: RefiImportReport,
           coder: str) -> None:
    from qualkit.exchange.refi_store import write_plan

    with store.atomic():
        write_plan(store, project, plan, report, coder)


def describe(report: RefiImportReport) -> list[str]:
    """The report as the lines the CLI prints (summary first, then details)."""
    lines = [
        f"{len(report.documents_added)} documents added, "
        f"{len(report.documents_matched)} matched by content, "
        f"{len(report.sources_skipped)} sources skipped; codes {len(report.codes_added)} added, "
        f"{len(report.codes_matched)} matched, {len(report.codes_retired)} retired; "
        f"{report.codings_added} codings added ({report.codings_present} already there); "
        f"{report.memos_added} memos added ({report.memos_present} already there); "
        f"coders: {', '.join(report.coders) or 'none'}"
    ]
    lines += [f"skipped source: {s}" for s in report.sources_skipped]
    lines += [f"skipped: {count} {reason}" for reason, count in sorted(report.skipped.items())]
    lines += [f"renamed code: '{old}' -> '{new}' (names must be unique)"
              for old, new in report.codes_renamed]
    if report.codes_retired:
        lines.append(f"matched codes that are retired here: {', '.join(report.codes_retired)}")
    lines += [f"offsets: {r}" for r in report.readings]
    return lines
