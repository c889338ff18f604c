"""Helpers for the exchange tests: a project with every kind of thing REFI-QDA carries, a
lossless snapshot of a project to compare two files by, and archives built from folders."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

from qualkit.coding import CodingSession
from qualkit.coding.csv_io import import_codings
from qualkit.coding.edit import set_retired
from qualkit.store import Store

from .conftest import SAMPLE

REFI = Path(__file__).resolve().parent / "data" / "refi"
SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "refi-qda"
if not SHARED.is_dir():  # a worktree under /work/wt/NAME: the shared folder is /work/shared
    SHARED = Path("/work/shared/refi-qda")


def coded_project(sample_project: Path) -> Path:
    """The sample project with two coders' codings, completions, memos of every anchor, a
    retired code, a case and a typed attribute."""
    with Store.open(sample_project) as store:
        import_codings(store, SAMPLE / "codings" / "ana.csv")
        import_codings(store, SAMPLE / "codings" / "ben.csv")
        ana = CodingSession(store, "ana")
        ben = CodingSession(store, "ben")
        docs = {d.name: d for d in store.documents.list()}
        first = store.codings.all()[0]
        ana.set_memo(first.document_id, (first.start, first.end), "On this coding",
                     code_id=first.code_id)
        other = next(c for c in store.codes.list() if c.id != first.code_id)
        ben.set_memo(first.document_id, (first.start, first.start + 5), "Names a code, uncoded",
                     code_id=other.id)
        ben.set_memo(docs["int_patrol_officer.txt"].id, (0, 40), "A passage memo\nwith two lines")
        for doc in list(docs.values())[:3]:
            ana.set_done(doc.id)
            ben.set_done(doc.id)
        recommendations = store.codes.by_name("Recommendations")
        set_retired(ana, recommendations.id)
        with store.atomic():
            from qualkit.store import edits

            coder = ana.coder
            srt = docs["int_case_manager.srt"].id
            store.history.apply(
                [edits.Change("memos", "insert", {
                    "id": None, "coder_id": coder.id, "document_id": srt,
                    "start": None, "end": None, "code_id": None, "text": "Document memo",
                    "created_at": "2026-01-02T03:04:05.000+00:00",
                    "updated_at": "2026-01-02T03:04:05.000+00:00"}),
                 edits.Change("memos", "insert", {
                    "id": None, "coder_id": coder.id, "document_id": None, "start": None,
                    "end": None, "code_id": other.id, "text": "Code memo",
                    "created_at": "2026-01-02T03:04:06.000+00:00",
                    "updated_at": "2026-01-02T03:04:06.000+00:00"}),
                 edits.Change("memos", "insert", {
                    "id": None, "coder_id": coder.id, "document_id": None, "start": None,
                    "end": None, "code_id": None, "text": "Project memo: =SUM(A1)",
                    "created_at": "2026-01-02T03:04:07.000+00:00",
                    "updated_at": "2026-01-02T03:04:08.000+00:00"})],
                coder=coder, action="memo")
            store.documents.set_metadata(docs["int_patrol_officer.txt"].id, {"case_id": "P-07"},
                                         {"years_of_service": 12, "score": 0.00001,
                                          "consented": True})
    return sample_project


def snapshot(path: Path) -> dict[str, list]:
    """Everything an exchange must keep, keyed by names (not ids), for comparing projects."""
    with Store.open(path) as store:
        docs = {d.id: d for d in store.documents.list()}
        codes = {c.id: c for c in store.codes.list(include_retired=True)}
        coders = {c.id: c.name for c in store.codings.coders()}

        def name(table: dict, key):
            return None if key is None else table[key].name

        return {
            "documents": sorted(
                (d.name, store.documents.text(d.id), d.kind, d.role, d.site, d.date, d.case_id,
                 tuple(sorted(d.attributes.items())),
                 tuple(sorted(store.documents.speakers(d.id).items())))
                for d in docs.values()),
            "segments": sorted(
                (docs[i].name, tuple((s.start, s.end, s.speaker) for s in
                                     store.documents.segments(i))) for i in docs),
            "codes": sorted(
                (c.name, name(codes, c.parent_id), c.position, c.description, c.include,
                 c.exclude, c.example, c.color, c.status) for c in codes.values()),
            "codings": sorted(
                (docs[c.document_id].name, codes[c.code_id].name, coders[c.coder_id], c.start,
                 c.end, store.documents.text(c.document_id)[c.start:c.end], c.created_at)
                for c in store.codings.all()),
            "memos": sorted(
                ((coders[m.coder_id], name(docs, m.document_id), m.start, m.end,
                  name(codes, m.code_id), m.text, m.created_at, m.updated_at)
                 for m in store.memos.list()), key=repr),
        }


def zip_folder(folder: Path, out: Path) -> Path:
    """A .qdpx built from a folder of the files an exporter wrote."""
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder).as_posix())
    return out


def copy_project(source: Path, target: Path) -> Path:
    shutil.copy(source, target)
    return target
