"""The selections and notes of a ``.qdpx`` export: each coder's spans, their codings, and memos
linked to what they annotate.

A selection is one coder's span: ``PlainTextSelection`` with that coder as ``creatingUser`` and
one ``Coding`` per code, so programs that read only the selection's user still attribute every
coding right. Memos become ``Note`` elements, referred to by a ``NoteRef`` where they belong: on
the coding (a memo on a coded passage with its code), on the selection (a passage memo), on the
source (a document memo), on the code (a code memo; also added when a passage memo names a code
that was not applied there) or on the project.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from qualkit.exchange.common import guid, xml_date, xml_text

if TYPE_CHECKING:
    from qualkit.exchange.refi_export import _Writer
    from qualkit.models import Coding, Memo

QUOTE = 80  # characters of the coded text written as a selection's name


class NoteWriter:
    def __init__(self, writer: _Writer) -> None:
        self.writer = writer
        self.memos: list[Memo] = []
        self.span_memos: list[tuple[Memo, str]] = []
        self.by_document: dict[int, list[str]] = {}
        self.by_code: dict[int, list[str]] = {}
        self.by_project: list[str] = []

    @property
    def count(self) -> int:
        return len(self.memos)

    def key(self, memo: Memo) -> str:
        return guid(self.writer.ns, "memo", memo.id)

    def plan(self, memos: list[Memo]) -> None:
        self.memos = memos
        for memo in memos:
            key = self.key(memo)
            if memo.document_id is not None and memo.start is not None and memo.end is not None:
                self.span_memos.append((memo, key))  # placed by Selections
                continue
            if memo.document_id is not None:
                self.by_document.setdefault(memo.document_id, []).append(key)
            if memo.code_id is not None:
                self.by_code.setdefault(memo.code_id, []).append(key)
            if memo.document_id is None and memo.code_id is None:
                self.by_project.append(key)

    def refs(self, element, *, code: int | None = None, document: int | None = None) -> None:
        keys = self.by_code.get(code, []) if code is not None else []
        keys += self.by_document.get(document, []) if document is not None else []
        for key in keys:
            self.writer.sub(element, "NoteRef", targetGUID=key)

    def write(self, root) -> None:
        if not self.memos:
            return
        holder = self.writer.sub(root, "Notes")
        for memo in self.memos:
            user = self.writer.user(memo.coder_id)
            note = self.writer.sub(
                holder,
                "Note",
                guid=self.key(memo),
                name=xml_text(" ".join(memo.text.split())[:60]),
                creatingUser=user,
                creationDateTime=xml_date(memo.created_at),
                modifyingUser=user,
                modifiedDateTime=xml_date(memo.updated_at),
            )
            self.writer.sub(note, "PlainTextContent").text = xml_text(memo.text)

    def project_refs(self, root) -> None:
        for key in self.by_project:
            self.writer.sub(root, "NoteRef", targetGUID=key)


class _Selection:
    __slots__ = ("coding_notes", "codings", "notes")

    def __init__(self) -> None:
        self.codings: list[Coding] = []
        self.coding_notes: dict[int, list[str]] = {}  # code id -> note GUIDs
        self.notes: list[str] = []


class Selections:
    """Every coder's spans per document, with their codings and memos."""

    def __init__(self, writer: _Writer) -> None:
        self.writer = writer
        self.by_document: dict[int, dict[tuple[int, int, int], _Selection]] = {}

    def _get(self, document_id: int, coder_id: int, start: int, end: int) -> _Selection:
        spans = self.by_document.setdefault(document_id, {})
        key = (start, end, coder_id)
        if key not in spans:
            spans[key] = _Selection()
        return spans[key]

    def add_codings(self, codings: list[Coding]) -> None:
        for coding in codings:
            self._get(coding.document_id, coding.coder_id, coding.start, coding.end)\
                .codings.append(coding)

    def add_memos(self, notes: NoteWriter) -> None:
        for memo, key in notes.span_memos:
            assert memo.document_id is not None and memo.start is not None
            selection = self._get(memo.document_id, memo.coder_id, memo.start, memo.end or 0)
            if memo.code_id is not None and any(
                c.code_id == memo.code_id for c in selection.codings
            ):
                selection.coding_notes.setdefault(memo.code_id, []).append(key)
                continue
            selection.notes.append(key)
            if memo.code_id is not None:  # the code it names, without a coding to hang on
                notes.by_code.setdefault(memo.code_id, []).append(key)

    def write(self, source, document_id: int, text: str) -> None:
        writer = self.writer
        spans = self.by_document.get(document_id, {})
        for (start, end, coder_id) in sorted(spans, key=lambda k: (k[0], k[1], k[2])):
            selection = spans[(start, end, coder_id)]
            user = writer.user(coder_id)
            dates = [c.created_at for c in selection.codings if c.created_at]
            quote = " ".join(text[start:end].split())
            element = writer.sub(
                source,
                "PlainTextSelection",
                guid=guid(writer.ns, "sel", document_id, coder_id, start, end),
                name=xml_text(quote if len(quote) <= QUOTE else quote[: QUOTE - 1] + "…"),
                startPosition=str(start),
                endPosition=str(end),
                creatingUser=user,
                creationDateTime=xml_date(min(dates)) if dates else None,
            )
            for coding in sorted(selection.codings, key=lambda c: c.code_id):
                item = writer.sub(element, "Coding", guid=guid(writer.ns, "coding", coding.id),
                                  creatingUser=user, creationDateTime=xml_date(coding.created_at))
                writer.sub(item, "CodeRef", targetGUID=writer.code_guid(coding.code_id))
                for key in selection.coding_notes.get(coding.code_id, []):
                    writer.sub(item, "NoteRef", targetGUID=key)
            for key in selection.notes:
                writer.sub(element, "NoteRef", targetGUID=key)
