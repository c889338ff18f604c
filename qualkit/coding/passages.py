"""Retrieval: every passage of a code (and its sub-codes) across the documents, with speaker,
document and context; the most basic query of a QDA program (NVivo's node view, ATLAS.ti's
quotation manager, MAXQDA's retrieved segments)."""

from __future__ import annotations

import bisect
import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from qualkit.errors import QualkitError

if TYPE_CHECKING:
    from qualkit.models import Code, Document, Segment
    from qualkit.store import Store

# Document fields a filter may name besides the free attributes (documents.csv columns).
_FIELDS = ("kind", "role", "site", "date", "case_id", "format")


@dataclass(frozen=True, slots=True)
class Passage:
    """One coded passage: ``text`` is the coded span; ``before`` / ``after`` the segments around
    it; ``speaker`` the speaker of its first segment."""

    code: str
    coder: str
    document: str
    document_id: int
    start: int
    end: int
    speaker: str | None
    text: str
    before: str
    after: str

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


FIELDS = tuple(f.name for f in dataclasses.fields(Passage))


def code_and_descendants(codes: Sequence[Code], name: str) -> list[Code]:
    """The code called ``name`` and every code under it, in codebook order."""
    by_name = {c.name: c for c in codes}
    if name not in by_name:
        known = ", ".join(sorted(by_name)) or "none yet"
        raise QualkitError(f"no code named '{name}' (codes: {known})")
    wanted = {by_name[name].id}
    grew = True
    while grew:  # codebooks are small: a few passes over the list beat building a tree
        more = {c.id for c in codes if c.parent_id in wanted} - wanted
        wanted |= more
        grew = bool(more)
    return [c for c in codes if c.id in wanted]


def document_value(document: Document, key: str) -> str | None:
    """A document's value for ``key``: one of its fields, or one of its free attributes."""
    value = getattr(document, key) if key in _FIELDS else document.attributes.get(key)
    return None if value is None else str(value)


def _matches(document: Document, where: Mapping[str, str]) -> bool:
    return all(document_value(document, k) == str(v) for k, v in where.items())


def retrieve(
    store: Store,
    code: str,
    *,
    coders: Sequence[str] | None = None,
    where: Mapping[str, str] | None = None,
    subcodes: bool = True,
) -> list[Passage]:
    """Every passage coded ``code`` (and, with ``subcodes``, any code under it).

    Args:
        store: the open project.
        code: the code's name.
        coders: only these coders' passages (default: every coder's).
        where: only documents whose field or attribute equals the value, e.g.
            ``{"site": "Eastside"}``; several keys must all match.
        subcodes: include the passages of the code's descendants.

    Returns:
        Passages in reading order: document, then position, then coder.
    """
    codes = store.codes.list(include_retired=True)
    chosen = code_and_descendants(codes, code)
    if not subcodes:
        chosen = [c for c in chosen if c.name == code]
    coder_ids = None if coders is None else _coder_ids(store, coders)
    documents = {d.id: d for d in store.documents.list()}
    if where:
        _check_keys(documents.values(), where)
        documents = {i: d for i, d in documents.items() if _matches(d, where)}
    names = {c.id: c.name for c in codes}
    coder_names = {c.id: c.name for c in store.codings.coders()}
    found: list[Passage] = []
    context: dict[int, tuple[str, list[Segment], list[int]]] = {}
    for coding in store.codings.for_codes([c.id for c in chosen], coder_ids=coder_ids):
        if coding.document_id not in documents:
            continue
        if coding.document_id not in context:
            segments = store.documents.segments(coding.document_id)
            context[coding.document_id] = (
                store.documents.text(coding.document_id),
                segments,
                [s.start for s in segments],
            )
        text, segments, starts = context[coding.document_id]
        first = max(bisect.bisect_right(starts, coding.start) - 1, 0)
        last = max(bisect.bisect_left(starts, coding.end) - 1, first)
        found.append(Passage(
            code=names[coding.code_id],
            coder=coder_names.get(coding.coder_id, "?"),
            document=documents[coding.document_id].name,
            document_id=coding.document_id,
            start=coding.start,
            end=coding.end,
            speaker=segments[first].speaker if segments else None,
            text=text[coding.start : coding.end],
            before=segments[first - 1].text if first > 0 else "",
            after=segments[last + 1].text if last + 1 < len(segments) else "",
        ))
    return found


def _coder_ids(store: Store, names: Sequence[str]) -> list[int]:
    ids = []
    for name in names:
        coder = store.codings.coder(name)
        if coder is None:
            known = ", ".join(c.name for c in store.codings.coders()) or "none yet"
            raise QualkitError(f"no coder named '{name}' (coders: {known})")
        ids.append(coder.id)
    return ids


def _check_keys(documents, where: Mapping[str, str]) -> None:
    for key in where:
        if key not in _FIELDS and not any(key in d.attributes for d in documents):
            raise QualkitError(
                f"no document has an attribute '{key}' (fields: {', '.join(_FIELDS)})"
            )


def attribute_values(store: Store) -> dict[str, list[str]]:
    """Every document field and attribute that has a value, with its values (for filters)."""
    values: dict[str, set[str]] = {}
    for document in store.documents.list():
        keys = [*_FIELDS, *document.attributes]
        for key in keys:
            value = document_value(document, key)
            if value not in (None, ""):
                values.setdefault(key, set()).add(value)
    return {k: sorted(v) for k, v in sorted(values.items())}


# -- renderings (the CLI's --csv, --json and --markdown) -----------------------------------------


def passages_csv(passages: Sequence[Passage]) -> str:
    """CSV with a header; cells a spreadsheet would run as a formula are made plain text."""
    import csv
    import io

    from qualkit.exchange.analysis import neutralise

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(FIELDS)
    for passage in passages:
        writer.writerow([neutralise(v) for v in dataclasses.astuple(passage)])
    return out.getvalue()


def passages_json(passages: Sequence[Passage], *, code: str) -> str:
    import json

    data = {"code": code, "passages": [p.as_dict() for p in passages]}
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def passages_markdown(passages: Sequence[Passage], *, code: str) -> str:
    """A reading copy: one quotation per passage, grouped by document."""
    lines = [f"# Passages of '{code}'", "", f"{len(passages)} passages.", ""]
    document = None
    for p in passages:
        if p.document != document:
            document = p.document
            lines += [f"## {document}", ""]
        who = f"**{p.speaker}**: " if p.speaker else ""
        quoted = " ".join(p.text.split())
        lines += [f"> {who}{quoted}", ">", f"> — {p.code}, coded by {p.coder} "
                  f"(characters {p.start}–{p.end})", ""]
    return "\n".join(lines)
