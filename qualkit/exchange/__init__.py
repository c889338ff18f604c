"""Exchange: REFI-QDA projects (.qdpx) and codebooks (.qdc) in and out, exports for analysis with
full provenance (CSV, XLSX, JSON; the codebook as Markdown and DOCX), and merging coders' project
files into a master.

Files from other programs come from strangers: archives and XML are read within limits
(``Limits``), and an import is one transaction that a refusal leaves untouched.
"""

from __future__ import annotations

from qualkit.exchange.refi_export import ExportSummary, export_qdpx
from qualkit.exchange.refi_import import RefiImportReport, import_refi
from qualkit.exchange.safety import DEFAULT_LIMITS, Limits

__all__ = [
    "DEFAULT_LIMITS",
    "ExportSummary",
    "Limits",
    "RefiImportReport",
    "export_qdpx",
    "import_refi",
]
