"""Real transcript conventions (issue 10 §3): each snippet, written in the style of transcripts
found in public repositories, with the speakers and segments a coder expects."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualkit.errors import InputError
from qualkit.ingest.segmenter import segment
from qualkit.ingest.speakers import speaker_report
from qualkit.ingest.transcripts import read_transcript


def parse(name: str, text: str, **options):
    transcript = read_transcript(Path(name), text.encode("utf-8"), **options)
    rows = segment(transcript)
    return transcript, rows


def spoken(name: str, text: str, **options) -> list[tuple[str | None, str]]:
    transcript, rows = parse(name, text, **options)
    return [(r[2], transcript.text[r[3] : r[4]]) for r in rows]


CORPUS = {
    "lower-case labels": (
        "research.txt",
        "int: How did you come to the program?\n\n"
        "p3: A friend told me.\n\n"
        "int: And then?\n\n"
        "p3: I went. admin-1 was there.\n\n"
        "admin-1: I remember that.\n\n"
        "admin-1: Yes.\n",
        [
            ("int", "How did you come to the program?"),
            ("p3", "A friend told me."),
            ("int", "And then?"),
            ("p3", "I went."),
            ("p3", "admin-1 was there."),
            ("admin-1", "I remember that."),
            ("admin-1", "Yes."),
        ],
    ),
    "time then label, with = and dots": (
        "stamps.txt",
        "*04:10 = K: We met at the clinic.\n\n"
        "*04:32 = M: Right.\n\n"
        "1.42.30 K: Later on it changed.\n",
        [("K", "We met at the clinic."), ("M", "Right."), ("K", "Later on it changed.")],
    ),
    "bracketed, bare and trailing times": (
        "word_export.txt",
        "[00:01:02] Ana Ruiz: First.\n\n"
        "00:01:09 Ben: Second.\n\n"
        "Ana Ruiz (00:01:15): Third.\n\n"
        "Ben [00:01:20]: Fourth.\n",
        [("Ana Ruiz", "First."), ("Ben", "Second."), ("Ana Ruiz", "Third."), ("Ben", "Fourth.")],
    ),
    "label and time on their own line (Otter, Teams .docx)": (
        "otter.txt",
        "Speaker 1  00:03\nSo tell me about it.\n\nSpeaker 2  00:07\nWell. It was hard.\n",
        [
            ("Speaker 1", "So tell me about it."),
            ("Speaker 2", "Well."),
            ("Speaker 2", "It was hard."),
        ],
    ),
    "time, page and tape markers are not coding units": (
        "markers.txt",
        "R: We started early.\n[00:00:00:13]\nThen the police came.\n(06.46)\n"
        "Page 3\n[End of tape 1, side A]\nTAPE 2, SIDE B\n(06.50) And that was it.\n",
        [
            ("R", "We started early."),
            ("R", "Then the police came."),
            ("R", "And that was it."),
        ],
    ),
    "Markdown break and a legend at the top": (
        "legend.md",
        "I1: Interviewer 1\nR: Respondent\n\n**I1:** Shall we start?\n\n"
        "**Break:** ten minutes\n\n**R:** Yes.\n",
        [("I1", "Shall we start?"), (None, "**Break:** ten minutes"), ("R", "Yes.")],
    ),
    "QualCoder-style bracketed ids": (
        "qualcoder.txt",
        "[id1] How long have you lived here?\n[id2] Ten years.\n[id1] And before?\n"
        "[id2] [laughs] Elsewhere.\n",
        [
            ("id1", "How long have you lived here?"),
            ("id2", "Ten years."),
            ("id1", "And before?"),
            ("id2", "[laughs] Elsewhere."),
        ],
    ),
    "Zoom caption text": (
        "zoom.txt",
        "[Ana Ruiz] 10:05:03 Can you hear me?\n[Ben Ode] 10:05:09 Yes, loud and clear.\n"
        "[Ana Ruiz] 10:05:12 Good.\n",
        [
            ("Ana Ruiz", "Can you hear me?"),
            ("Ben Ode", "Yes, loud and clear."),
            ("Ana Ruiz", "Good."),
        ],
    ),
    "Teams/Stream WebVTT: GUID ids, unpadded times, voices": (
        "teams.vtt",
        "WEBVTT\n\n"
        "3a6f2f1c-0d8b-4c5e-9a3e-1f2b3c4d5e6f/12-0\n0:0:3.540 --> 0:0:7.23\n"
        "<v Ana Ruiz>Hello everyone.</v>\n\n"
        "3a6f2f1c-0d8b-4c5e-9a3e-1f2b3c4d5e6f/13-0\n0:0:7.500 --> 0:0:9.100\n"
        "<v Ben Ode>Hi Ana.</v>\n",
        [("Ana Ruiz", "Hello everyone."), ("Ben Ode", "Hi Ana.")],
    ),
    "Zoom WebVTT: 'Name: text' cues": (
        "zoom.vtt",
        "WEBVTT\n\n1\n00:00:01.000 --> 00:00:03.000\nAna Ruiz: Welcome.\n\n"
        "2\n00:00:03.500 --> 00:00:05.000\nBen Ode: Thanks.\n",
        [("Ana Ruiz", "Welcome."), ("Ben Ode", "Thanks.")],
    ),
}


@pytest.mark.parametrize("case", sorted(CORPUS))
def test_convention_gives_the_expected_speakers_and_segments(case):
    name, text, expected = CORPUS[case]
    assert spoken(name, text) == expected


def test_times_are_kept_per_segment():
    _, rows = parse(*CORPUS["bracketed, bare and trailing times"][:2])
    assert [r[5] for r in rows] == [62.0, 69.0, 75.0, 80.0]
    _, rows = parse(*CORPUS["Teams/Stream WebVTT: GUID ids, unpadded times, voices"][:2])
    assert [(r[5], r[6]) for r in rows] == [(3.54, 7.23), (7.5, 9.1)]
    _, rows = parse(*CORPUS["time, page and tape markers are not coding units"][:2])
    assert [r[5] for r in rows] == [None, 0.0, 410.0]


def test_legend_gives_roles_and_is_not_dialogue():
    transcript, _ = parse(*CORPUS["Markdown break and a legend at the top"][:2])
    assert dict(transcript.legend) == {"I1": "Interviewer 1", "R": "Respondent"}


def test_caption_cue_without_timing_is_kept_and_named():
    text = (
        "WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.000\nAna: one.\n"
        "00:00:02.500 --> 00:00:03.000\nBen: two.\n\n"
        "2\nno timing here.\n\n"
        "00:00:05.000 -> 00:00:06.000\nbroken timing.\n\n"
        "3\n00:00:07.000 --> 00:00:08.000\nAna: three.\n--> stray\n"
    )
    transcript, rows = parse("c.vtt", text)
    said = [(r[2], transcript.text[r[3] : r[4]]) for r in rows]
    assert said == [
        ("Ana", "one."),
        ("Ben", "two."),  # a timing line inside a cue opened a new cue, not speech
        ("Ben", "no timing here."),
        ("Ben", "broken timing."),
        ("Ana", "three."),
    ]
    warnings = " | ".join(transcript.warnings)
    assert "c.vtt line 9: cue with no timing line" in warnings
    assert "c.vtt line 12: cue with malformed timing line '00:00:05.000 -> 00:0" in warnings
    assert "c.vtt line 18: malformed timing line '--> stray'" in warnings
    assert "-->" not in " ".join(text for _, text in said)


def test_first_caption_cue_without_timing_is_refused_with_its_line():
    with pytest.raises(InputError, match=r"c.srt line 1: a cue with no timing line"):
        parse("c.srt", "1\nhello there\n\n2\n00:00:01,000 --> 00:00:02,000\nok\n")


def test_rtf_renamed_txt_is_refused():
    with pytest.raises(InputError, match=r"notes.txt: this is a Rich Text \(RTF\) file"):
        parse("notes.txt", r"{\rtf1\ansi\deff0 {\fonttbl {\f0 Times;}} INT: hello}")


def test_nul_byte_anywhere_is_refused_with_its_line():
    text = "A: " + "words " * 20000 + "\n\nB: after\x00 the nul\n"
    with pytest.raises(InputError, match=r"nul.txt line 3: a NUL character"):
        parse("nul.txt", text)


def test_speaker_pattern_replaces_the_rules():
    text = "JO> so we began.\nMAX> right.\nJO> fine.\n"
    assert spoken("house.txt", text)[0][0] is None
    import re

    pattern = re.compile(r"(?P<speaker>[A-Z]+)>\s*")
    assert spoken("house.txt", text, speaker_pattern=pattern) == [
        ("JO", "so we began."),
        ("MAX", "right."),
        ("JO", "fine."),
    ]


def _report(name, text, kind=None):
    transcript, rows = parse(name, text)
    return speaker_report(name, transcript, rows, {}, kind=kind)


def test_report_warns_when_no_label_is_recognised():
    report = _report("plain.txt", "just talk with no labels.\n\nmore talk.\n")
    assert report.speakers == [] and report.unlabelled_words == 7
    assert "plain.txt: no speaker labels recognised" in report.warnings[0]
    assert "--speaker-pattern" in report.warnings[0]


def test_report_counts_and_warns_on_a_dominant_label():
    text = "INT: So?\n\n" + "R: " + "word " * 200 + "\n\n" + "INT: Ok.\n"
    report = _report("dom.txt", text, kind="interview")
    assert [(s.label, s.turns, s.words) for s in report.speakers] == [
        ("R", 1, 200), ("INT", 2, 2)
    ]
    assert any("'R' holds 99% of the words" in w for w in report.warnings)
    assert not _report("dom.txt", text, kind="focus_group").warnings


def test_report_warns_on_labels_seen_once_and_case_variants():
    turns = "".join(f"A: line {i}.\n\nB: reply {i}.\n\n" for i in range(6))
    report = _report("odd.txt", turns + "Kim Lo: check.\n\nb: hmm.\n\nb: again.\n")
    text = " | ".join(report.warnings)
    assert "'Kim Lo' opens only one turn" in text
    assert "labels 'B' and 'b' differ only in case or punctuation" in text


def test_times_are_stored_with_each_segment(tmp_path, empty_project):
    from qualkit.store import Store

    from .conftest import cli

    vtt = tmp_path / "teams.vtt"
    vtt.write_text(CORPUS["Teams/Stream WebVTT: GUID ids, unpadded times, voices"][1])
    page = tmp_path / "stamps.txt"
    page.write_text(CORPUS["bracketed, bare and trailing times"][1])
    assert cli("import", empty_project, vtt, page).exit_code == 0
    with Store.open(empty_project) as store:
        times = {
            d.name: [(s.speaker, s.start_time, s.end_time) for s in store.documents.segments(d.id)]
            for d in store.documents.list()
        }
    assert times["teams.vtt"] == [("Ana Ruiz", 3.54, 7.23), ("Ben Ode", 7.5, 9.1)]
    assert [t[1] for t in times["stamps.txt"]] == [62.0, 69.0, 75.0, 80.0]
