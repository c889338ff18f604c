"""``qualkit.Project``: one evaluation project (one SQLite file) behind one front door.

Notebooks, scripts, the CLI and the TUI reach every feature through the same calls, so a number
on the screen, in a CSV and in the report comes from the same place. Documents, codes and coders
are named as users name them (file names, code names, coder names); tables come back as pandas
DataFrames. Heavy libraries load only when a method needs them.

    from qualkit import Project

    with Project.create("lead.qualkit", codebook="codebooks/lead_process.yaml") as project:
        project.import_transcripts("transcripts_sample/")
        project.apply("ana", "int_patrol_officer.txt", "Warm handoff", 120, 180)
        project.mark_done("ana", ["int_patrol_officer.txt"])
        project.codings(coder="ana")          # a DataFrame with the coded text
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualkit.errors import InputError
from qualkit.files import write_private
from qualkit.store import Store

if TYPE_CHECKING:
    import pandas as pd

    from qualkit.agreement import ProjectAgreement
    from qualkit.coding import CodingSession, LoadReport, Toggled
    from qualkit.coding.passages import Passage
    from qualkit.ingest import ImportReport
    from qualkit.models import Code, Document
    from qualkit.outcomes import OutcomeRun
    from qualkit.topics import TopicOptions, TopicReport

PathLike = str | os.PathLike


class Project:
    """An open project. Use ``Project.create`` / ``Project.open``, ideally as context managers."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._sessions: dict[str, CodingSession] = {}

    @classmethod
    def create(cls, path: PathLike, *, codebook: PathLike | None = None) -> Project:
        """A new project file (owner-only permissions), optionally with a YAML codebook."""
        from qualkit.coding import load_codebook

        parsed = load_codebook(codebook) if codebook is not None else None  # check before create
        project = cls(Store.create(path))
        if parsed is not None:
            from qualkit.coding import apply_codebook

            apply_codebook(project.store, parsed)
        return project

    @classmethod
    def open(cls, path: PathLike) -> Project:
        """An existing project (pending migrations are applied)."""
        return cls(Store.open(path))

    @property
    def path(self) -> Path:
        return self.store.path

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Project({str(self.path)!r})"

    def backup(self, dest: PathLike) -> Path:
        """A consistent copy of the project at ``dest`` (0600), safe while coders work."""
        from qualkit.store.upkeep import copy_project

        return copy_project(self.path, dest)

    def check(self, *, repair: bool = False):
        """SQLite's and qualkit's integrity checks; ``repair=True`` fixes what it can after a
        backup. Returns a ``CheckReport`` (``.ok``, ``.findings``)."""
        from qualkit.store import upkeep

        return upkeep.repair(self.store)[0] if repair else upkeep.check(self.store)

    # -- transcripts and codebook ---------------------------------------------------------------

    def import_transcripts(
        self, *paths: PathLike, meta: PathLike | None = None, replace: bool = False,
        force: bool = False, speaker_pattern: str | None = None, dry_run: bool = False,
    ) -> ImportReport:
        """Import transcript files or folders (a folder's ``documents.csv`` is its metadata).

        The report's ``speakers`` holds each document's speaker report; ``dry_run`` writes
        nothing."""
        from qualkit.ingest import import_transcripts

        return import_transcripts(
            self.store, paths, meta=meta, replace=replace, force=force,
            speaker_pattern=speaker_pattern, dry_run=dry_run,
        )

    def load_codebook(self, path: PathLike) -> LoadReport:
        """Load a YAML codebook: codes matched by name are updated, new ones added, missing
        ones retired (their codings stay)."""
        from qualkit.coding import apply_codebook, load_codebook

        return apply_codebook(self.store, load_codebook(path))

    def export_codebook(self, path: PathLike | None = None) -> str:
        """The project's codebook as YAML text, also written to ``path`` if given."""
        from qualkit.coding import dump_codebook, project_codebook

        text = dump_codebook(project_codebook(self.store))
        if path is not None:
            write_private(path, text)
        return text

    def documents(self) -> pd.DataFrame:
        """One row per document: name, kind, role, site, date, case id, segments, attributes."""
        import pandas as pd

        counts = self.store.documents.segment_counts()
        rows = [
            {"document": d.name, "format": d.format, "kind": d.kind, "role": d.role,
             "site": d.site, "date": d.date, "case_id": d.case_id, "characters": d.length,
             "segments": counts.get(d.id, 0), **d.attributes}
            for d in self.store.documents.list()
        ]
        return pd.DataFrame(rows, columns=None if rows else ["document"])

    def codes(self, *, include_retired: bool = False) -> list[Code]:
        """The code tree in codebook order."""
        return self.store.codes.list(include_retired=include_retired)

    # -- coding ---------------------------------------------------------------------------------

    def session(self, coder: str) -> CodingSession:
        """The coding session of ``coder`` (created on first use): toggle, undo, memos."""
        from qualkit.coding import CodingSession

        if coder not in self._sessions:
            self._sessions[coder] = CodingSession(self.store, coder)
        return self._sessions[coder]

    def apply(self, coder: str, document: str, code: str, start: int, end: int) -> Toggled | None:
        """``coder`` codes characters ``start``-``end`` of ``document`` with ``code`` (one
        undoable action); None if that passage already had it."""
        doc, code_id = self._document(document), self._code(code)
        _check_span(doc, start, end)
        return self.session(coder).apply(doc.id, code_id, [(start, end)])

    def remove(self, coder: str, document: str, code: str, start: int, end: int) -> Toggled | None:
        """Take ``code`` off the passage for ``coder``; None if it was not there."""
        doc, code_id = self._document(document), self._code(code)
        _check_span(doc, start, end)
        return self.session(coder).remove(doc.id, code_id, [(start, end)])

    def mark_done(
        self, coder: str, documents: Iterable[str] | None = None, *, done: bool = True
    ) -> int:
        """Record that ``coder`` finished ``documents`` (default: all); returns how many
        changed. Agreement compares only documents every compared coder finished."""
        session = self.session(coder)
        chosen = self.store.documents.list() if documents is None else [
            self._document(name) for name in documents
        ]
        return sum(session.set_done(d.id, done) for d in chosen)

    def codings(self, *, coder: str | Sequence[str] | None = None) -> pd.DataFrame:
        """Every coding (or those of ``coder``) with its document, code, coder, span, speaker
        and text, in document order."""
        from qualkit.coding.frames import codings_frame

        coders = [coder] if isinstance(coder, str) else coder
        return codings_frame(self.store, coders=coders)

    def retrieve(
        self, code: str, *, coder: str | Sequence[str] | None = None,
        where: dict[str, str] | None = None, subcodes: bool = True,
    ) -> list[Passage]:
        """Every passage coded ``code`` (and its sub-codes) across the documents, with speaker,
        document and the segments around it; ``where`` keeps documents whose field or attribute
        has the value, e.g. ``{"site": "Eastside"}``."""
        from qualkit.coding.passages import retrieve

        coders = [coder] if isinstance(coder, str) else coder
        return retrieve(self.store, code, coders=coders, where=where, subcodes=subcodes)

    def import_codings(self, path: PathLike, *, coder: str | None = None):
        """Add codings from a ``document,start,end,code,coder`` CSV (all rows or none)."""
        from qualkit.coding import import_codings

        return import_codings(self.store, path, coder=coder)

    def export_codings(
        self, path: PathLike | None = None, *, coders: Sequence[str] | None = None,
        with_text: bool = False,
    ) -> str:
        """The codings as lossless CSV text, also written to ``path`` if given."""
        from qualkit.coding import export_codings

        text = export_codings(self.store, coders=list(coders) if coders else None,
                              with_text=with_text)
        if path is not None:
            write_private(path, text)
        return text

    def status(self) -> dict[str, Any]:
        """Counts, each coder's progress and saved runs (what `qualkit status --json` prints)."""
        from qualkit.status import project_status

        return project_status(self.store)

    # -- analyses -------------------------------------------------------------------------------

    def agreement(self, *, coders: Sequence[str] | None = None, **options: Any) -> ProjectAgreement:
        """Inter-rater agreement per code, pooled and pairwise; options as
        :func:`qualkit.agreement.project_agreement` (documents, unit, overlap, n_boot, seed)."""
        from qualkit.agreement import project_agreement

        return project_agreement(self.store, coders=coders, **options)

    def topics(self, options: TopicOptions | None = None, **kwargs: Any) -> TopicReport:
        """Fit emergent-theme topics (BERTopic) and return the stored run's report."""
        from qualkit.topics import TopicOptions, fit_topics, topic_report

        run = fit_topics(self.store, options or TopicOptions(**kwargs))
        return topic_report(self.store, run.id)

    def match(self, data: Any, *, save: str | None = None, **options: Any) -> OutcomeRun:
        """Propensity-score matching and ATT effects (see :func:`qualkit.outcomes.match_outcomes`);
        ``save`` stores the run in the project under that name for reports to cite."""
        from qualkit.outcomes import match_outcomes

        run = match_outcomes(data, **options)
        if save is not None:
            self.store.runs.save_outcome_run(save, params=run.params, result=run.result,
                                             pairs=run.pairs)
        return run

    def outcome_run(self, name: str) -> OutcomeRun:
        """A saved matching run."""
        return self.store.runs.outcome_run(name)

    # -- integration: themes beside outcomes (options as in :mod:`qualkit.integrate`) ----------

    def code_matrix(self, **options: Any):
        """Document (or speaker) x code matrix: ``by``, ``measure``, ``coders``, ``documents``."""
        from qualkit.integrate import code_matrix

        return code_matrix(self.store, **options)

    def cooccurrence(self, **options: Any):
        """Pairs of codes present in the same units, with counts and Jaccard."""
        from qualkit.integrate import cooccurrence

        return cooccurrence(self.store, **options)

    def crosstab(self, attribute: str, **options: Any):
        """Code x document-attribute crosstab with a test of independence per code."""
        from qualkit.integrate import crosstab

        return crosstab(self.store, attribute, **options)

    def saturation(self, **options: Any):
        """The saturation curve and point (Guest, Namey & Chen 2020)."""
        from qualkit.integrate import saturation

        return saturation(self.store, **options)

    def joint_display(self, run: str, **options: Any):
        """One row per outcome of the saved run ``run``, with linked themes and quotes."""
        from qualkit.integrate import joint_display

        return joint_display(self.store, run, **options)

    def quote_matrix(self, **options: Any):
        """Theme x group (role by default) matrix of representative quotes."""
        from qualkit.integrate import quote_matrix

        return quote_matrix(self.store, **options)

    def equity(self, run: str, by: str, **options: Any):
        """Effects of the saved run ``run`` by subgroup ``by``, beside a theme's voices."""
        from qualkit.integrate import equity

        return equity(self.store, run, by, **options)

    # -- exchange with other programs ------------------------------------------------------------

    def coded_segments(self, *, coders: Sequence[str] | None = None,
                       codes: Sequence[str] | None = None) -> pd.DataFrame:
        """Every coding with its text and provenance, as the segment exports write it."""
        import pandas as pd

        from qualkit.exchange import coded_segments

        columns, rows = coded_segments(self.store, coders=list(coders) if coders else None,
                                       codes=list(codes) if codes else None)
        return pd.DataFrame(rows, columns=columns)

    def export_refi(self, path: PathLike, *, coders: Sequence[str] | None = None):
        """Write the project as a REFI-QDA ``.qdpx`` for ATLAS.ti, NVivo, MAXQDA, QualCoder."""
        from qualkit.exchange import export_qdpx

        return export_qdpx(self.store, path, coders=list(coders) if coders else None)

    def import_refi(self, path: PathLike, **options: Any):
        """Bring a ``.qdpx`` from another program in: all of it, or nothing on a refusal."""
        from qualkit.exchange import import_refi

        return import_refi(self.store, path, **options)

    def merge(self, paths: Sequence[PathLike], *, dry_run: bool = False):
        """Merge coders' project files into this (master) project, in one transaction."""
        from qualkit.exchange import merge_projects

        return merge_projects(self.store, list(paths), dry_run=dry_run)
    def report(self, path: PathLike, *, force: bool = False, **options: Any) -> Path:
        """Write the mixed-methods report (.html, .docx or .md; the format from the name).

        Options as :class:`qualkit.report.ReportOptions` (run, links, coders, scope, topic_run,
        equity_by, n_boot, seed, title); an existing file is replaced only with ``force``.
        """
        from qualkit.report import ReportOptions, write_report

        return write_report(self.store, path, ReportOptions(**options), force=force)

    # -- names to ids ---------------------------------------------------------------------------

    def _document(self, name: str) -> Document:
        document = self.store.documents.by_name(name)
        if document is None:
            known = ", ".join(d.name for d in self.store.documents.list()[:5]) or "none yet"
            raise InputError(f"unknown document '{name}' (documents: {known} ...)")
        return document

    def _code(self, name: str) -> int:
        code = self.store.codes.by_name(name)
        if code is None:
            raise InputError(f"unknown code '{name}'; see Project.codes()")
        return code.id


def _check_span(document: Document, start: int, end: int) -> None:
    if not 0 <= start < end <= document.length:
        raise InputError(
            f"span {start}-{end} is outside the text of '{document.name}' "
            f"(0-{document.length}) or empty"
        )
