"""Importing transcripts into a project: all files are read and checked first, then written in one
transaction, so a bad file leaves the project exactly as it was."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from qualkit.errors import InputError
from qualkit.ingest.metadata import DocumentMeta, auto_roles, read_metadata
from qualkit.ingest.reanchor import Reanchored, reanchor
from qualkit.ingest.transcripts import FORMATS, Transcript, read_transcript

if TYPE_CHECKING:
    from qualkit.models import Document
    from qualkit.store import Store

META_FILE = "documents.csv"
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


def collect(paths: Iterable[str | Path]) -> tuple[list[Path], list[Path]]:
    """Transcript files and ``documents.csv`` files named by ``paths`` (files or folders)."""
    files: list[Path] = []
    metas: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise InputError(f"{path}: no such file or folder")
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and _is_transcript(p))
            if not found:
                raise InputError(
                    f"{path}: no transcripts (.txt .md .vtt .srt .docx) in this folder"
                )
            files += found
            if (path / META_FILE).is_file():
                metas.append(path / META_FILE)
        else:
            files.append(path)
    return files, metas


def _is_transcript(path: Path) -> bool:
    # Hidden files and Word's lock files (~$name.docx) are not transcripts.
    return path.suffix.lower() in FORMATS and not path.name.startswith((".", "~$"))


def import_transcripts(
    store: Store,
    paths: Iterable[str | Path],
    *,
    meta: str | Path | None = None,
    replace: bool = False,
    force: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Import transcript files and folders (with their ``documents.csv``) into ``store``."""
    files, metas = collect(paths)
    if meta is not None:
        metas.append(Path(meta))
    report = ImportReport()
    planned = _plan(store, files, replace=replace, force=force, report=report)
    known = {p.name for p in planned} | {d.name for d in store.documents.list()}
    metadata = [m for path in metas for m in read_metadata(path, known, report.warnings)]
    _write(store, planned, metadata, report, progress)
    return report


def _plan(
    store: Store, files: list[Path], *, replace: bool, force: bool, report: ImportReport
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
        data = _read_bytes(path)
        sha = hashlib.sha256(data).hexdigest()
        existing = store.documents.by_name(name)
        if existing is not None and existing.sha256 == sha:
            report.unchanged.append(name)
            continue
        transcript = read_transcript(path, data)
        report.warnings += transcript.warnings
        item = _Planned(path, name, sha, transcript, existing)
        if existing is not None:
            item.reanchored = _check_replace(store, item, replace=replace, force=force)
        planned.append(item)
    return planned


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder, not a transcript file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read the file ({exc.strerror})") from None


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
    store: Store,
    planned: list[_Planned],
    metadata: list[DocumentMeta],
    report: ImportReport,
    progress: Progress | None,
) -> None:
    from qualkit.ingest.segmenter import segment
    from qualkit.store import now

    total = sum(len(p.transcript.text) for p in planned)
    done = 0

    def advance(n: int) -> None:
        nonlocal done
        done += n
        if progress:
            progress(min(done, total), total)

    # Segment everything first: the write lock is then held only for the inserts, so coders
    # working in the same project are not kept waiting while a large import is parsed.
    segmented = [(item, segment(item.transcript, progress=advance)) for item in planned]
    with store.atomic():
        for item, rows in segmented:
            document_id = _store_document(store, item, rows, now())
            store.documents.set_speakers(document_id, auto_roles({r[2] for r in rows if r[2]}))
            report.segments += len(rows)
            report.characters += len(item.transcript.text)
            (report.replaced if item.existing else report.added).append(item.name)
            if item.reanchored:
                report.dropped_codings += len(item.reanchored.lost)
        for entry in metadata:
            document = store.documents.by_name(entry.name)
            if document is not None:
                entry.apply(store, document.id)
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
    if progress and total:
        progress(total, total)


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
