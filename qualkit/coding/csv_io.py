"""The lossless CSV exchange of codings: ``document,start,end,code,coder``.

``document`` is the document's name (its file name), ``start``/``end`` code point offsets into
its stored text (end exclusive), ``code`` the code's name. An optional ``text`` column (written by
``--with-text``) is checked on import: it must equal the text at the span, which catches codings
made on another version of a transcript. An import is one transaction: all rows or none.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from qualkit.errors import InputError, located
from qualkit.files import neutralise, restore

if TYPE_CHECKING:
    from qualkit.store import Store

COLUMNS = ("document", "start", "end", "code", "coder")


@dataclass(frozen=True)
class CodingsImport:
    added: int
    present: int
    coders: tuple[str, ...]


def import_codings(store: Store, path: str | Path, *, coder: str | None = None) -> CodingsImport:
    """Add the codings of a CSV file; every row is checked before anything is written."""
    path = Path(path)
    rows = _read_rows(path, need_coder=coder is None)
    resolved = [_resolve(store, path, line, row, coder) for line, row in rows]
    names = sorted({r[4] for r in resolved})
    with store.atomic():
        coders = {name: store.codings.ensure_coder(name, kind=_kind(name)).id for name in names}
        added = store.codings.add_many(
            (document_id, code_id, coders[name], start, end)
            for document_id, start, end, code_id, name in resolved
        )
        if added:  # a file imported again adds nothing, and the audit trail stays as it was
            store.log("codings.import", {"file": str(path), "added": added, "coders": names})
    return CodingsImport(added, len(resolved) - added, tuple(names))


def _kind(name: str) -> str:
    return "consensus" if name == "consensus" else "human"


def _read_rows(path: Path, *, need_coder: bool) -> list[tuple[int, dict[str, str]]]:
    if not path.is_file():
        raise InputError(f"{path}: no such codings file")
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            header = [h.strip() for h in reader.fieldnames or []]
            required = [c for c in COLUMNS if c != "coder" or need_coder]
            missing = [c for c in required if c not in header]
            if missing:
                hint = " (or pass --coder NAME)" if missing == ["coder"] else ""
                raise InputError(
                    located(
                        path,
                        f"missing column {', '.join(missing)}{hint}; "
                        f"expected columns: {','.join(COLUMNS)}",
                        line=1,
                    )
                )
            rows = [
                (reader.line_num,
                 {k.strip(): restore((v or "").strip()) for k, v in row.items() if k})
                for row in reader
            ]
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 (byte {exc.start}); save the CSV as UTF-8") from None
    except csv.Error as exc:
        raise InputError(f"{path}: malformed CSV ({exc})") from None
    if not rows:
        raise InputError(f"{path}: no codings (only a header row)")
    return rows


def _resolve(store: Store, path: Path, line: int, row: dict[str, str], coder: str | None):
    def fail(message: str) -> InputError:
        return InputError(located(path, message, line=line))

    document = store.documents.by_name(row["document"])
    if document is None:
        raise fail(f"unknown document '{row['document']}'; import the transcript first")
    code = store.codes.by_name(row["code"])
    if code is None:
        raise fail(f"unknown code '{row['code']}'; load a codebook that has it")
    try:
        start, end = int(row["start"]), int(row["end"])
    except ValueError:
        raise fail(f"start '{row['start']}' and end '{row['end']}' must be whole numbers") from None
    if not 0 <= start < end <= document.length:
        raise fail(
            f"span {start}-{end} is outside the text of '{document.name}' "
            f"(0-{document.length}) or empty"
        )
    name = row.get("coder") or coder or ""
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in name):
        raise fail(f"coder name {name!r} contains a control character (a NUL byte?); "
                   "fix the name in the file")
    if coder and name != coder:
        raise fail(f"coder '{name}' differs from --coder '{coder}'")
    if row.get("text"):
        actual = store.documents.text(document.id)[start:end]
        if " ".join(actual.split()) != " ".join(row["text"].split()):
            raise fail(
                f"the text at {start}-{end} of '{document.name}' is not the CSV's text "
                "column; the codings were made on another version of the transcript"
            )
    return document.id, start, end, code.id, name


def export_codings(
    store: Store, *, coders: list[str] | None = None, with_text: bool = False
) -> str:
    """All codings (or those of ``coders``) as CSV text, in a stable order."""
    documents = {d.id: d.name for d in store.documents.list()}
    codes = {c.id: c.name for c in store.codes.list(include_retired=True)}
    names = {c.id: c.name for c in store.codings.coders()}
    ids = None
    if coders:
        unknown = sorted(set(coders) - set(names.values()))
        if unknown:
            raise InputError(
                f"unknown coder {', '.join(unknown)}; coders: "
                f"{', '.join(sorted(names.values())) or 'none yet'}"
            )
        ids = [i for i, n in names.items() if n in coders]
    rows = [
        (
            documents[c.document_id],
            c.start,
            c.end,
            codes[c.code_id],
            names[c.coder_id],
            c.document_id,
        )
        for c in store.codings.all(coder_ids=ids)
    ]
    rows.sort(key=lambda r: r[:5])
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*COLUMNS, "text"] if with_text else COLUMNS)
    # Names and passages are neutralised (a leading ' before =, +, -, @) so that a spreadsheet
    # never runs them; import_codings undoes it, so the exchange stays lossless.
    texts: dict[int, str] = {}
    for *fields, document_id in rows:
        if with_text:
            text = texts.setdefault(document_id, store.documents.text(document_id))
            fields.append(text[fields[1] : fields[2]])
        writer.writerow([neutralise(f) for f in fields])
    return out.getvalue()
