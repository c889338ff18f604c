"""The key contract of the coding screen: one table for the `?` screen, README and the tests."""

from __future__ import annotations

CODING_KEYS: list[tuple[str, str]] = [
    ("j / ↓", "next segment"),
    ("k / ↑", "previous segment"),
    ("J / shift+↓", "extend the selection down"),
    ("K / shift+↑", "extend the selection up"),
    ("g / G (home / end)", "first / last segment"),
    ("1 … 9", "toggle the 1st … 9th code (codebook order) on the selection"),
    ("code hotkey", "toggle that code on the selection (hotkeys are set in the codebook)"),
    ("v", "word mode: select part of the segment (h / l move, H / L extend, esc leaves)"),
    ("u", "undo (per coder; survives a restart)"),
    ("ctrl+r", "redo"),
    ("/", "search all documents, jump to a hit"),
    ("n", "next segment I have not coded (skips interviewer and facilitator turns)"),
    ("m", "memo on the selection (in the codebook pane: on the highlighted code)"),
    ("d", "definition, rules and example of the segment's codes (or the highlighted one)"),
    ("c", "show only segments with a chosen code (again to show all)"),
    ("D", "mark this document done / not done (agreement compares done documents)"),
    ("B", "codebook editor: add, rename, move, merge, retire codes; export YAML"),
    ("M", "all memos, filtered by document, code and coder; jump to one"),
    ("A", "agreement: per-code table of the statistics, sortable, marked against thresholds"),
    ("R", "reconcile two coders' disagreements into `consensus` codings, one by one"),
    ("T", "topics: fit BERTopic, see candidate new themes, promote one to a code, review"),
    ("O", "joint display: outcome effects beside linked themes; set links, fit, meta-inference"),
    ("tab / shift+tab", "cycle panes: documents, transcript, codebook"),
    ("enter / click", "in the documents: open; in the codebook: apply the code"),
    ("ctrl+p", "command palette (also: show other coders, theme, quit)"),
    ("?", "this help"),
    ("q", "quit (everything is already saved)"),
]
