"""Start-up stays light: the CLI and the TUI import no heavy library, and the domain no UI."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = (
    "bertopic",
    "torch",
    "spacy",
    "sklearn",
    "statsmodels",
    "pandas",
    "sentence_transformers",
    "matplotlib",
    "umap",
    "hdbscan",
    "numpy",
    "rich",
)


def _loaded_after(code: str) -> set[str]:
    probe = f"import sys\n{code}\nprint(' '.join(sorted(m.split('.')[0] for m in sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


@pytest.mark.parametrize("args", [["--help"], ["status", "--help"], ["codings", "--help"]])
def test_cli_start_loads_nothing_heavy(args):
    code = (
        f"import sys; sys.argv = ['qualkit', *{args!r}]\n"
        "from qualkit.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass"
    )
    assert not _loaded_after(code) & set(HEAVY)


def test_status_loads_nothing_heavy(sample_project):
    code = (
        f"import sys; sys.argv = ['qualkit', 'status', {str(sample_project)!r}, '--json']\n"
        "from qualkit.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass"
    )
    assert not _loaded_after(code) & set(HEAVY)


@pytest.mark.parametrize(
    ("module", "allowed"),
    [
        ("qualkit", set()),
        ("qualkit.store", set()),
        ("qualkit.coding", set()),
        ("qualkit.ingest", set()),
        ("qualkit.agreement", {"numpy"}),
        ("qualkit.topics", {"numpy"}),
        ("qualkit.outcomes", {"numpy"}),
    ],
)
def test_domain_packages_never_load_ui_or_heavy_libraries(module, allowed):
    """What importing a package's API loads, transitively (tests/test_layers.py checks each
    module's own imports)."""
    loaded = _loaded_after(f"import {module}")
    assert not loaded & {"textual", "click", "rich"}
    assert not loaded & (set(HEAVY) - allowed)


def test_tui_import_loads_no_heavy_library():
    loaded = _loaded_after("import qualkit.tui.app\nimport qualkit.tui.screens.coding")
    assert not loaded & {
        "bertopic",
        "torch",
        "spacy",
        "sklearn",
        "sentence_transformers",
        "statsmodels",
        "pandas",
        "umap",
        "hdbscan",
        "matplotlib",
    }
