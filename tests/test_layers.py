"""The architecture's layers, checked over every module of the package (not a hand-kept list).

Each contract reads the imports (top level and inside functions) and the calls of every file
under ``qualkit/`` with ``ast``. A new module is covered the moment it exists, and each contract
is shown to catch a planted violation, so the checker itself cannot silently pass.
"""

from __future__ import annotations

import ast
import builtins
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "qualkit"

# Libraries too slow to import on the paths of `--help`, `status` and `code`: only inside the
# functions that need them, anywhere in the package.
HEAVY = {
    "bertopic", "torch", "spacy", "thinc", "sklearn", "statsmodels", "pandas", "matplotlib",
    "sentence_transformers", "umap", "hdbscan", "scipy", "presidio_analyzer", "docx", "openpyxl",
}
# numpy costs about 0.1 s: fine at the top of the numeric packages, not on the start-up path.
NUMERIC = ("agreement", "outcomes", "integrate", "topics", "redact", "report")
SQL_CALLS = {"execute", "executemany", "executescript"}


@dataclass(frozen=True)
class Imported:
    module: str  # absolute dotted name
    line: int
    top_level: bool


def package_of(path: Path) -> str:
    """``qualkit/agreement/stats/alpha.py`` -> ``qualkit.agreement.stats.alpha``."""
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(tree: ast.Module, module: str, *, is_package: bool) -> list[Imported]:
    top = {id(node) for node in tree.body}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [Imported(a.name, node.lineno, id(node) in top) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolve against this module's package
                anchor = module.split(".")
                anchor = anchor if is_package else anchor[:-1]
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            names = [f"{base}.{a.name}" for a in node.names] if base == "qualkit" else [base]
            found += [Imported(name, node.lineno, id(node) in top) for name in names]
    return found


def _root(name: str) -> str:
    return name.split(".")[0]


def _under(module: str, *packages: str) -> bool:
    return any(module == f"qualkit.{p}" or module.startswith(f"qualkit.{p}.") for p in packages)


def violations(path: Path, source: str) -> list[str]:
    """Every broken contract in one module, as ``file:line: what``."""
    module = package_of(path)
    tree = ast.parse(source)
    where = path.relative_to(PACKAGE.parent)
    out = []
    for imp in imports(tree, module, is_package=path.name == "__init__.py"):
        root = _root(imp.module)
        if root == "textual" and not _under(module, "tui"):
            out.append(f"{where}:{imp.line}: imports textual outside qualkit.tui")
        if root in {"click", "rich"} and not _under(module, "cli", "tui"):
            out.append(f"{where}:{imp.line}: imports {root} outside the CLI and the TUI")
        if _under(imp.module, "tui") and not _under(module, "tui", "cli"):
            out.append(f"{where}:{imp.line}: the domain imports the TUI")
        if _under(imp.module, "cli") and not _under(module, "cli", "__main__"):
            out.append(f"{where}:{imp.line}: imports the CLI")
        if _under(imp.module, "store", "cli", "tui") and _under(
                module, "agreement.stats", "integrate.stats", "outcomes"):
            out.append(f"{where}:{imp.line}: a statistics package reads the project")
        if root == "sqlite3" and not _under(module, "store"):
            out.append(f"{where}:{imp.line}: sqlite3 outside qualkit.store")
        if imp.top_level and root in HEAVY:
            out.append(f"{where}:{imp.line}: {root} imported at module level")
        if imp.top_level and root == "numpy" and not _under(module, *NUMERIC):
            out.append(f"{where}:{imp.line}: numpy imported at module level on a start-up path")
    if not _under(module, "store"):
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in SQL_CALLS | {"_sql"}):
                out.append(f"{where}:{node.lineno}: runs SQL outside qualkit.store")
    return out


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_every_module_keeps_the_layers(path):
    assert violations(path, path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    ("where", "source", "complaint"),
    [
        ("agreement/project.py", "import textual\n", "textual outside"),
        ("agreement/reconcile.py", "def f():\n    from textual.app import App\n",
         "textual outside"),
        ("coding/session.py", "from rich.table import Table\n", "rich outside"),
        ("ingest/importer.py", "from qualkit.tui.app import make_app\n", "domain imports the TUI"),
        ("agreement/stats/alpha.py", "from qualkit.store import Store\n", "statistics package"),
        ("outcomes/effects.py", "def f():\n    from ..store import Store\n",
         "statistics package"),
        ("coding/codebook.py", "def f(store):\n    store._sql('UPDATE codes SET x = 1')\n",
         "SQL outside"),
        ("integrate/links.py", "def f(db):\n    db.execute('SELECT 1')\n", "SQL outside"),
        ("topics/fit.py", "import bertopic\n", "bertopic imported at module level"),
        ("coding/session.py", "import numpy as np\n", "numpy imported at module level"),
        ("report/html.py", "import sqlite3\n", "sqlite3 outside"),
    ],
)
def test_a_planted_violation_is_caught(where, source, complaint):
    found = violations(PACKAGE / where, source)
    assert any(complaint in v for v in found), found


def test_allowed_imports_pass():
    assert violations(PACKAGE / "tui/app.py", "import textual\nimport rich\n") == []
    assert violations(PACKAGE / "agreement/units.py", "import numpy as np\n") == []
    assert violations(PACKAGE / "store/codes.py", "def f(s):\n    s._sql('SELECT 1')\n") == []
    assert violations(PACKAGE / "topics/fit.py", "def f():\n    import bertopic\n") == []


# -- no mixins, no long modules ---------------------------------------------------------------

MAX_LINES = 400


def mixins(path: Path, source: str) -> list[str]:
    """Classes that take a class of qualkit as one of several bases: a mixin that splits one
    class over files while sharing all its state. Compose instead (an object the class owns,
    with explicit arguments). Textual, stdlib and typing bases may be combined freely, and an
    error may also be a builtin error (``class Busy(StorageError, TimeoutError)``)."""
    tree = ast.parse(source)
    where = path.relative_to(PACKAGE.parent)
    ours = {node.name for node in ast.walk(tree) if isinstance(node, ast.ClassDef)}
    modules = set()  # names bound to a module of qualkit: ``from qualkit.tui import widgets``
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith(
                "qualkit")):
            ours |= {a.asname or a.name for a in node.names}
        elif isinstance(node, ast.Import):
            modules |= {a.asname or a.name.split(".")[0] for a in node.names
                        if _root(a.name) == "qualkit"}
    modules |= ours  # ``panels.CodebookPanel`` after ``from qualkit.tui.widgets import panels``

    def from_qualkit(base: ast.expr) -> bool:
        if isinstance(base, ast.Name):
            return base.id in ours
        while isinstance(base, ast.Attribute):
            base = base.value
        return isinstance(base, ast.Name) and base.id in modules

    out = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.ClassDef) or len(node.bases) < 2:
            continue
        names = [ast.unparse(b) for b in node.bases]
        if any(isinstance(getattr(builtins, n, None), type)
               and issubclass(getattr(builtins, n), BaseException) for n in names):
            continue
        for base, name in zip(node.bases, names, strict=True):
            if from_qualkit(base):
                out.append(f"{where}:{node.lineno}: {node.name} mixes in {name}, a class of "
                           "qualkit: compose (an object it owns) instead")
    return out


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_class_is_split_over_mixins(path):
    assert mixins(path, path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    ("where", "source"),
    [
        # The two mixins issue 11 took out, as they were.
        ("tui/widgets/transcript.py",
         "from textual.scroll_view import ScrollView\n"
         "from qualkit.tui.widgets.transcript_paint import TranscriptPainting\n"
         "class TranscriptView(TranscriptPainting, ScrollView, can_focus=True):\n    pass\n"),
        ("tui/screens/coding.py",
         "from textual.screen import Screen\n"
         "from qualkit.tui.screens.coding_links import CodingLinks\n"
         "class CodingScreen(CodingLinks, Screen):\n    pass\n"),
        ("tui/screens/coding.py",
         "from textual.screen import Screen\n"
         "from .coding_links import CodingLinks\n"
         "class CodingScreen(Screen, CodingLinks):\n    pass\n"),
        ("tui/app.py",
         "from textual.app import App\nclass Keys:\n    pass\nclass QualkitApp(Keys, App):\n"
         "    pass\n"),
        ("tui/app.py",
         "from textual.app import App\nimport qualkit.tui.parts\n"
         "class QualkitApp(qualkit.tui.parts.Keys, App):\n    pass\n"),
    ],
)
def test_a_planted_mixin_is_caught(where, source):
    assert any("mixes in" in v for v in mixins(PACKAGE / where, source))


def test_textual_stdlib_and_error_bases_combine_freely():
    sources = [
        "from textual.widgets import Static\nfrom textual.containers import Horizontal\n"
        "class Bar(Static, Horizontal):\n    pass\n",
        "from enum import Enum\nclass Kind(str, Enum):\n    pass\n",
        "from typing import Generic, TypeVar\nT = TypeVar('T')\n"
        "class Box(dict, Generic[T]):\n    pass\n",
        "from qualkit.errors import StorageError\nclass Busy(StorageError, TimeoutError):\n"
        "    pass\n",
        "from textual.screen import Screen\nclass CodingScreen(Screen):\n    pass\n",
    ]
    for source in sources:
        assert mixins(PACKAGE / "tui/app.py", source) == [], source


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_over_400_lines(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    where = path.relative_to(PACKAGE.parent)
    assert lines <= MAX_LINES, f"{where}: {lines} lines; split it by what it does, not into mixins"
