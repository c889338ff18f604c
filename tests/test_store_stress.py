"""Fast CI variants of the stress scenarios (full size: tests/stress/, see its module doc)."""

from __future__ import annotations

from tests.stress_scenarios import (
    concurrent_coders_and_imports,
    kills_during_import_and_codebook_load,
    kills_in_a_coding_loop,
)


def test_kills_at_random_moments_of_a_coding_loop_lose_nothing(sample_project):
    outcome = kills_in_a_coding_loop(sample_project, kills=6, seed=1)
    assert outcome.acknowledged > 0
    assert outcome.lost == [] and outcome.errors == []
    assert outcome.integrity == "ok"


def test_kills_during_import_and_codebook_load_are_all_or_nothing(sample_project, tmp_path):
    outcome = kills_during_import_and_codebook_load(sample_project, tmp_path, kills=4, seed=1)
    assert outcome.lost == []
    assert outcome.integrity == "ok"


def test_coders_and_imports_at_once_lose_nothing_and_show_no_error(sample_project, tmp_path):
    outcome = concurrent_coders_and_imports(
        sample_project, tmp_path, coders=3, codings=150, import_loops=2, imports=3
    )
    assert outcome.errors == []
    assert outcome.acknowledged >= 3 * 140  # a random passage may repeat one already coded
    assert outcome.lost == []
    assert outcome.extra["imports_ok"] == 6
    assert outcome.extra["imported_rows"] > 0
    assert outcome.integrity == "ok"
