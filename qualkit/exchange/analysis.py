"""Coded segments with full provenance, for analysis in a spreadsheet, R or pandas.

One row per coding: the document and its metadata (kind, participant role, site, date, case and
every free attribute), the speaker(s) and their role(s) at the span, the span (code points, end
exclusive) and its text, the code and its path in the tree, the coder, when it was coded, and
the coder's memo on that passage. Written as CSV (UTF-8 with a byte-order mark so that Excel
reads accents; cells that a spreadsheet would run as a formula are prefixed with ``'``), XLSX
(an "All codes" sheet, then one sheet per code, cells typed as text) or JSON.
"""

from __future__ import annotations

import bisect
import csv
import io
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualkit.errors import QualkitError
from qualkit.files import neutralise, write_private

if TYPE_CHECKING:
    from qualkit.store import Store

FIXED = ("kind", "participant_role", "site", "date", "case_id")
TAIL = ("speaker", "role", "start", "end", "text", "code", "code_path", "coder", "created",
        "memo")
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


def coded_segments(
    store: Store, *, coders: list[str] | None = None, codes: list[str] | None = None
) -> tuple[list[str], list[dict[str, Any]]]:
    """The columns and one dict per coding (of ``coders`` / ``codes`` if given), sorted by
    document, position, code path and coder."""
    names = {c.id: c.name for c in store.codings.coders()}
    _check(coders, set(names.values()), "coder")
    all_codes = store.codes.list(include_retired=True)
    _check(codes, {c.name for c in all_codes}, "code")
    paths = _paths(all_codes)
    code_names = {c.id: c.name for c in all_codes}
    documents = {d.id: d for d in store.documents.list()}
    extra = sorted({k for d in documents.values() for k in d.attributes})
    columns = ["document", *FIXED, *(f"attr_{k}" if k in FIXED + TAIL else k for k in extra),
               *TAIL]
    speakers = _speaker_index(store)
    memos = _Memos(store)
    texts: dict[int, str] = {}
    rows = []
    for coding in store.codings.all():
        coder, code = names[coding.coder_id], code_names[coding.code_id]
        if (coders and coder not in coders) or (codes and code not in codes):
            continue
        doc = documents[coding.document_id]
        text = texts.get(doc.id)
        if text is None:
            text = texts[doc.id] = store.documents.text(doc.id)
        who, role = speakers.at(doc.id, coding.start, coding.end)
        row: dict[str, Any] = {
            "document": doc.name, "kind": doc.kind, "participant_role": doc.role,
            "site": doc.site, "date": doc.date, "case_id": doc.case_id,
        }
        for key in extra:
            row[f"attr_{key}" if key in FIXED + TAIL else key] = doc.attributes.get(key)
        row.update(
            speaker=who, role=role, start=coding.start, end=coding.end,
            text=text[coding.start : coding.end], code=code, code_path=paths[coding.code_id],
            coder=coder, created=coding.created_at,
            memo=memos.get((coding.coder_id, doc.id, coding.start, coding.end, coding.code_id)),
        )
        rows.append(row)
    rows.sort(key=lambda r: (r["document"], r["start"], r["end"], r["code_path"], r["coder"]))
    return columns, rows


def _check(wanted: list[str] | None, known: set[str], what: str) -> None:
    unknown = sorted(set(wanted or ()) - known)
    if unknown:
        raise QualkitError(
            f"no {what} called {', '.join(unknown)}; {what}s: {', '.join(sorted(known)) or 'none'}"
        )


def _paths(codes) -> dict[int, str]:
    by_id = {c.id: c for c in codes}

    def path(code) -> str:
        parent = by_id.get(code.parent_id) if code.parent_id else None
        return f"{path(parent)} > {code.name}" if parent else code.name

    return {c.id: path(c) for c in codes}


class _Speakers:
    def __init__(self) -> None:
        self.starts: dict[int, list[int]] = {}
        self.rows: dict[int, list[tuple[int, int, str | None]]] = {}
        self.roles: dict[int, dict[str, str | None]] = {}

    def at(self, document_id: int, start: int, end: int) -> tuple[str | None, str | None]:
        """The speakers of the segments the span overlaps (in order), and their roles."""
        rows = self.rows.get(document_id, [])
        i = max(bisect.bisect_right(self.starts.get(document_id, []), start) - 1, 0)
        found: list[str] = []
        while i < len(rows) and rows[i][0] < end:
            _s, e, who = rows[i]
            if e > start and who and who not in found:
                found.append(who)
            i += 1
        if not found:
            return None, None
        roles = self.roles.get(document_id, {})
        role_list = [r for r in dict.fromkeys(roles.get(w) for w in found) if r]
        return " / ".join(found), " / ".join(role_list) or None


def _speaker_index(store: Store) -> _Speakers:
    index = _Speakers()
    for document_id, start, end, speaker in store.exchange.segment_speakers():
        index.rows.setdefault(document_id, []).append((start, end, speaker))
    for document_id, rows in index.rows.items():
        index.starts[document_id] = [r[0] for r in rows]
        index.roles[document_id] = store.documents.speakers(document_id)
    return index


class _Memos:
    """(coder, document, start, end, code) -> the coder's memo(s) on exactly that passage; a
    passage memo that names no code goes with every code on the passage."""

    def __init__(self, store: Store) -> None:
        self.with_code: dict[tuple, list[str]] = {}
        self.plain: dict[tuple, list[str]] = {}
        for memo in store.memos.list():
            if memo.document_id is None or memo.start is None:
                continue
            key = (memo.coder_id, memo.document_id, memo.start, memo.end)
            if memo.code_id is None:
                self.plain.setdefault(key, []).append(memo.text)
            else:
                self.with_code.setdefault((*key, memo.code_id), []).append(memo.text)

    def get(self, key: tuple) -> str | None:
        texts = self.plain.get(key[:4], []) + self.with_code.get(key, [])
        return "\n\n".join(texts) if texts else None


# -- writers ------------------------------------------------------------------------------------


def write_csv(path: str | Path, columns: list[str], rows: list[dict[str, Any]]) -> None:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([neutralise(_cell(row.get(c))) for c in columns])
    write_private(path, out.getvalue().encode("utf-8-sig"))


def write_json(path: str | Path, project: str, columns: list[str],
               rows: list[dict[str, Any]]) -> None:
    meta = set(columns) - {"document", *TAIL}
    records = [
        {"document": r["document"], "attributes": {k: r[k] for k in columns if k in meta
                                                   and r.get(k) is not None},
         **{k: r[k] for k in TAIL}}
        for r in rows
    ]
    data = {"project": project, "columns": columns, "segments": records}
    write_private(path, json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8"))


def write_xlsx(path: str | Path, columns: list[str], rows: list[dict[str, Any]],
               code_order: list[str]) -> None:
    """An "All codes" sheet, then one sheet per code that has codings, in codebook order."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    used: set[str] = set()
    _sheet(book, _sheet_name("All codes", used), columns, rows)
    by_code: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_code.setdefault(row["code"], []).append(row)
    for code in code_order:
        if code in by_code:
            _sheet(book, _sheet_name(code, used), columns, by_code[code])
    buffer = io.BytesIO()
    book.save(buffer)
    write_private(path, buffer.getvalue())


def _sheet(book, title: str, columns: list[str], rows: list[dict[str, Any]]) -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    sheet = book.create_sheet(title)
    sheet.freeze_panes = "A2"
    for i, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = 60 if column == "text" else 16
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    def cell(value: Any) -> Any:
        """A plain value, or, for text openpyxl would store as a formula, a text cell."""
        value = _cell(value)
        if not isinstance(value, str):
            return value
        if ILLEGAL_CHARACTERS_RE.search(value):
            value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if value.startswith("="):
            typed = WriteOnlyCell(sheet, value=value)
            typed.data_type = "s"  # typed as text: "=..." is never run as a formula
            return typed
        return value

    for row in rows:
        sheet.append([cell(row.get(column)) for column in columns])


def _sheet_name(name: str, used: set[str]) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\, unique ignoring case."""
    base = _SHEET_BAD.sub("_", name).strip("'") or "code"
    candidate, n = base[:31], 2
    while candidate.casefold() in used:
        suffix = f" ({n})"
        candidate, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(candidate.casefold())
    return candidate


def _cell(value: Any) -> Any:
    if isinstance(value, bool | int | float) or value is None:
        return value
    return str(value)
