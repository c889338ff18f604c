"""Hostile and odd input to `qualkit import` (issue 16): one-line refusals, no hangs, no partial
writes; folders that take what a user meant; dry runs and house-style speaker patterns."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qualkit.errors import InputError
from qualkit.ingest.transcripts import read_transcript

from .conftest import SAMPLE, assert_user_error, cli, dump


def _cli_subprocess(*args, timeout=120) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    return subprocess.run(
        [sys.executable, "-m", "qualkit", *map(str, args)],
        capture_output=True, text=True, timeout=timeout, env=env,
    )


# -- files that are not transcripts ----------------------------------------------------------


def test_fifo_is_refused_without_blocking(tmp_path, empty_project):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    result = _cli_subprocess("import", empty_project, fifo, timeout=60)
    assert result.returncode != 0
    assert "pipe.txt: is a FIFO (named pipe), not a transcript file" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_symlink_to_dev_zero_is_refused(tmp_path, empty_project):
    link = tmp_path / "zero.txt"
    link.symlink_to("/dev/zero")
    assert_user_error(cli("import", empty_project, link), "zero.txt: is a device")


def test_folder_import_does_not_follow_symlinks(tmp_path, empty_project):
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "one.txt").write_text("A: hello.\n\nB: hi.\n")
    secret = tmp_path / "secret.txt"
    secret.write_text("ROOT: the password is swordfish.\n")
    (folder / "passwd.txt").symlink_to(secret)
    (folder / "elsewhere").symlink_to(tmp_path)
    result = cli("import", empty_project, folder)
    assert result.exit_code == 0, result.stderr
    assert "left out 2 symbolic link(s), which an imported folder never follows" in result.stdout
    assert "swordfish" not in dump(empty_project)


def test_folder_with_documents_csv_takes_exactly_the_listed_files(tmp_path, empty_project):
    folder = tmp_path / "batch"
    folder.mkdir()
    for name in ("a.txt", "b.txt", "codebook_notes.txt"):
        (folder / name).write_text(f"A: this is {name}.\n")
    (folder / "README.md").write_text("# About\n\nA: not a transcript.\n")
    (folder / "documents.csv").write_text("file,kind\na.txt,interview\nb.txt,interview\n")
    result = cli("import", empty_project, folder)
    assert result.exit_code == 0, result.stderr
    assert "took the 2 file(s) that documents.csv lists; left out 2 it does not list: " \
           "README.md, codebook_notes.txt" in result.stdout
    assert "2 added" in result.stdout


def test_folder_without_documents_csv_leaves_out_readme_and_says_so(tmp_path, empty_project):
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "int1.txt").write_text("A: hello.\n")
    (folder / "README.md").write_text("# About these files\n")
    (folder / "SOURCES.md").write_text("- somewhere\n")
    result = cli("import", empty_project, folder)
    assert result.exit_code == 0, result.stderr
    assert "took 1 file(s) (int1.txt); left out README.md, SOURCES.md" in result.stdout
    assert "1 added" in result.stdout


def test_oversized_file_is_refused(tmp_path, empty_project, monkeypatch):
    import qualkit.ingest.files as files

    monkeypatch.setattr(files, "MAX_BYTES", 1000)
    big = tmp_path / "big.txt"
    big.write_text("A: " + "word " * 400)
    assert_user_error(cli("import", empty_project, big), "big.txt", "over qualkit's limit")


# -- Word files ----------------------------------------------------------------------------------


def _docx(document_xml: bytes, *, method=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr("word/document.xml", document_xml)
    return buffer.getvalue()


BAD_DOCX = {
    "zip bomb": _docx(b"<w:document>" + b" " * 80_000_000 + b"</w:document>"),
    "entity bomb": _docx(
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(
            b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
            for i in range(1, 10)
        )
        + b"]><w:document>&lol9;</w:document>"
    ),
    "truncated": _docx(b"<w:document/>")[:60],
    "not xml": _docx(b"\x00\x01 not xml at all"),
    "no document part": b"PK" + _docx(b"x")[2:].replace(b"word/document.xml", b"word/other___.xml"),
}


@pytest.mark.parametrize("case", sorted(BAD_DOCX))
def test_bad_docx_is_one_line_error(case):
    with pytest.raises(InputError) as info:
        read_transcript(Path("t.docx"), BAD_DOCX[case])
    message = str(info.value)
    assert message.startswith("t.docx: ") and "\n" not in message


# -- captions: linear patterns ---------------------------------------------------------------


@pytest.mark.parametrize(
    "payload", ["<" * 300_000, "<v " * 200_000, "{\\" * 200_000], ids=["lt", "voice", "ssa"]
)
def test_hostile_caption_cues_are_read_in_linear_time(payload):
    text = f"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n{payload} end\n"
    started = time.perf_counter()
    with contextlib.suppress(InputError):
        read_transcript(Path("t.vtt"), text.encode())
    # Quadratic patterns took over 60 s here; linear ones take well under a second.
    assert time.perf_counter() - started < 20


def test_one_line_transcript_is_segmented_in_linear_time():
    from qualkit.ingest.segmenter import segment

    line = ("P: " + "and then we went on. " * 250_000).encode()  # about 5 MB, no line break
    started = time.perf_counter()
    rows = segment(read_transcript(Path("one_line.txt"), line))
    assert len(rows) == 250_000
    assert time.perf_counter() - started < 120  # 19 s/MB before: > 90 s for this file


# -- any bytes: a document or one line -----------------------------------------------------------

_SEEDS = [p.read_bytes()[:3000] for p in sorted(SAMPLE.iterdir()) if p.suffix in (".vtt", ".srt")]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.binary(max_size=2000),
        st.text(max_size=2000).map(lambda t: t.encode("utf-8", "surrogatepass")),
        st.tuples(st.sampled_from(_SEEDS), st.integers(0, 2999), st.binary(max_size=40)).map(
            lambda t: t[0][: t[1]] + t[2] + t[0][t[1] :]
        ),
    ),
    st.sampled_from(["t.txt", "t.md", "t.vtt", "t.srt", "t.docx"]),
)
def test_any_bytes_give_a_transcript_or_one_line_error(data, name):
    from qualkit.ingest.segmenter import segment

    try:
        transcript = read_transcript(Path(name), data)
    except InputError as exc:
        assert str(exc).startswith(name) and "\n" not in str(exc)
        return
    for _, _, _, start, end, *_ in segment(transcript):
        assert 0 <= start < end <= len(transcript.text)


# -- dry run and house styles through the CLI ------------------------------------------------


def test_dry_run_reports_and_writes_nothing(tmp_path, empty_project):
    page = tmp_path / "talk.txt"
    page.write_text("int: Hello?\n\np3: Hi.\n\nint: Bye.\n\np3: Bye now.\n")
    before = dump(empty_project)
    result = cli("import", empty_project, page, "--dry-run", "--json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["dry_run"] and report["added"] == ["talk.txt"]
    speakers = {s["label"]: (s["turns"], s["role"]) for s in report["speakers"][0]["speakers"]}
    assert speakers == {"int": (2, "interviewer"), "p3": (2, None)}
    assert dump(empty_project) == before


def test_speaker_pattern_flag_and_documents_csv_column(tmp_path, empty_project):
    folder = tmp_path / "house"
    folder.mkdir()
    (folder / "a.txt").write_text("JO> so we began.\nMAX> right.\n")
    (folder / "documents.csv").write_text(
        'file,speaker_pattern\na.txt,"^(?P<speaker>[A-Z]+)>\\s*"\n'
    )
    result = cli("import", empty_project, folder)
    assert result.exit_code == 0, result.stderr
    assert "a.txt: JO 1 turns" in result.stdout and "MAX 1 turns" in result.stdout
    other = tmp_path / "b.txt"
    other.write_text("JO> again.\n")
    assert_user_error(
        cli("import", empty_project, other, "--speaker-pattern", "^([A-Z]+)>"),
        "--speaker-pattern", "no group named 'speaker'",
    )
    assert_user_error(
        cli("import", empty_project, other, "--speaker-pattern", "(?P<speaker>[A-Z"),
        "--speaker-pattern", "not a regular expression",
    )


def test_no_labels_warns_after_import(tmp_path, empty_project):
    page = tmp_path / "notes.txt"
    page.write_text("we talked about the program for a while.\n")
    result = cli("import", empty_project, page)
    assert result.exit_code == 0
    assert "notes.txt: no speaker labels recognised" in result.stderr
