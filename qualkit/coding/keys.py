"""The key contract of the workbench: one table per screen, from which the screens' bindings,
the footer, the `?` help, the keys a codebook hotkey may not take and README's key tour all come.

Keys are spelled as Textual names ("j", "J", "ctrl+r", "slash", "escape") so that this module
needs no Textual import; ``shown`` is how a person reads them.
"""

from __future__ import annotations

import string
from dataclasses import dataclass

# Textual's names of the punctuation keys that the tables bind, and the character each types.
_CHARACTERS = {
    "slash": "/",
    "question_mark": "?",
    "space": " ",
    "greater_than_sign": ">",
    "less_than_sign": "<",
}
# Leaving a screen and its help: the footer shows them first, so they never scroll out of sight.
_LEAVING = ("quit", "back", "app.help")


@dataclass(frozen=True, slots=True)
class Key:
    """One row of a screen's key table.

    ``binds`` are (Textual key names, action) pairs bound on the screen; empty when a widget or
    Textual itself handles the key (arrows in lists, tab, the command palette). ``footer`` is the
    short label shown in the footer for the first pair; empty keeps the row out of the footer.
    """

    shown: str
    help: str
    binds: tuple[tuple[str, str], ...] = ()
    footer: str = ""


@dataclass(frozen=True, slots=True)
class KeyTable:
    """The keys of one screen."""

    name: str
    title: str
    keys: tuple[Key, ...]

    def footer_order(self) -> list[tuple[str, str, str]]:
        """(Textual keys, action, footer label or "") in binding order: leaving keys first."""
        rows = [
            (keys, action, key.footer if i == 0 else "")
            for key in self.keys
            for i, (keys, action) in enumerate(key.binds)
        ]
        first = sorted((r for r in rows if r[1] in _LEAVING), key=lambda r: _LEAVING.index(r[1]))
        return first + [r for r in rows if r[1] not in _LEAVING]

    def bound_keys(self) -> set[str]:
        """Every Textual key name bound on the screen."""
        return {name for key in self.keys for keys, _ in key.binds for name in keys.split(",")}


def _k(shown: str, help_: str, *binds: tuple[str, str], footer: str = "") -> Key:
    return Key(shown, help_, tuple(binds), footer)


# The app carries the help action; each screen binds `?` to it so the footer shows it up front.
HELP = _k("?", "this help (every screen)", ("question_mark", "app.help"), footer="keys")

CODING = KeyTable("coding", "Keys of the coding screen", (
    _k("j / ↓", "next segment", ("j", "move(1)")),
    _k("k / ↑", "previous segment", ("k", "move(-1)")),
    _k("J / shift+↓", "extend the selection down", ("J", "move(1, True)")),
    _k("K / shift+↑", "extend the selection up", ("K", "move(-1, True)")),
    _k("g / G (home / end)", "first / last segment", ("g", "edge(-1)"), ("G", "edge(1)")),
    _k("1 … 9", "toggle the 1st … 9th code (codebook order) on the selection",
       *((str(n), f"apply_nth({n - 1})") for n in range(1, 10))),
    _k("code hotkey", "toggle that code on the selection (hotkeys are set in the codebook)"),
    _k("space", "code picker: type a few letters of a code or its path, enter toggles it "
       "(recent first)", ("space", "pick_code"), footer="code"),
    _k("v", "word mode: select part of the segment (esc leaves)",
       ("v", "span_mode"), ("escape", "leave_span"), footer="words"),
    _k("h / l (← / →)", "in word mode: previous / next word", ("h", "word(-1)"), ("l", "word(1)")),
    _k("H / L (shift+← / shift+→)", "in word mode: extend the selection by a word",
       ("H", "word(-1, True)"), ("L", "word(1, True)")),
    _k("u", "undo (per coder; survives a restart)", ("u", "undo"), footer="undo"),
    _k("ctrl+r", "redo", ("ctrl+r", "redo")),
    _k("/", "search all documents, jump to a hit (hits are highlighted in the transcript)",
       ("slash", "search"), footer="search"),
    _k("n", "next segment I have not coded (skips interviewer and facilitator turns)",
       ("n", "next_uncoded")),
    _k("m", "memo on the selection (in the codebook pane: on the highlighted code)",
       ("m", "memo"), footer="memo"),
    _k("d", "definition, rules and example of the segment's codes (or the highlighted one)",
       ("d", "definition")),
    _k("c", "show only segments with a chosen code (again to show all)",
       ("c", "filter"), footer="filter"),
    _k("D", "mark this document done / not done (agreement compares done documents)",
       ("D", "done"), footer="done"),
    _k("P", "passages: every passage of a code across documents; enter jumps to one",
       ("P", "retrieve"), footer="passages"),
    _k("B", "codebook editor: add, rename, move, merge, retire codes; export YAML",
       ("B", "codebook")),
    _k("M", "all memos, filtered by document, code and coder; jump to one", ("M", "memos")),
    _k("A", "agreement: per-code table of the statistics, sortable, marked against thresholds",
       ("A", "agreement")),
    _k("R", "reconcile two coders' disagreements into `consensus` codings, one by one",
       ("R", "reconcile")),
    _k("T", "topics: fit BERTopic, see candidate new themes, promote one to a code, review",
       ("T", "topics")),
    _k("O", "joint display: outcome effects beside linked themes; set links, fit, meta-inference",
       ("O", "joint")),
    _k("tab / shift+tab", "cycle panes: documents, transcript, codebook"),
    _k("enter / click", "in the documents: open; in the codebook: apply the code"),
    _k("ctrl+p", "command palette (also: show other coders, theme, quit)"),
    HELP,
    _k("q", "quit (everything is already saved)", ("q", "quit"), footer="quit"),
))

CODEBOOK = KeyTable("codebook", "Keys of the codebook editor", (
    _k("j / k (↓ / ↑)", "next / previous code", ("j", "cursor(1)"), ("k", "cursor(-1)")),
    _k("a", "add a code beside the highlighted one", ("a", "add(False)"), footer="add"),
    _k("A", "add a child code under the highlighted one", ("A", "add(True)")),
    _k("r", "rename", ("r", "rename"), footer="rename"),
    _k("e", "edit the definition", ("e", "edit_field('description')"), footer="definition"),
    _k("i", "edit the include rule (use when)", ("i", "edit_field('include')")),
    _k("x", "edit the exclude rule (do not use when)", ("x", "edit_field('exclude')")),
    _k("p", "edit the example", ("p", "edit_field('example')")),
    _k("t", "hotkey (one character that the coding screen does not use)", ("t", "hotkey")),
    _k("o", "colour (#rrggbb)", ("o", "color")),
    _k("K / J (shift+↑ / shift+↓)", "move up / down among its siblings",
       ("K,shift+up", "move('up')"), ("J,shift+down", "move('down')")),
    _k("> / <", "indent under the code above / outdent",
       ("greater_than_sign", "move('in')"), ("less_than_sign", "move('out')")),
    _k("M", "merge into another code (re-points every coder's codings)", ("M", "merge"),
       footer="merge"),
    _k("R", "retire / restore", ("R", "retire"), footer="retire"),
    _k("u", "undo", ("u", "undo"), footer="undo"),
    _k("ctrl+r", "redo", ("ctrl+r", "redo")),
    _k("E", "export the codebook as YAML", ("E", "export"), footer="export"),
    HELP,
    _k("esc / q", "back to the workbench (every change is already saved)",
       ("escape,q", "back"), footer="back"),
))

AGREEMENT = KeyTable("agreement", "Keys of the agreement screen", (
    _k("j / k (↓ / ↑)", "next / previous code", ("j", "cursor(1)"), ("k", "cursor(-1)")),
    _k("s", "sort by the next statistic (codebook, α, κ, agreement, AC1, name)", ("s", "sort"),
       footer="sort"),
    _k("o", "reverse the order", ("o", "reverse")),
    _k("t", "unit: segment or character", ("t", "unit"), footer="unit"),
    _k("c", "choose the coders compared (space ticks)", ("c", "coders"), footer="coders"),
    _k("R", "reconcile two of the chosen coders", ("R", "reconcile"), footer="reconcile"),
    HELP,
    _k("esc / q", "back to the workbench", ("escape,q", "back"), footer="back"),
))

RECONCILE = KeyTable("reconcile", "Keys of the reconciliation screen", (
    _k("a", "accept coder A's codes for this segment", ("a", "decide('a')"), footer="A"),
    _k("b", "accept coder B's codes", ("b", "decide('b')"), footer="B"),
    _k("2", "accept both (the union of their codes)", ("2", "decide('both')"), footer="both"),
    _k("x", "reject: keep only the codes both applied", ("x", "decide('reject')"),
       footer="reject"),
    _k("e", "edit: choose the consensus codes yourself", ("e", "edit"), footer="edit"),
    _k("r", "reason for the decision (kept in the audit trail)", ("r", "reason"),
       footer="reason"),
    _k("j / n / ↓", "next disagreement", ("j,n,down", "move(1)"), footer="next"),
    _k("k / p / ↑", "previous disagreement", ("k,p,up", "move(-1)")),
    _k("o", "next undecided disagreement", ("o", "next_open"), footer="open"),
    _k("u", "undo your last decision", ("u", "undo"), footer="undo"),
    _k("ctrl+r", "redo", ("ctrl+r", "redo")),
    HELP,
    _k("esc / q", "back (every decision is already saved)", ("escape,q", "back"),
       footer="back"),
))

TOPICS = KeyTable("topics", "Keys of the topics screen", (
    _k("f", "fit a new run in the background (asks the minimum topic size)", ("f", "fit"),
       footer="fit"),
    _k("j / k", "next / previous topic; its keywords and quotes show on the right",
       ("j", "cursor(1)"), ("k", "cursor(-1)")),
    _k("p", "promote the topic to a new emergent code (name seeded from its keywords)",
       ("p", "promote"), footer="promote"),
    _k("m", "map the topic to an existing code", ("m", "map"), footer="map"),
    _k("x", "dismiss the topic (small talk, noise), or restore a dismissed one",
       ("x", "dismiss_topic"), footer="dismiss"),
    _k("s", "code the promoted or mapped topic's segments as the machine coder 'bertopic'",
       ("s", "suggest"), footer="suggest"),
    _k("r", "review bertopic's suggestions: accept or reject each", ("r", "review"),
       footer="review"),
    HELP,
    _k("esc / q", "back", ("escape,q", "back"), footer="back"),
))

SUGGESTIONS = KeyTable("suggestions", "Keys of the suggestions review", (
    _k("j / k", "next / previous suggestion", ("j", "cursor(1)"), ("k", "cursor(-1)")),
    _k("a", "accept: the suggestion becomes your coding", ("a", "accept"), footer="accept"),
    _k("r", "reject it", ("r", "reject"), footer="reject"),
    HELP,
    _k("esc / q", "back", ("escape,q", "back"), footer="back"),
))

MEMOS = KeyTable("memos", "Keys of the memos screen", (
    _k("j / k", "next / previous memo", ("j", "cursor(1)"), ("k", "cursor(-1)")),
    _k("tab", "to the filters (document, code, coder) and back"),
    _k("enter", "jump to the memo's passage in the workbench"),
    HELP,
    _k("esc / q", "back", ("escape,q", "back"), footer="back"),
))

RETRIEVE = KeyTable("retrieve", "Keys of the passages screen", (
    _k("j / k", "next / previous passage", ("j", "cursor(1)"), ("k", "cursor(-1)")),
    _k("c", "choose the code (its sub-codes' passages are included)", ("c", "choose_code"),
       footer="code"),
    _k("tab", "to the filters (coder, document attribute) and back"),
    _k("enter", "jump to the passage in the workbench"),
    HELP,
    _k("esc / q", "back", ("escape,q", "back"), footer="back"),
))

JOINT = KeyTable("joint", "Keys of the joint display", (
    _k("j / k", "next / previous outcome", ("j", "cursor(1)"), ("k", "cursor(-1)")),
    _k("t", "link themes to the outcome (space ticks codes, enter keeps)", ("t", "themes"),
       footer="themes"),
    _k("f", "fit: confirmation, expansion, discordance or silence", ("f", "fit"), footer="fit"),
    _k("e", "write the meta-inference (ctrl+s keeps)", ("e", "meta"), footer="meta"),
    _k("tab, then enter", "on a quote: open its passage in the workbench"),
    _k("r", "next saved run", ("r", "next_run"), footer="run"),
    HELP,
    _k("esc / q", "back to the workbench", ("escape,q", "back"), footer="back"),
))

TABLES: tuple[KeyTable, ...] = (
    CODING, CODEBOOK, AGREEMENT, RECONCILE, TOPICS, SUGGESTIONS, MEMOS, RETRIEVE, JOINT,
)

# Backwards-compatible view of the coding screen's rows: (how it is written, what it does).
CODING_KEYS: list[tuple[str, str]] = [(k.shown, k.help) for k in CODING.keys]


def _character(name: str) -> str | None:
    if len(name) == 1:
        return name
    return _CHARACTERS.get(name)


def reserved_keys() -> frozenset[str]:
    """Characters a code's hotkey may not take: every key the coding screen binds (the `?` of
    the app included), and all capitals and digits, kept for screen keys to come."""
    bound = {_character(name) for name in CODING.bound_keys()}
    return frozenset(c for c in bound if c) | set(string.ascii_uppercase) | set(string.digits)


def markdown() -> str:
    """README's key tour: one table per screen (docs as tests: README must contain it)."""
    parts = []
    for table in TABLES:
        parts.append(f"**{table.title}**\n\n| key | what it does |\n|---|---|")
        parts.extend(f"| `{key.shown}` | {key.help} |" for key in table.keys)
        parts.append("")
    return "\n".join(parts).rstrip() + "\n"
