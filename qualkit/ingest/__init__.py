"""Transcripts in: reading each format, speaker turns, sentence units, metadata, re-anchoring.

``import_transcripts(store, paths)`` is the one call the CLI, the TUI's demo and notebooks use;
``read_transcript(path, data)`` parses one file without a project (tests, dry runs).
"""

from __future__ import annotations

from qualkit.ingest.files import collect
from qualkit.ingest.importer import ImportReport, import_transcripts
from qualkit.ingest.metadata import DocumentMeta, auto_roles, is_researcher, read_metadata
from qualkit.ingest.speakers import SpeakerReport
from qualkit.ingest.transcripts import FORMATS, Transcript, Turn, read_transcript, trim_span

__all__ = [
    "FORMATS",
    "DocumentMeta",
    "ImportReport",
    "SpeakerReport",
    "Transcript",
    "Turn",
    "auto_roles",
    "collect",
    "import_transcripts",
    "is_researcher",
    "read_metadata",
    "read_transcript",
    "trim_span",
]
