"""Importing transcripts into a project: all files are read, checked and segmented first, then
written in one transaction, so a bad file leaves the project exactly as it was. A dry run stops
before the write and returns the same report."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from qualkit.errors import InputError
from qualkit.ingest.files import META_FILE, collect, read_bytes
from qualkit.ingest.metadata import DocumentMeta, auto_roles, read_metadata
from qualkit.ingest.reanchor import Reanchored, reanchor
from qualkit.ingest.speakers import SpeakerReport, speaker_report
from qualkit.ingest.transcripts import Transcript, read_transcript

if TYPE_CHECKING:
    from qualkit.models import Document
    from qualkit.store import Store

__all__ = ["META_FILE", "ImportReport", "collect", "compile_speaker_pattern", "import_transcripts"]
Progress = Callable[[int, int], None]


@dataclass
class _Planned:
    """A file that passed every check, with what importing it will do."""

    path: Path
    name: str
    sha256: str
    transcript: Transcript
    existing: Document | None = None
    reanchored: Reanchored | None = None
    rows: list = field(default_factory=list)
    roles: dict[str, str | None] = field(default_factory=dict)


@dataclass
class ImportReport:
    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    segments: int = 0
    characters: int = 0
    dropped_codings: int = 0
    metadata_updated: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    speakers: list[SpeakerReport] = field(default_factory=list)
    dry_run: bool = False


def import_transcripts(
    store: Store,
    paths: Iterable[str | Path],
    *,
    meta: str | Path | None = None,
    replace: bool = False,
    force: bool = False,
    speaker_pattern: str | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Import transcript files and folders (with their ``documents.csv``) into ``store``.

    ``speaker_pattern`` is a regular expression with a ``speaker`` group (and optionally
    ``time``) that replaces the built-in speaker rules; a ``speaker_pattern`` column in the
    metadata sets it per file. With ``dry_run`` nothing is written: the report says what an
    import would do.
    """
    selection = collect(paths)
    if meta is not None:
        selection.metas.append(Path(meta))
    report = ImportReport(notes=list(selection.notes), dry_run=dry_run)
    known = {p.name for p in selection.files} | {d.name for d in store.documents.list()}
    metadata = [m for path in selection.metas for m in read_metadata(path, known, report.warnings)]
    by_name = {m.name: m for m in metadata}
    default = compile_speaker_pattern(speaker_pattern, "--speaker-pattern")
    patterns = {
        m.name: compile_speaker_pattern(m.speaker_pattern, f"{m.source} line {m.line}")
        for m in metadata
        if m.speaker_pattern
    }
    planned = _plan(store, selection.files, replace=replace, force=force, report=report,
                    patterns=patterns, default=default)
    _segment(store, planned, by_name, report, progress)
    if not dry_run:
        _write(store, planned, metadata, report)
    return report


def compile_speaker_pattern(pattern: str | None, where: str) -> re.Pattern[str] | None:
    """Check a house-style speaker pattern: it must compile and have a ``speaker`` group."""
    if not pattern:
        return None
    try:
        compiled = re.compile(pattern)
    except re.error as exc:
        raise InputError(f"{where}: speaker pattern '{pattern}' is not a regular expression "
                         f"({exc})") from None
    if "speaker" not in compiled.groupindex:
        raise InputError(
            f"{where}: speaker pattern '{pattern}' has no group named 'speaker'; write it like "
            r"'^(?P<speaker>[A-Z]+)\s*>\s*' (and optionally a 'time' group)"
        )
    return compiled


def _plan(
    store: Store,
    files: list[Path],
    *,
    replace: bool,
    force: bool,
    report: ImportReport,
    patterns: dict[str, re.Pattern[str]],
    default: re.Pattern[str] | None,
) -> list[_Planned]:
    planned: list[_Planned] = []
    seen: dict[str, Path] = {}
    for path in files:
        name = path.name
        if name in seen:
            raise InputError(
                f"{path}: another file in this import is also named '{name}' ({seen[name]}); "
                "document names must be unique, so rename one"
            )
        seen[name] = path
        data = read_bytes(path)
        sha = hashlib.sha256(data).hexdigest()
        existing = store.documents.by_name(name)
        if existing is not None and existing.sha256 == sha:
            report.unchanged.append(name)
            continue
        transcript = read_transcript(path, data, speaker_pattern=patterns.get(name, default))
        report.warnings += transcript.warnings
        item = _Planned(path, name, sha, transcript, existing)
        if existing is not None:
            item.reanchored = _check_replace(store, item, replace=replace, force=force)
        planned.append(item)
    return planned


def _segment(
    store: Store,
    planned: list[_Planned],
    metadata: dict[str, DocumentMeta],
    report: ImportReport,
    progress: Progress | None,
) -> None:
    """Sentence units and the speaker report of every planned document (before any write)."""
    from qualkit.ingest.segmenter import segment

    total = sum(len(p.transcript.text) for p in planned)
    done = 0

    def advance(n: int) -> None:
        nonlocal done
        done += n
        if progress:
            progress(min(done, total), total)

    for item in planned:
        item.rows = segment(item.transcript, progress=advance)
        item.roles = _roles(item, metadata.get(item.name), store)
        entry = metadata.get(item.name)
        kind = entry.fields.get("kind") if entry else (
            item.existing.kind if item.existing else None
        )
        speakers = speaker_report(item.name, item.transcript, item.rows, item.roles, kind=kind)
        report.speakers.append(speakers)
        report.warnings += speakers.warnings
        report.segments += len(item.rows)
        report.characters += len(item.transcript.text)
        (report.replaced if item.existing else report.added).append(item.name)
        if item.reanchored:
            report.dropped_codings += len(item.reanchored.lost)
    if progress and total:
        progress(total, total)


def _roles(item: _Planned, entry: DocumentMeta | None, store: Store) -> dict[str, str | None]:
    """Roles by label: the metadata's, else a kept earlier role, else the legend's or a guess."""
    labels = {r[2] for r in item.rows if r[2]}
    roles = auto_roles(labels)
    for label, description in item.transcript.legend:
        if label in roles and roles[label] is None:
            roles[label] = auto_roles({description}).get(description) or _legend_role(description)
    if item.existing is not None:
        roles.update({k: v for k, v in store.documents.speakers(item.existing.id).items()
                      if k in labels and v})
    if entry is not None:
        roles.update({k: v for k, v in entry.speakers.items() if k in labels})
    return roles


def _legend_role(description: str) -> str | None:
    first = description.split()[0].lower() if description.split() else ""
    return "interviewer" if first.startswith(("interviewer", "moderator", "facilitator")) else None


def _check_replace(store: Store, item: _Planned, *, replace: bool, force: bool) -> Reanchored:
    existing = item.existing
    assert existing is not None
    codings = store.codings.for_document(existing.id)
    if not replace:
        raise InputError(
            f"{item.path}: the project already has a different version of '{item.name}' "
            f"({len(codings)} codings); use --replace to replace it"
        )
    old_text = store.documents.text(existing.id)
    result = reanchor(
        old_text, item.transcript.text, codings, store.memos.list(document_id=existing.id)
    )
    if result.lost and not force:
        coders = {c.id: c.name for c in store.codings.coders()}
        who = ", ".join(sorted({coders[c.coder_id] for c in result.lost}))
        raise InputError(
            f"{item.path}: replacing '{item.name}' would lose {len(result.lost)} of "
            f"{len(codings)} codings (coders: {who}) whose text is no longer in the new "
            "version; add --force to drop them"
        )
    return result


def _write(
    store: Store, planned: list[_Planned], metadata: list[DocumentMeta], report: ImportReport
) -> None:
    from qualkit.store import now

    with store.atomic():
        for item in planned:
            document_id = _store_document(store, item, item.rows, now())
            store.documents.set_speakers(document_id, item.roles)
        for entry in metadata:
            document = store.documents.by_name(entry.name)
            if document is not None:
                # Only a change counts (and reaches the audit trail): importing the same folder
                # again must leave the project, events included, as it was.
                before = (store.documents.get(document.id), store.documents.speakers(document.id))
                entry.apply(store, document.id)
                after = (store.documents.get(document.id), store.documents.speakers(document.id))
                if after != before:
                    report.metadata_updated.append(entry.name)
        if planned or report.metadata_updated:
            store.log(
                "import",
                {
                    "added": report.added,
                    "replaced": report.replaced,
                    "dropped_codings": report.dropped_codings,
                    "metadata": report.metadata_updated,
                },
            )


def _store_document(store: Store, item: _Planned, rows: list, at: str) -> int:
    transcript = item.transcript
    fields = dict(
        text=transcript.text,
        sha256=item.sha256,
        format=transcript.format,
        source=str(item.path),
        encoding=transcript.encoding,
        segments=rows,
        imported_at=at,
    )
    if item.existing is None:
        return store.documents.add(name=item.name, **fields)
    store.documents.replace_text(item.existing.id, **fields)
    assert item.reanchored is not None
    item.reanchored.apply(store)
    return item.existing.id
