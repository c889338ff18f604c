"""Codings as a pandas DataFrame: one row per coded passage with its text and provenance."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from typing import TYPE_CHECKING

from qualkit.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

    from qualkit.models import Code
    from qualkit.store import Store

COLUMNS = ["document", "start", "end", "code", "code_path", "coder", "speaker", "text",
           "created_at"]


def code_paths(codes: list[Code]) -> dict[int, str]:
    """``Parent > Child`` for every code id."""
    by_id = {c.id: c for c in codes}

    def path(code: Code) -> str:
        names, seen = [code.name], {code.id}
        while code.parent_id is not None and code.parent_id in by_id:
            code = by_id[code.parent_id]
            if code.id in seen:  # a corrupt cycle must not hang an export
                break
            seen.add(code.id)
            names.append(code.name)
        return " > ".join(reversed(names))

    return {c.id: path(c) for c in codes}


def codings_frame(store: Store, *, coders: Sequence[str] | None = None) -> pd.DataFrame:
    """Every coding (or those of ``coders``) in document order, with the speaker of the segment
    where it starts and the coded text."""
    import pandas as pd

    names = {c.id: c.name for c in store.codings.coders()}
    ids = None
    if coders:
        unknown = sorted(set(coders) - set(names.values()))
        if unknown:
            raise InputError(f"unknown coder {', '.join(unknown)}; coders: "
                             f"{', '.join(sorted(names.values())) or 'none yet'}")
        ids = [i for i, n in names.items() if n in coders]
    codes = store.codes.list(include_retired=True)
    code_names, paths = {c.id: c.name for c in codes}, code_paths(codes)
    documents = {d.id: d.name for d in store.documents.list()}
    rows, current, text, starts, segments = [], None, "", [], []
    for c in store.codings.all(coder_ids=ids):
        if c.document_id != current:
            current = c.document_id
            text = store.documents.text(current)
            segments = store.documents.segments(current)
            starts = [s.start for s in segments]
        at = bisect_right(starts, c.start) - 1
        speaker = segments[at].speaker if at >= 0 else None
        rows.append((documents[c.document_id], c.start, c.end, code_names[c.code_id],
                     paths[c.code_id], names[c.coder_id], speaker, text[c.start:c.end],
                     c.created_at))
    return pd.DataFrame(rows, columns=COLUMNS)
