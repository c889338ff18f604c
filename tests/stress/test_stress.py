"""The full-size stress runs behind README's figures; not part of the default test run.

    QUALKIT_STRESS=1 pytest tests/stress -s -p no:cacheprovider

Sizes can be changed with QUALKIT_KILLS (default 300), QUALKIT_IMPORT_KILLS (40),
QUALKIT_CODERS (4), QUALKIT_CODINGS (2000), QUALKIT_IMPORTS (10 per loop, 2 loops).
"""

from __future__ import annotations

import os

from tests.stress_scenarios import (
    concurrent_coders_and_imports,
    kills_during_import_and_codebook_load,
    kills_in_a_coding_loop,
)


def _size(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def _report(title: str, outcome) -> None:
    print(
        f"\n{title}: kills={outcome.kills} acknowledged={outcome.acknowledged} "
        f"lost={len(outcome.lost)} errors={len(outcome.errors)} integrity={outcome.integrity} "
        f"{outcome.extra}"
    )


def test_hundreds_of_kills_in_a_coding_loop(sample_project):
    outcome = kills_in_a_coding_loop(sample_project, kills=_size("QUALKIT_KILLS", 300), seed=7)
    _report("SIGKILLs of a coding loop", outcome)
    assert outcome.lost == [] and outcome.errors == [] and outcome.integrity == "ok"


def test_kills_during_import_and_codebook_load(sample_project, tmp_path):
    outcome = kills_during_import_and_codebook_load(
        sample_project, tmp_path, kills=_size("QUALKIT_IMPORT_KILLS", 40), seed=7
    )
    _report("SIGKILLs of import / codebook load", outcome)
    assert outcome.lost == [] and outcome.integrity == "ok"


def test_four_coders_and_two_import_loops(sample_project, tmp_path):
    outcome = concurrent_coders_and_imports(
        sample_project,
        tmp_path,
        coders=_size("QUALKIT_CODERS", 4),
        codings=_size("QUALKIT_CODINGS", 2000),
        import_loops=2,
        imports=_size("QUALKIT_IMPORTS", 10),
    )
    _report("coders x codings + import loops", outcome)
    assert outcome.errors == [] and outcome.lost == [] and outcome.integrity == "ok"
