"""Exchange: REFI-QDA projects (.qdpx) and codebooks (.qdc) in and out, exports for analysis with
full provenance (CSV, XLSX, JSON; the codebook as Markdown and DOCX), and merging coders' project
files into a master.

Files from other programs come from strangers: archives and XML are read within limits
(``Limits``), and an import is one transaction that a refusal leaves untouched.
"""

from __future__ import annotations

from qualkit.exchange.analysis import coded_segments, write_csv, write_json, write_xlsx
from qualkit.exchange.codebook_docs import (
    codebook_markdown,
    write_codebook_docx,
    write_codebook_markdown,
)
from qualkit.exchange.codebook_qdc import QdcLoadReport, export_qdc, load_qdc, read_qdc
from qualkit.exchange.merge import FileReport, MergeReport, merge_projects
from qualkit.exchange.refi_export import ExportSummary, export_qdpx
from qualkit.exchange.refi_import import RefiImportReport, describe, import_refi
from qualkit.exchange.safety import DEFAULT_LIMITS, Limits

__all__ = [
    "DEFAULT_LIMITS",
    "ExportSummary",
    "FileReport",
    "Limits",
    "MergeReport",
    "QdcLoadReport",
    "RefiImportReport",
    "codebook_markdown",
    "coded_segments",
    "describe",
    "export_qdc",
    "export_qdpx",
    "import_refi",
    "load_qdc",
    "merge_projects",
    "read_qdc",
    "write_codebook_docx",
    "write_codebook_markdown",
    "write_csv",
    "write_json",
    "write_xlsx",
]
