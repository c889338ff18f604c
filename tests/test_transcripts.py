"""Transcript parsing: formats, encodings, speaker turns and sentence offsets."""

from __future__ import annotations

import itertools
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qualkit.errors import InputError
from qualkit.ingest.segmenter import segment
from qualkit.ingest.transcripts import read_transcript

from .conftest import SAMPLE


def parse(name: str, data: bytes | str):
    if isinstance(data, str):
        data = data.encode("utf-8")
    transcript = read_transcript(Path(name), data)
    return transcript, segment(transcript)


def spoken(transcript, rows) -> list[tuple[str | None, str]]:
    return [(speaker, transcript.text[start:end]) for _, _, speaker, start, end, *_ in rows]


def test_txt_turns_timestamps_and_continuations():
    text = (
        "[Fictional note.]\n\n"
        "[00:00:05] FACILITATOR: Welcome. Shall we start?\n\n"
        "PROSECUTOR 1 [00:00:09]: We hold the case for thirty days.\n\n"
        "And then we file it. Dr. Lee agreed.\n"
    )
    transcript, rows = parse("t.txt", text)
    assert spoken(transcript, rows) == [
        (None, "[Fictional note.]"),
        ("FACILITATOR", "Welcome."),
        ("FACILITATOR", "Shall we start?"),
        ("PROSECUTOR 1", "We hold the case for thirty days."),
        ("PROSECUTOR 1", "And then we file it."),
        ("PROSECUTOR 1", "Dr. Lee agreed."),
    ]
    assert [t.timestamp for t in transcript.turns] == [None, "00:00:05", "00:00:09"]


def test_a_colon_in_speech_is_not_a_speaker():
    _, rows = parse("t.txt", "OFFICER: Fine.\nSo the thing is: it works.\n")
    assert {r[2] for r in rows} == {"OFFICER"}


def test_markdown_bold_labels_headings_and_quotes():
    text = "# Interview: lead\n\n> Fictional.\n\n**INTERVIEWER:** Hi there.\n\n**LEAD**: Hello.\n"
    transcript, rows = parse("t.md", text)
    assert spoken(transcript, rows) == [
        (None, "Fictional."),
        ("INTERVIEWER", "Hi there."),
        ("LEAD", "Hello."),
    ]


def test_webvtt_voices_merge_into_turns():
    text = (
        "WEBVTT\n\nNOTE a comment\nwith two lines\n\n"
        "00:00:01.000 --> 00:00:03.000\n<v OFFICER 1>First part.</v>\n\n"
        "00:00:03.500 --> 00:00:05.000\n<v OFFICER 1>Second &amp; last.</v>\n\n"
        "00:01:05.000 --> 00:01:07.000\n<v.loud FACILITATOR>Thanks.\n"
    )
    transcript, rows = parse("t.vtt", text)
    assert spoken(transcript, rows) == [
        ("OFFICER 1", "First part."),
        ("OFFICER 1", "Second & last."),
        ("FACILITATOR", "Thanks."),
    ]
    assert transcript.text.startswith("[00:00:01] OFFICER 1: First part. Second & last.")


def test_srt_label_prefix_continues_over_cues():
    text = (
        "1\n00:00:00,000 --> 00:00:02,000\nINTERVIEWER: Hello\nthere.\n\n"
        "2\n00:00:02,500 --> 00:00:04,000\nCASE MANAGER: <i>Hi.</i>\n\n"
        "3\n00:00:04,100 --> 00:00:06,000\nStill me.\n"
    )
    transcript, rows = parse("t.srt", text)
    assert spoken(transcript, rows) == [
        ("INTERVIEWER", "Hello there."),
        ("CASE MANAGER", "Hi."),
        ("CASE MANAGER", "Still me."),
    ]


def test_docx_paragraphs_and_heading(tmp_path):
    import docx

    document = docx.Document()
    document.add_heading("Interview: defender", level=1)
    paragraph = document.add_paragraph()
    paragraph.add_run("DEFENDER:").bold = True
    paragraph.add_run(" It was fine. Mostly.")
    path = tmp_path / "x.docx"
    document.save(path)
    transcript, rows = parse("x.docx", path.read_bytes())
    assert spoken(transcript, rows) == [("DEFENDER", "It was fine."), ("DEFENDER", "Mostly.")]


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ("SPEAKER: café\n".encode("utf-8-sig"), "utf-8-sig"),
        ("SPEAKER: café\n".encode("utf-16"), "utf-16"),
        ("SPEAKER: café\n".encode(), "utf-8"),
    ],
)
def test_encodings(data, encoding):
    transcript, rows = parse("t.txt", data)
    assert transcript.encoding == encoding
    assert spoken(transcript, rows) == [("SPEAKER", "café")]
    assert transcript.warnings == ()


def test_cp1252_fallback_warns():
    transcript, rows = parse("t.txt", b"SPEAKER: caf\xe9 \x93quoted\x94\n")
    assert transcript.encoding == "cp1252"
    assert spoken(transcript, rows) == [("SPEAKER", "café “quoted”")]
    assert "Windows-1252" in transcript.warnings[0]


def test_normalised_once_to_nfc_and_lf():
    transcript, rows = parse("t.txt", "SPEAKER: cafe\u0301 one.\r\nStill.\r\n")
    assert "\r" not in transcript.text
    assert transcript.text == unicodedata.normalize("NFC", transcript.text)
    assert spoken(transcript, rows)[0] == ("SPEAKER", "café one.")


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("t.txt", b"\x00\x01\x02binary\x00", "binary"),
        ("t.txt", b"   \n\n", "empty"),
        ("t.txt", "\ufeffSPEAKER: ok".encode() + b"\xff\xfe bad", "invalid UTF-8"),
        ("t.txt", "SPEAKER: café ".encode() + b"\xff", "invalid UTF-8"),
        ("t.vtt", b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nbad \xe9\n", "invalid UTF-8"),
        ("t.vtt", b"NOT A VTT\n", "must start with 'WEBVTT'"),
        ("t.docx", b"PK\x03\x04 not really a zip", "not a valid Word .docx"),
        ("t.pdf", b"%PDF-1.4", "unsupported file type"),
    ],
)
def test_bad_transcripts_name_the_file(name, data, message):
    with pytest.raises(InputError) as info:
        read_transcript(Path(name), data)
    assert str(info.value).startswith(name)
    assert message in str(info.value)


@pytest.mark.parametrize(
    "path", sorted(p for p in SAMPLE.iterdir() if p.suffix != ".csv" and p.is_file())
)
def test_sample_transcripts_have_speakers_and_enough_words(path):
    transcript, rows = parse(path.name, path.read_bytes())
    words = sum(len(transcript.text[s:e].split()) for _, _, _, s, e, *_ in rows)
    # the participant interviews (joined to outcome rows by case id) are short by design
    assert (300 if path.name.startswith("int_participant") else 1500) <= words <= 4200, words
    speakers = {r[2] for r in rows if r[2]}
    assert len(speakers) >= 2
    if path.name.startswith("fg_"):
        assert 5 <= len(speakers) <= 8  # 4-7 participants and a facilitator


# -- properties -----------------------------------------------------------------------------------

WORD = st.text(
    alphabet=st.sampled_from("abcdefghijklmnopqrstuvwxyzé\u0301ñ'-"), min_size=1, max_size=8
).filter(lambda w: w[0].isalpha())
SENTENCE = st.builds(
    lambda words, end: " ".join(words).capitalize() + end,
    st.lists(WORD, min_size=1, max_size=8),
    st.sampled_from([".", "?", "!", "...", ""]),
)
TURN = st.tuples(
    st.sampled_from(["INTERVIEWER", "OFFICER 1", "P2", "Case Manager"]),
    st.lists(SENTENCE, min_size=1, max_size=4),
)


def _squash(text: str) -> str:
    return "".join(unicodedata.normalize("NFC", text).split())


def _check_turns(transcript, rows, turns) -> None:
    for _, _, speaker, start, end, *_ in rows:
        piece = transcript.text[start:end]
        assert piece and piece == piece.strip()
        assert speaker is not None
    for before, after in itertools.pairwise(rows):
        assert before[4] <= after[3]
    got = [(r[2], _squash(transcript.text[r[3] : r[4]])) for r in rows]
    merged: dict[int, str] = {}
    for ordinal, turn, *_ in rows:
        merged[turn] = merged.get(turn, "") + got[ordinal][1]
    expected = [_squash(" ".join(sentences)) for _, sentences in turns]
    assert list(merged.values()) == expected
    assert [transcript.turns[t].speaker for t in merged] == [s for s, _ in turns]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(TURN, min_size=1, max_size=6), st.sampled_from(["\n", "\r\n"]), st.booleans())
def test_plain_text_offsets_cover_exactly_the_spoken_text(turns, newline, stamps):
    lines = [
        (f"[00:0{i % 10}:00] " if stamps else "") + f"{speaker}: " + " ".join(sentences)
        for i, (speaker, sentences) in enumerate(turns)
    ]
    transcript, rows = parse("t.txt", (newline * 2).join(lines) + newline)
    _check_turns(transcript, rows, turns)  # every label opens a turn


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(TURN, min_size=1, max_size=6), st.sampled_from(["vtt", "srt"]))
def test_subtitle_offsets_cover_exactly_the_spoken_text(turns, fmt):
    cues = []
    for i, (speaker, sentences) in enumerate(turns):
        for j, sentence in enumerate(sentences):
            sep = "." if fmt == "vtt" else ","
            timing = f"00:{i:02d}:{j:02d}{sep}000 --> 00:{i:02d}:{j:02d}{sep}500"
            body = (
                f"<v {speaker}>{sentence}"
                if fmt == "vtt"
                else (f"{speaker}: {sentence}" if j == 0 else sentence)
            )
            cues.append(f"{len(cues) + 1}\n{timing}\n{body}")
    header = "WEBVTT\n\n" if fmt == "vtt" else ""
    transcript, rows = parse(f"t.{fmt}", header + "\n\n".join(cues) + "\n")
    _check_turns(transcript, rows, _merge_consecutive(turns))


def _merge_consecutive(turns):
    """Consecutive cues of one voice read as one turn."""
    merged: list[tuple[str, list[str]]] = []
    for speaker, sentences in turns:
        if merged and merged[-1][0] == speaker:
            merged[-1][1].extend(sentences)
        else:
            merged.append((speaker, list(sentences)))
    return merged
