"""The real thing, offline: all-MiniLM-L6-v2 from its package, UMAP and HDBSCAN on the nine
sample transcripts. The sample is embedded once (the module's fixture, through the CLI); later
fits read the cached embeddings from the project file.

The sample plants two themes its codebook lacks: housing scarcity (shelter beds, supportive
housing waitlists, motel vouchers, encampment sweeps, landlords) and data-sharing friction
(release-of-information forms, HIPAA, 42 CFR Part 2, an emailed spreadsheet, an agreement stuck
in county legal review).
"""

from __future__ import annotations

import json
import re
import shutil

import pytest

from qualkit.store import Store
from qualkit.topics.embed import MODEL_NAME

from .conftest import ROOT, cli

pytestmark = pytest.mark.slow

HOUSING = re.compile(
    r"shelter|housing|housed|motel|voucher|encampment|camp|tent|sweep|swept|landlord|waitlist|"
    r"overpass|apartment|sidewalk|sleep", re.I)
DATA_SHARING = re.compile(
    r"release of information|\broi\b|hipaa|42 cfr|part 2|spreadsheet|data.?sharing|consent|"
    r"legal review|agreement|privacy|records", re.I)


@pytest.fixture(scope="module")
def fitted(_sample_project_template, tmp_path_factory):
    path = tmp_path_factory.mktemp("topics") / "sample.qualkit"
    shutil.copy(_sample_project_template, path)
    result = cli("topics", path, "--json")
    assert result.exit_code == 0, result.stderr
    return path, json.loads(result.stdout)


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


def test_a_planted_theme_the_codebook_lacks_is_a_candidate(fitted):
    _, data = fitted
    candidates = [t for t in data["topics"] if t["candidate_new"]]
    housing = [t for t in candidates if _planted(t, HOUSING)]
    assert housing, [(t["keywords"][:6], t["similarity"]) for t in candidates]
    assert all(t["similarity"] < 0.45 for t in housing)
    data_sharing = [t for t in data["topics"] if _planted(t, DATA_SHARING)]
    assert data_sharing  # it forms a topic too (close to Information sharing: see the docs)


def test_a_refit_on_cached_embeddings_with_the_same_seed_is_identical(fitted):
    path, first = fitted
    again = cli("topics", path, "--json")
    assert again.exit_code == 0, again.stderr
    second = json.loads(again.stdout)
    assert second["run"]["stats"]["embedded"] == 0
    assert second["topics"] == first["topics"]


def test_coverage_by_human_coders_and_promoting_the_theme(fitted):
    path, _ = fitted
    for coder in ("ana", "ben"):
        assert cli("codings", "import", path,
                   ROOT / "transcripts_sample" / "codings" / f"{coder}.csv").exit_code == 0
    data = json.loads(cli("topics", path, "--json").stdout)
    assert any(t["coverage"] for t in data["topics"])
    housing = next(t for t in data["topics"] if t["candidate_new"] and _planted(t, HOUSING))
    result = cli("topics", "promote", path, "latest", str(housing["id"]),
                 "--name", "Housing scarcity", "--suggest")
    assert result.exit_code == 0, result.stderr
    with Store.open(path) as store:
        code = store.codes.by_name("Housing scarcity")
        assert code.origin == "emergent" and housing["keywords"][0] in code.description
        assert store.codings.count(code_id=code.id) == housing["size"]  # bertopic's only
