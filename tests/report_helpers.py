"""The sample project every report test reads: the twelve sample transcripts coded by ana and
ben (three documents each, as in the README) and rita (all twelve), a ``consensus`` coder, a
topic run with one promoted theme, the saved match run ``sample-nn`` and the sample links.

The topic run uses the tests' hashing embedder and PCA (seconds, deterministic) unless
``real_topics`` asks for all-MiniLM-L6-v2 and UMAP, as the screenshots in ``docs/`` do.
"""

from __future__ import annotations

import csv
import shutil
from html.parser import HTMLParser
from pathlib import Path

from qualkit.store import Store

from .conftest import CODEBOOK, SAMPLE, cli
from .integrate_helpers import COHORT, COVS, LINKS, OUTS, RUN

PAIR_DOCUMENTS = ("int_patrol_officer.txt", "fg_legal_partners.txt", "int_case_manager.srt")


def build_report_sample(path: Path, *, real_topics: bool = False,
                        template: Path | None = None) -> Path:
    """Build the full sample at ``path`` through the CLI (and the topic API for the fit);
    ``template`` is a project with the codebook and transcripts already imported."""
    if template is not None:
        shutil.copy(template, path)
    else:
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


class HtmlReport(HTMLParser):
    """What a reader (and a screen reader) meets in the HTML: sections, headings, tables by
    caption with their header and data cells, figures, and every attribute that could fetch."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.sections: list[str] = []
        self.headings: list[tuple[int, str]] = []
        self.tables: dict[str, list[list[str]]] = {}
        self.table_heads: dict[str, list[str]] = {}
        self.row_header_cells = 0
        self.svgs: list[dict[str, str]] = []
        self.attributes: list[tuple[str, str, str]] = []
        self.missing: list[str] = []
        self.tags: list[str] = []
        self._text: list[str] | None = None
        self._caption = ""
        self._row: list[str] | None = None
        self._thead = False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append(tag)
        self.attributes += [(tag, name, value or "") for name, value in attrs.items()]
        if tag == "section":
            self.sections.append(attrs.get("id", ""))
        elif tag in ("h1", "h2", "h3", "caption", "th", "td") or (
                tag == "p" and attrs.get("class") == "missing"):
            self._text = []
        if tag == "th" and attrs.get("scope") == "row":
            self.row_header_cells += 1
        elif tag == "thead":
            self._thead = True
        elif tag == "tr":
            self._row = []
        elif tag == "svg":
            self.svgs.append(attrs)

    def handle_data(self, data):
        if self._text is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        text = " ".join("".join(self._text or []).split())
        if tag in ("h1", "h2", "h3"):
            self.headings.append((int(tag[1]), text))
        elif tag == "caption":
            self._caption = text
            self.tables[text] = []
        elif tag in ("th", "td") and self._row is not None:
            self._row.append(text)
        elif tag == "tr" and self._row is not None:
            if self._thead:
                self.table_heads[self._caption] = self._row
            else:
                self.tables[self._caption].append(self._row)
            self._row = None
        elif tag == "thead":
            self._thead = False
        elif tag == "p" and self._text is not None:
            self.missing.append(text)
        if tag in ("h1", "h2", "h3", "caption", "th", "td", "p"):
            self._text = None

    def table(self, prefix: str) -> list[list[str]]:
        """The data rows of the table whose caption starts with ``prefix``."""
        matches = [c for c in self.tables if c.startswith(prefix)]
        assert len(matches) == 1, (prefix, list(self.tables))
        return self.tables[matches[0]]
