"""Sentence units without spaCy: the rules give the sentences spaCy's sentencizer gave."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

from qualkit.ingest.sentences import sentence_spans
from qualkit.ingest.transcripts import read_transcript, trim_span

SAMPLE = Path(__file__).resolve().parent.parent / "transcripts_sample"


def sentences(text: str) -> list[str]:
    spans = (trim_span(text, *s) for s in sentence_spans(text, 0, len(text)))
    return [text[a:b] for a, b in spans if a < b]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("It started. Then it stopped.", ["It started.", "Then it stopped."]),
        ("Dr. Lee came at 5 p.m. today.", ["Dr. Lee came at 5 p.m. today."]),
        ('He said "yes." Then he left.', ['He said "yes."', "Then he left."]),
        ("So. [laughs] Just to say", ["So.", "[laughs] Just to say"]),
        ("We did (I think. Maybe.) go", ["We did (I think. Maybe.)", "go"]),
        ("Plan A. Then B.", ["Plan A. Then B."]),
        ("Well... I guess so?! Yes.", ["Well... I guess so?!", "Yes."]),
        ("It rose 3.5 percent.Then fell", ["It rose 3.5 percent.", "Then fell"]),
        ("e.g. this one. And that", ["e.g. this one.", "And that"]),
        ("no punctuation at all", ["no punctuation at all"]),
    ],
)
def test_sentence_rules(text, expected):
    assert sentences(text) == expected


_TOKENS = (
    "the We Dr. e.g. A. U.S. end. end.Then \"yes.\" (pause) [laughs] so. well... what? Yes! ?! "
    "— - 5. 3.5 $5. mr. Mr. i. OK. it's. \" ( ) [ ] ... … word… x.Y *laughs* a.m. 10a.m. "
    "“Hi.” ABC. Ab. ’ . ! ? NYC.) (so.) [inaudible e.g., etc. St. no. No. #1. %. +. «Oui.»"
).split()

_SPACY = """
import json, sys
sys.modules["torch"] = None  # thinc would import it; the sentencizer needs none of it
import spacy
from spacy.language import Language

def brackets(doc):  # the component qualkit used with spaCy (before the rules replaced it)
    depth = 0
    for i, token in enumerate(doc):
        if token.text in ("[", "("):
            if depth == 0 and i and doc[i - 1].text in (".", "!", "?", "…", "..."):
                token.is_sent_start = True
            elif i:
                token.is_sent_start = False
            depth += 1
        elif depth:
            token.is_sent_start = False
            if token.text in ("]", ")"):
                depth -= 1
    return doc

Language.component("brackets", func=brackets)
nlp = spacy.blank("en")
nlp.add_pipe("sentencizer")
nlp.add_pipe("brackets")
texts = json.load(sys.stdin)
print(json.dumps([[[s.start_char, s.end_char] for s in doc.sents] for doc in nlp.pipe(texts)]))
"""


def _spacy_sentences(texts: list[str]) -> list[list[str]]:
    out = subprocess.run(
        [sys.executable, "-c", _SPACY], input=json.dumps(texts), capture_output=True, text=True
    )
    if out.returncode:
        pytest.skip(f"spaCy is not usable here: {out.stderr.strip().splitlines()[-1]}")
    result = []
    for text, spans in zip(texts, json.loads(out.stdout), strict=True):
        trimmed = (trim_span(text, a, b) for a, b in spans)
        result.append([text[a:b] for a, b in trimmed if a < b])
    return result


def test_same_sentences_as_spacy_on_the_sample_and_on_generated_text():
    pytest.importorskip("spacy")
    texts = []
    for path in sorted(SAMPLE.iterdir()):
        if path.suffix in (".txt", ".md", ".vtt", ".srt", ".docx"):
            transcript = read_transcript(path, path.read_bytes())
            texts += [transcript.text[a:b] for turn in transcript.turns for a, b in turn.blocks]
    rng = random.Random(7)
    texts += [" ".join(rng.choices(_TOKENS, k=rng.randint(1, 12))) for _ in range(3000)]
    ours = [sentences(t) for t in texts]
    assert ours == _spacy_sentences(texts)
