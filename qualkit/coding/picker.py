"""Ranking codes for the type-ahead code picker: a few letters find any code, however many
codes there are (hotkeys run out long before a real codebook does)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qualkit.models import Code

_WORD = re.compile(r"[^\W_]+")


def _subsequence(query: str, text: str) -> bool:
    letters = iter(text)
    return all(ch in letters for ch in query)


def code_paths(codes: Sequence[Code]) -> dict[int, str]:
    """Each code's path in the tree, "Officer buy-in / Support"."""
    by_id = {c.id: c for c in codes}
    paths = {}
    for code in codes:
        names, parent, depth = [code.name], code.parent_id, 0
        while parent is not None and parent in by_id and depth < 20:
            names.append(by_id[parent].name)
            parent, depth = by_id[parent].parent_id, depth + 1
        paths[code.id] = " / ".join(reversed(names))
    return paths


def _score(query: str, name: str, path: str) -> int | None:
    """Lower is better; None when the code does not match at all."""
    if name.startswith(query):
        return 0
    if any(word.startswith(query) for word in _WORD.findall(name)):
        return 1
    if query in name:
        return 2
    if query in path:
        return 3
    if _subsequence(query, name):
        return 4
    return None


def rank_codes(codes: Sequence[Code], query: str, recent: Sequence[int] = ()) -> list[Code]:
    """The codes that match ``query`` (name prefix, then a word's prefix, then anywhere in the
    name or its path, then the letters in order), best first; ties go to the codes used most
    recently (``recent``, latest first), then to codebook order. An empty query lists every
    code, recent ones first."""
    query = query.strip().casefold()
    recency = {code_id: i for i, code_id in enumerate(recent)}
    paths = code_paths(codes)
    ranked = []
    for position, code in enumerate(codes):
        score = 0 if not query else _score(query, code.name.casefold(), paths[code.id].casefold())
        if score is not None:
            ranked.append(((score, recency.get(code.id, len(recency)), position), code))
    return [code for _, code in sorted(ranked, key=lambda item: item[0])]
