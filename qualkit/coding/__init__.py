"""Coding: a coder's session (toggle, undo, memos, completion), the codebook (YAML, edits), the
lossless CSV exchange of codings, retrieval of a code's passages, where to go next, and the key
contract."""

from __future__ import annotations

from qualkit.coding.codebook import (
    Codebook,
    CodeSpec,
    LoadReport,
    apply_codebook,
    dump_codebook,
    load_codebook,
    parse_codebook,
    project_codebook,
)
from qualkit.coding.csv_io import CodingsImport, export_codings, import_codings
from qualkit.coding.navigate import next_uncoded
from qualkit.coding.passages import Passage, retrieve
from qualkit.coding.session import CodingSession, Toggled

__all__ = [
    "CodeSpec",
    "Codebook",
    "CodingSession",
    "CodingsImport",
    "LoadReport",
    "Passage",
    "Toggled",
    "apply_codebook",
    "dump_codebook",
    "export_codings",
    "import_codings",
    "load_codebook",
    "next_uncoded",
    "parse_codebook",
    "project_codebook",
    "retrieve",
]
