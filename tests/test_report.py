"""`qualkit report` on the full sample (two coders, consensus, a topic run, a saved match run,
the sample links): every section there, every plot inline, nothing fetched, every number equal
to the library call it comes from, byte-identical twice, bad input refused in one line, and
(where Debian's ``chromium`` is installed) printed to PDF on Letter and A4 without a blank page.
``.ci/run`` does not install Chromium: CI must pass offline, so that test skips there."""

from __future__ import annotations

import itertools
import re
import shutil
import subprocess
import zipfile
import zlib
from pathlib import Path

import pytest

from qualkit.report import ReportOptions, render
from qualkit.report.model import num, pvalue
from qualkit.store import Store

from .conftest import assert_user_error, cli, dump
from .integrate_helpers import LINKS, RUN
from .report_helpers import HtmlReport, build_report_sample

SECTIONS = ["summary", "codebook", "coverage", "agreement", "themes", "outcomes",
            "integration", "methods", "codebook-appendix"]
STAMP = "2026-12-01 09:00 UTC"


@pytest.fixture(scope="module")
def full_sample(_sample_project_template, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("report") / "sample.qualkit"
    return build_report_sample(path, template=_sample_project_template)


@pytest.fixture(scope="module")
def html(full_sample) -> str:
    with Store.open(full_sample) as store:
        return render(store, "html", ReportOptions(generated_at=STAMP))


@pytest.fixture(scope="module")
def parsed(html) -> HtmlReport:
    return HtmlReport(html)


def test_every_section_is_there_with_its_data(parsed):
    assert parsed.sections == SECTIONS
    assert parsed.missing == []  # the full sample has data for every section
    titles = [text for level, text in parsed.headings if level == 2]
    for number in range(1, 9):
        assert any(t.startswith(f"{number}. ") for t in titles), titles


def test_headings_in_order_tables_captioned_with_header_cells(parsed, html):
    levels = [level for level, _ in parsed.headings]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels))  # no skipped level
    assert html.count("<table>") == len(parsed.tables) == len(parsed.table_heads)
    assert all(parsed.table_heads.values()) and parsed.row_header_cells > 50


def test_every_plot_is_inline_svg_with_a_label_and_nothing_is_fetched(parsed, html):
    assert len(parsed.svgs) == 4  # heat map, saturation, Love plot, forest plot
    assert all(s.get("role") == "img" and len(s.get("aria-label", "")) > 40
               for s in parsed.svgs)
    assert html.count("<figure>") == 4 and html.count("<figcaption>") == 4
    assert not {"script", "img", "link", "iframe", "object", "embed"} & set(parsed.tags)
    for tag, name, value in parsed.attributes:
        if name in ("href", "src", "xlink:href"):
            assert value.startswith(("#", "data:image/")), (tag, name)  # inside the page
    namespaces = {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}
    assert set(re.findall(r"https?://[^\s\"'<>)]+", html)) <= namespaces
    assert "@import" not in html and "url(http" not in html


def test_numbers_equal_the_library_calls(full_sample, parsed):
    from qualkit import integrate
    from qualkit.agreement import project_agreement
    from qualkit.status import project_status
    from qualkit.topics import topic_report

    with Store.open(full_sample) as store:
        status = project_status(store)
        agreement = project_agreement(store)
        run = store.runs.outcome_run(RUN)
        saturation = integrate.saturation(store).attrs["saturation"]
        topics = topic_report(store)
        joint = integrate.joint_display(store, RUN)
        equity = integrate.equity(store, RUN, "race")
    glance = dict(parsed.table("The project at a glance"))
    assert glance["Documents"] == str(status["documents"])
    assert glance["Codings"] == f"{status['codings']:,}"
    rows = {r[0]: r for r in parsed.table("Agreement per code")}
    pooled = rows["(pooled)"]
    assert pooled[-3] == num(agreement.pooled.summary.krippendorff_alpha, 3)
    assert len(rows) == len(agreement.codes) + 1
    for code in agreement.codes:
        assert rows[code.code][-3] == num(code.summary.krippendorff_alpha, 3)
    effects = {r[0]: r for r in parsed.table("Outcome effects")}
    for effect in run.result["effects"]:
        row = effects[effect["outcome"]]
        assert row[3] == num(effect["estimate"]) and row[5] == pvalue(effect["p"])
        assert row[6] == num(effect["rate_ratio"])
    covariates = [r[0] for r in parsed.table("Covariate balance")]
    assert covariates == [b["covariate"] for b in run.result["balance"]]
    assert any(saturation[0]["status"] in item for item in _list_items(parsed, full_sample))
    assert len(parsed.table("Topics, their closest code")) == len(topics.topics)
    fits = {c.split(": ", 1)[1] for c in parsed.tables if c.startswith("Joint display row")}
    assert {f"{o}" for o in joint["outcome"]} == fits
    assert [r[1] for r in parsed.table("Joint display row: misd_arrests")[2:3]] == [
        joint.set_index("outcome").loc["misd_arrests", "fit"]]
    assert len(parsed.table("Effects by race")) == len(equity)


def _list_items(parsed: HtmlReport, path: Path) -> list[str]:
    with Store.open(path) as store:
        text = render(store, "md", ReportOptions(generated_at=STAMP))
    return [line[2:] for line in text.splitlines() if line.startswith("- ")]


def test_the_same_project_gives_the_same_bytes_apart_from_the_timestamp(full_sample, html):
    with Store.open(full_sample) as store:
        again = render(store, "html", ReportOptions(generated_at=STAMP))
        later = render(store, "html", ReportOptions(generated_at="2027-01-02 03:04 UTC"))
    assert again == html
    assert later != html
    assert later.replace("2027-01-02 03:04 UTC", STAMP) == html
    assert html.count(STAMP) == 1


def test_the_methods_appendix_cites_runs_seeds_and_the_project_hash(full_sample, parsed, html):
    with Store.open(full_sample) as store:
        digest = store.content_sha256()
        topic_seed = store.topics.run().seed
    cited = dict(parsed.table("Every parameter and seed"))
    assert f"seed = {topic_seed}" in cited["Topic run 1"]
    assert "caliper = None" in cited[f"Match run “{RUN}”"]
    methods = html[html.index('<section id="methods"'):]
    assert digest in methods[:methods.index("</section>")]
    versions = dict(parsed.table("Software and library versions"))
    assert versions["qualkit"] and versions["python"]


def test_the_cli_writes_html_word_and_markdown_privately_and_leaves_the_project(full_sample,
                                                                               tmp_path):
    import docx

    before = dump(full_sample)
    for name in ("r.html", "r.docx", "r.md"):
        result = cli("report", full_sample, "--run", RUN, "--links", LINKS, "-o",
                     tmp_path / name)
        assert result.exit_code == 0, result.stderr
        assert (tmp_path / name).stat().st_mode & 0o777 == 0o600
    assert dump(full_sample) == before  # a report writes nothing to the project
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.docx", "r.html", "r.md"]
    document = docx.Document(tmp_path / "r.docx")
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert [h.split(". ")[0] for h in headings[:8]] == [str(n) for n in range(1, 9)]
    assert len(document.inline_shapes) == 4
    assert all(s._inline.docPr.get("descr") for s in document.inline_shapes)
    assert len(document.tables) > 15
    pooled = next(row for t in document.tables for row in t.rows
                  if row.cells[0].text == "(pooled)")
    html_pooled = HtmlReport((tmp_path / "r.html").read_text()).table("Agreement per code")[-1]
    assert [c.text for c in pooled.cells] == html_pooled
    with zipfile.ZipFile(tmp_path / "r.docx") as archive:
        assert sum(n.startswith("word/media/") for n in archive.namelist()) == 4
    markdown = (tmp_path / "r.md").read_text()
    assert markdown.count("](data:image/svg+xml;base64,") == 4
    assert "## 8. Methods appendix" in markdown


def test_sections_without_data_say_what_is_missing(empty_project, tmp_path):
    out = tmp_path / "empty.html"
    result = cli("report", empty_project, "-o", out)
    assert result.exit_code == 0, result.stderr
    parsed = HtmlReport(out.read_text())
    assert parsed.sections == SECTIONS
    missing = " ".join(parsed.missing)
    for needle in ("No transcripts yet", "No coverage", "No agreement", "No topic run",
                   "No saved match run"):
        assert needle in missing, missing


def test_bad_input_is_one_line_and_writes_nothing(full_sample, empty_project, tmp_path):
    out = tmp_path / "r.html"
    assert_user_error(cli("report", empty_project, "--run", "nn", "-o", out),
                      "no saved match run")
    assert_user_error(cli("report", full_sample, "--run", "nope", "-o", out),
                      "--run nope", RUN)
    assert_user_error(cli("report", full_sample, "--links", tmp_path / "none.yaml", "-o", out),
                      "none.yaml", "no such links file")
    broken = tmp_path / "broken.yaml"
    broken.write_text("run: sample-nn\nlinks:\n  - outcome: nonsense\n    codes: [Nope]\n")
    assert_user_error(cli("report", full_sample, "--links", broken, "-o", out), "broken.yaml")
    assert_user_error(cli("report", full_sample, "--topic-run", "99", "-o", out),
                      "no topic run 99")
    assert_user_error(cli("report", full_sample, "-o", tmp_path / "no" / "r.html"),
                      "does not exist")
    assert_user_error(cli("report", full_sample, "-o", tmp_path / "r.pdf"), ".html, .docx")
    assert_user_error(cli("report", full_sample, "-o", tmp_path), "is a folder")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.yaml", "empty.qualkit"]
    out.write_text("keep me")
    assert_user_error(cli("report", full_sample, "-o", out), "already exists", "--force")
    assert out.read_text() == "keep me"


def test_a_failed_write_leaves_neither_the_report_nor_a_temporary_file(full_sample, tmp_path,
                                                                       monkeypatch):
    import os

    from qualkit import Project

    def broken_replace(source, target):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with Project.open(full_sample) as project, pytest.raises(OSError):
        project.report(tmp_path / "r.md", run=RUN)
    assert list(tmp_path.iterdir()) == []
    monkeypatch.undo()
    with Project.open(full_sample) as project:
        written = project.report(tmp_path / "r.md", run=RUN, coders=("ana", "ben"))
    assert written.read_text().count("## ") >= 9


def test_bootstrap_intervals_appear_when_asked_and_equal_the_library(full_sample):
    from qualkit.agreement import project_agreement

    options = ReportOptions(coders=("ana", "ben"), n_boot=40, seed=3, generated_at=STAMP)
    with Store.open(full_sample) as store:
        parsed = HtmlReport(render(store, "html", options))
        interval = project_agreement(store, coders=["ana", "ben"], n_boot=40, seed=3) \
            .pooled.summary.interval("krippendorff_alpha")
    heads = next(h for c, h in parsed.table_heads.items() if c.startswith("Agreement per code"))
    assert "α 95% CI" in heads and "Cohen's κ" in heads
    pooled = parsed.table("Agreement per code")[-1]
    assert pooled[heads.index("α 95% CI")] == f"{num(interval.low, 3)} to {num(interval.high, 3)}"


def test_every_quote_passes_through_the_one_deidentification_hook(full_sample, monkeypatch):
    from qualkit.report import context

    seen = []

    def redact(store, text, **where):
        seen.append(where)
        return "[REDACTED]"

    monkeypatch.setattr(context, "deidentify", redact)
    with Store.open(full_sample) as store:
        html = render(store, "html", ReportOptions(generated_at=STAMP))
    quotes = re.findall(r"<blockquote><p>(.*?)</p>", html)
    assert quotes and set(quotes) == {"“[REDACTED]”"}
    matrix = HtmlReport(html).table("Theme × speaker role quote matrix")
    assert matrix and all(row[2].startswith("“[REDACTED]”") for row in matrix)
    assert len(seen) >= len(quotes) + len(matrix)


# -- as a reader prints it: headless Chromium's "print to PDF" on Letter and A4 ---------------

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
needs_chromium = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                    reason="Chromium is not installed (apt-get install chromium)")
SIZES = {"Letter": (612, 792), "A4": (595, 842)}  # points


def pdf_pages(data: bytes) -> list[tuple[tuple[int, int], bytes]]:
    """(media box size, decompressed content stream) of every page; enough of PDF for the
    files Chromium (Skia) writes: plain objects, one Flate content stream per page."""
    objects = {int(m.group(1)): m.group(2)
               for m in re.finditer(rb"(\d+) 0 obj\s*(.*?)endobj", data, re.S)}
    pages = []
    for body in objects.values():
        if not re.search(rb"/Type\s*/Page\b", body):
            continue
        box = [float(v) for v in re.search(rb"/MediaBox\s*\[([^\]]+)\]", body).group(1).split()]
        content = objects[int(re.search(rb"/Contents\s+(\d+)\s+0\s+R", body).group(1))]
        start = content.index(b"stream") + 6
        start += 2 if content[start:start + 2] == b"\r\n" else 1  # the EOL after "stream"
        stream = content[start:content.rindex(b"endstream")]  # may keep one EOL: harmless
        if b"/FlateDecode" in content[:start]:
            stream = zlib.decompressobj().decompress(stream)
        pages.append(((round(box[2] - box[0]), round(box[3] - box[1])), stream))
    return pages


@pytest.fixture(scope="module")
def sample_html(full_sample, tmp_path_factory) -> Path:
    with Store.open(full_sample) as store:
        text = render(store, "html", ReportOptions(coders=("ana", "ben")))
    path = tmp_path_factory.mktemp("chromium") / "report.html"
    path.write_text(text, encoding="utf-8")
    return path


@needs_chromium
@pytest.mark.parametrize("paper", ["Letter", "A4"])
def test_printing_the_sample_report_gives_clean_pages(sample_html, tmp_path, paper):
    html = sample_html.read_text(encoding="utf-8")
    if paper == "A4":  # what a reader's A4 printer asks for
        html = html.replace("@page {", "@page { size: A4;", 1)
    source = tmp_path / "report.html"
    source.write_text(html, encoding="utf-8")
    pdf = tmp_path / "report.pdf"
    subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
                    "--no-pdf-header-footer", f"--print-to-pdf={pdf}", source.as_uri()],
                   check=True, capture_output=True, timeout=120)
    pages = pdf_pages(pdf.read_bytes())
    # nine sections, each from a new page but the first; appendix tables run to more pages
    assert 10 <= len(pages) <= 60, len(pages)
    assert {size for size, _ in pages} == {SIZES[paper]}
    for number, (_, stream) in enumerate(pages, start=1):
        drawn = re.search(rb"\bT[Jj]\b|\bDo\b", stream)  # text shown or an image painted
        assert drawn, f"page {number} of {len(pages)} is blank"


def test_the_project_hash_is_read_through_sqlite_and_follows_the_content(empty_project):
    with Store.open(empty_project) as store:
        first = store.content_sha256()
    with Store.open(empty_project) as store:
        assert store.content_sha256() == first  # another connection, same content
        store._sql("PRAGMA wal_checkpoint(TRUNCATE)")
    with Store.open(empty_project) as store:
        assert store.content_sha256() == first  # pages moved from the WAL: same content
        store.set_meta("study", "LEAD Ashford")
        assert store.content_sha256() != first
