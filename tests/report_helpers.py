"""The sample project every report test reads: the twelve sample transcripts coded by ana and
ben (three documents each, as in the README) and rita (all twelve), a ``consensus`` coder, a
topic run with one promoted theme, the saved match run ``sample-nn`` and the sample links.

The topic run uses the tests' hashing embedder and PCA (seconds, deterministic) unless
``real_topics`` asks for all-MiniLM-L6-v2 and UMAP, as the screenshots in ``docs/`` do.
"""

from __future__ import annotations

import csv
from pathlib import Path

from qualkit.store import Store

from .conftest import CODEBOOK, SAMPLE, cli
from .integrate_helpers import COHORT, COVS, LINKS, OUTS, RUN

PAIR_DOCUMENTS = ("int_patrol_officer.txt", "fg_legal_partners.txt", "int_case_manager.srt")


def build_report_sample(path: Path, *, real_topics: bool = False) -> Path:
    """Build the full sample at ``path`` through the CLI (and the topic API for the fit)."""
    assert cli("init", path, "--codebook", CODEBOOK).exit_code == 0
    assert cli("import", path, SAMPLE).exit_code == 0
    for coder in ("ana", "ben", "rita"):
        assert cli("codings", "import", path, SAMPLE / "codings" / f"{coder}.csv",
                   "--coder", coder).exit_code == 0
    for coder in ("ana", "ben"):
        assert cli("codings", "done", path, "--coder", coder, *PAIR_DOCUMENTS).exit_code == 0
    assert cli("codings", "done", path, "--coder", "rita", "--all").exit_code == 0
    # the team's consensus after reconciliation: rita's reading of every document stands in
    consensus = path.with_name(path.stem + "-consensus.csv")
    with open(SAMPLE / "codings" / "rita.csv", newline="", encoding="utf-8") as source:
        rows = list(csv.DictReader(source))
    with open(consensus, "w", newline="", encoding="utf-8") as target:
        writer = csv.DictWriter(target, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows({**row, "coder": "consensus"} for row in rows)
    result = cli("codings", "import", path, consensus)
    assert result.exit_code == 0, result.stderr
    result = cli("outcomes", "match", COHORT, "--treatment", "treated", "--covariates", COVS,
                 "--outcomes", OUTS, "--save", path, "--name", RUN, "--json")
    assert result.exit_code == 0, result.stderr
    result = cli("joint", path, "--run", RUN, "--links", LINKS)
    assert result.exit_code == 0, result.stderr
    _fit_topics(path, real=real_topics)
    return path


def _fit_topics(path: Path, *, real: bool) -> None:
    from qualkit.topics import TopicOptions, fit_topics, promote_topic, topic_report

    with Store.open(path) as store:
        if real:
            run = fit_topics(store, TopicOptions())
        else:
            from .topics_helpers import FakeEmbedder, fast_parts

            run = fit_topics(store, TopicOptions(min_topic_size=15), embedder=FakeEmbedder(),
                             parts=fast_parts())
        report = topic_report(store, run.id)
        chosen = report.candidates or report.topics
        if chosen:
            promote_topic(store, run.id, chosen[0].id, "Housing scarcity", coder="ana")
