"""Start-up stays light: the CLI and the TUI import no heavy library, and the domain no UI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import cli

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


def _cli_loads(args: list[str]) -> set[str]:
    code = (
        f"import sys; sys.argv = ['qualkit', *{args!r}]\n"
        "from qualkit.cli import main\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    assert not exc.code, exc.code"
    )
    return _loaded_after(code)


# Issue 10 §2: importing a one-page file took 20-30 s because spaCy imports torch (thinc.compat).
NEVER_ON_THE_HOT_PATH = {"torch", "spacy", "thinc", "bertopic", "sentence_transformers"}


def test_import_command_loads_neither_spacy_nor_torch(empty_project, tmp_path):
    page = tmp_path / "one_page.txt"
    page.write_text("INTERVIEWER: How did it start? Dr. Lee called.\n\nP3: It was 5 p.m. Yes.\n")
    loaded = _cli_loads(["import", str(empty_project), str(page)])
    assert not loaded & (NEVER_ON_THE_HOT_PATH | {"numpy", "pandas", "textual"})


def test_agree_and_outcomes_and_code_load_no_torch(sample_project):
    root = Path(__file__).resolve().parent.parent
    cohort = root / "outcomes_sample" / "lead_cohort.csv"
    for coder in ("ana", "ben"):
        sheet = root / "transcripts_sample" / "codings" / f"{coder}.csv"
        assert cli("codings", "import", sample_project, sheet, "--coder", coder).exit_code == 0
        assert cli("codings", "done", sample_project, "--coder", coder, "--all").exit_code == 0
    agree = _cli_loads(["agree", str(sample_project), "--json"])
    outcomes = _cli_loads(
        ["outcomes", "match", str(cohort), "--treatment", "treated",
         "--covariates", "age,prior_citations", "--outcomes", "citations", "--json"]
    )
    code = _loaded_after("import qualkit.cli.tui\nimport qualkit.tui.app\nimport qualkit.demo")
    for loaded in (agree, outcomes, code):
        assert not loaded & NEVER_ON_THE_HOT_PATH
