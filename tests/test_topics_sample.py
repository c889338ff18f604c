"""The real thing, offline: all-MiniLM-L6-v2 from its package, UMAP and HDBSCAN on the sample
transcripts. The sample is embedded once (the module's fixture, through the CLI); later fits
read the cached embeddings from the project file.

The sample plants two themes its codebook lacks: housing scarcity (shelter beds, supportive
housing waitlists, motel vouchers, encampment sweeps, landlords) and data-sharing friction
(release-of-information forms, HIPAA, 42 CFR Part 2, an emailed spreadsheet, an agreement stuck
in county legal review). Which topics a fit finds depends on the seed and on the releases of
umap-learn and hdbscan, so the tests assert a rate over ten seeds, not one seed's topics
(bench/topics_seeds_bench.py prints the same rates).
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass

import pytest

from qualkit.store import Store
from qualkit.topics import fit as topics_fit
from qualkit.topics.embed import MODEL_NAME, code_vectors, unit_vectors
from qualkit.topics.mapping import map_topics
from qualkit.topics.units import keyword_text, select_units

from .conftest import ROOT, cli

pytestmark = pytest.mark.slow

HOUSING = re.compile(
    r"shelter|housing|housed|motel|voucher|encampment|camp|tent|sweep|swept|landlord|waitlist|"
    r"overpass|apartment|sidewalk|sleep", re.I)
DATA_SHARING = re.compile(
    r"release of information|\broi\b|hipaa|42 cfr|part 2|spreadsheet|data.?sharing|consent|"
    r"legal review|agreement|privacy|records", re.I)
THEMES = {"housing": HOUSING, "data sharing": DATA_SHARING}
SEEDS = range(10)
IS_THEME = 0.40  # a topic is a planted theme when this share of its units speaks of it
UNRELATED = 0.20  # a candidate is false when under this share speaks of either theme


@pytest.fixture(scope="module")
def fitted(_sample_project_template, tmp_path_factory):
    path = tmp_path_factory.mktemp("topics") / "sample.qualkit"
    shutil.copy(_sample_project_template, path)
    result = cli("topics", path, "--json")
    assert result.exit_code == 0, result.stderr
    return path, json.loads(result.stdout)


class _CachedOnly:
    """The cached embeddings of the fixture's run; embedding anything new is a test failure."""

    name, batch_size = MODEL_NAME, 32

    def encode(self, texts):
        raise AssertionError(f"{len(texts)} texts were not cached by the first run")


@dataclass
class SeedRun:
    seed: int
    found: dict[str, bool]  # per planted theme: is one of the candidates that theme?
    candidates: int
    false: int  # candidates that speak of neither theme


@pytest.fixture(scope="module")
def over_seeds(fitted) -> list[SeedRun]:
    """Refit the cached sample at ten seeds with qualkit's default parts and candidate rule,
    as `qualkit topics --seed S` does, and judge each run's candidates against the patterns."""
    path, _ = fitted
    with Store.open(path) as store:
        units = select_units(store)
        vectors, _ = unit_vectors(store, units, _CachedOnly())
        codes = store.codes.list()
        code_vecs = code_vectors(store, codes, _CachedOnly())
    texts = [keyword_text(u.text) for u in units]
    speaks = {name: [bool(p.search(u.text)) for u in units] for name, p in THEMES.items()}
    runs = []
    for seed in SEEDS:
        parts = topics_fit.default_parts(min_topic_size=25, seed=seed, embeddings=vectors)
        fit = topics_fit.fit_bertopic(texts, vectors, min_topic_size=25, nr_topics=None,
                                      n_keywords=10, parts=parts)
        candidates = [t for t in map_topics(fit, units, vectors, codes, code_vecs, [])
                      if t.candidate]
        shares = [{name: sum(hits[i] for i in t.members) / t.size
                   for name, hits in speaks.items()} for t in candidates]
        runs.append(SeedRun(
            seed, {name: any(s[name] >= IS_THEME for s in shares) for name in THEMES},
            len(candidates), sum(max(s.values()) < UNRELATED for s in shares)))
    return runs


def _planted(topic: dict, pattern: re.Pattern) -> bool:
    """A topic is about a planted theme when most of its quotes speak of it."""
    hits = sum(bool(pattern.search(q["text"])) for q in topic["quotes"])
    return hits >= (len(topic["quotes"]) + 1) // 2


def test_the_packaged_model_runs_end_to_end(fitted):
    path, data = fitted
    run = data["run"]
    assert run["model"] == MODEL_NAME and run["stats"]["embedded"] == run["stats"]["units"]
    assert run["stats"]["units"] > 1200 and len(data["topics"]) >= 5
    with Store.open(path) as store:
        vectors = store.topics.embeddings([1, 2, 3, 20], MODEL_NAME)
        assert vectors and all(len(v) == 384 * 4 for v in vectors.values())
    for topic in data["topics"]:
        assert topic["closest_code"] and -1 <= topic["similarity"] <= 1
        assert 3 <= len(topic["quotes"]) <= 5 and topic["coverage"] is None  # nothing coded


def test_each_planted_theme_is_a_candidate_in_nine_of_ten_seeds(over_seeds):
    for name in THEMES:
        missed = [r.seed for r in over_seeds if not r.found[name]]
        assert len(missed) <= 1, f"{name} is no candidate at seeds {missed}"
    # Few false alarms: at most one candidate per run that speaks of neither planted theme
    # (the rule before keyword support flagged three or four a run: docs/topics.md).
    assert all(r.false <= 1 for r in over_seeds), [(r.seed, r.false) for r in over_seeds]
    assert sum(r.false for r in over_seeds) <= 3


def test_a_refit_on_cached_embeddings_with_the_same_seed_is_identical(fitted):
    path, first = fitted
    again = cli("topics", path, "--json")
    assert again.exit_code == 0, again.stderr
    second = json.loads(again.stdout)
    assert second["run"]["stats"]["embedded"] == 0
    assert second["topics"] == first["topics"]


def test_coverage_by_human_coders_and_promoting_the_theme(fitted, over_seeds):
    path, _ = fitted
    seed = next(r.seed for r in over_seeds if r.found["housing"])  # the CLI at a seed that has it
    for coder in ("ana", "ben"):
        assert cli("codings", "import", path,
                   ROOT / "transcripts_sample" / "codings" / f"{coder}.csv").exit_code == 0
    data = json.loads(cli("topics", path, "--seed", str(seed), "--json").stdout)
    assert any(t["coverage"] for t in data["topics"])
    # Coverage may now take the housing topic off the candidates (where coders filed a few of
    # its units under its closest code): promote the housing topic, a candidate if one is.
    housing = min((t for t in data["topics"] if _planted(t, HOUSING)),
                  key=lambda t: not t["candidate_new"])
    result = cli("topics", "promote", path, "latest", str(housing["id"]),
                 "--name", "Housing scarcity", "--suggest")
    assert result.exit_code == 0, result.stderr
    with Store.open(path) as store:
        code = store.codes.by_name("Housing scarcity")
        assert code.origin == "emergent" and housing["keywords"][0] in code.description
        assert store.codings.count(code_id=code.id) == housing["size"]  # bertopic's only
