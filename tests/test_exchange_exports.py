"""Exports for analysis: coded segments with provenance (CSV, XLSX, JSON) and the codebook for
print (Markdown, DOCX)."""

from __future__ import annotations

import csv
import json
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from qualkit.exchange.analysis import _sheet_name, neutralise
from qualkit.store import Store

from .conftest import assert_user_error, cli
from .exchange_helpers import coded_project


@pytest.fixture
def coded(sample_project) -> Path:
    path = coded_project(sample_project)
    with Store.open(path) as store:  # a transcript line a spreadsheet would run as a formula
        doc = store.documents.by_name("int_patrol_officer.txt")
        store.documents.set_metadata(doc.id, {"site": "=HYPERLINK(\"http://x\")"},
                                     {"note": "@SUM(1)"})
    return path


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_csv_has_full_provenance(coded, tmp_path):
    out = tmp_path / "segments.csv"
    result = cli("export", coded, "-o", out)
    assert result.exit_code == 0, result.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    rows = _rows(out)
    with Store.open(coded) as store:
        assert len(rows) == store.counts()["codings"]
    assert list(rows[0])[:6] == ["document", "kind", "participant_role", "site", "date",
                                 "case_id"]
    assert list(rows[0])[-10:] == ["speaker", "role", "start", "end", "text", "code",
                                   "code_path", "coder", "created", "memo"]
    officer = [r for r in rows if r["document"] == "int_patrol_officer.txt"]
    assert officer and all(r["case_id"] == "P-07" and r["years_of_service"] == "12"
                           for r in officer)
    assert {r["role"] for r in officer} <= {"patrol officer", "interviewer",
                                            "interviewer / patrol officer"}
    nested = [r for r in rows if " > " in r["code_path"]]
    assert nested and all(r["code_path"].endswith(r["code"]) for r in nested)
    memo = [r for r in rows if r["memo"]]
    assert [r["memo"] for r in memo] == ["On this coding"]
    sample = rows[0]
    with Store.open(coded) as store:
        doc = store.documents.by_name(sample["document"])
        text = store.documents.text(doc.id)
    assert text[int(sample["start"]):int(sample["end"])] == sample["text"]


def test_csv_neutralises_formulas(coded, tmp_path):
    out = tmp_path / "segments.csv"
    assert cli("export", coded, "-o", out).exit_code == 0
    officer = [r for r in _rows(out) if r["document"] == "int_patrol_officer.txt"]
    assert officer[0]["site"] == "'=HYPERLINK(\"http://x\")"
    assert officer[0]["note"] == "'@SUM(1)"
    assert [neutralise(v) for v in ("+1", "-2", "\tx", "ok", 5)] == ["'+1", "'-2", "'\tx", "ok", 5]


def test_xlsx_has_one_sheet_per_code_and_typed_text(coded, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "segments.xlsx"
    assert cli("export", coded, "-o", out).exit_code == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    book = load_workbook(out)
    with Store.open(coded) as store:
        used = {store.codes.get(c.code_id).name for c in store.codings.all()}
        total = store.counts()["codings"]
    assert book.sheetnames[0] == "All codes"
    assert set(book.sheetnames[1:]) == {_sheet_name(n, set()) for n in used}
    assert book["All codes"].max_row == total + 1
    header = [c.value for c in book["All codes"][1]]
    site = header.index("site") + 1
    cells = [row[site - 1] for row in book["All codes"].iter_rows(min_row=2)
             if row[0].value == "int_patrol_officer.txt"]
    assert cells[0].value == '=HYPERLINK("http://x")' and cells[0].data_type == "s"


def test_sheet_names_follow_excels_rules():
    used: set[str] = set()
    long = "Funding, staffing and the question of who pays: a very long code name"
    first, second = _sheet_name(long, used), _sheet_name(long, used)
    assert len(first) <= 31 and len(second) <= 31 and first != second
    assert _sheet_name("a/b [c]?", used) == "a_b _c__"


def test_json_nests_the_attributes(coded, tmp_path):
    out = tmp_path / "segments.json"
    assert cli("export", coded, "-o", out, "--coder", "ben").exit_code == 0
    data = json.loads(out.read_text())
    assert data["segments"] and {s["coder"] for s in data["segments"]} == {"ben"}
    first = data["segments"][0]
    assert set(first) == {"document", "attributes", "speaker", "role", "start", "end", "text",
                          "code", "code_path", "coder", "created", "memo"}
    assert "kind" in first["attributes"]


def test_filters_and_unknown_names(coded, tmp_path):
    out = tmp_path / "s.csv"
    assert cli("export", coded, "-o", out, "--code", "Training").exit_code == 0
    assert {r["code"] for r in _rows(out)} == {"Training"}
    assert_user_error(cli("export", coded, "-o", out, "--code", "Nope"), "no code called Nope")


def test_codebook_markdown_is_numbered_with_rules(coded, tmp_path):
    out = tmp_path / "codebook.md"
    assert cli("export", coded, "-o", out).exit_code == 0
    text = out.read_text()
    assert text.startswith("# LEAD process evaluation")
    assert "## 1 Collaboration" in text and "### 1.1 Inter-agency partnership" in text
    assert "**Use when:**" in text and "**Do not use when:**" in text and "> " in text
    assert "## Retired codes" in text and "### Recommendations" in text
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_codebook_docx_opens_with_headings(coded, tmp_path):
    import docx

    out = tmp_path / "codebook.docx"
    assert cli("export", coded, "-o", out).exit_code == 0
    document = docx.Document(str(out))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert "■ 1 Collaboration" in headings and "■ 1.1 Inter-agency partnership" in headings
    assert any(p.text.startswith("Use when: ") for p in document.paragraphs)


def test_importing_the_exchange_package_loads_nothing_heavy():
    probe = ("import sys, qualkit.exchange\n"
             "print(' '.join(sorted(m.split('.')[0] for m in sys.modules)))")
    loaded = set(subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                                check=True).stdout.split())
    assert not loaded & {"lxml", "openpyxl", "docx", "pandas", "numpy", "spacy", "textual",
                         "click", "rich"}
