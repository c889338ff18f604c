"""Reading other programs' text positions: BOM, CRLF, UTF-16 units and NFC, each counted the
way an exporter would, mapped back onto the stored text."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from qualkit.exchange.common import compose_description, split_description
from qualkit.exchange.offsets import PositionMap, Reading, choose_reading, normalise


def _count(text: str, reading: Reading) -> list[int]:
    """Where each character of the normalised text starts, counted as ``reading`` counts the
    raw text (an independent, slow computation)."""
    bom = text.startswith("\ufeff")
    body = text[1:] if bom else text
    out, unit = [], 1 if bom and reading.bom_counted else 0
    i = 0
    while i < len(body):
        out.append(unit)
        if body.startswith("\r\n", i):
            unit += 1 if reading.crlf_as_one else 2
            i += 2
            continue
        unit += 2 if reading.utf16 and ord(body[i]) > 0xFFFF else 1
        i += 1
    out.append(unit)
    return out


RAW = "\ufeffOne\r\ntwo 🙏 three\r\n\r\nfour café\n"


def test_each_reading_maps_back_onto_the_stored_text():
    stored = normalise(RAW)
    assert stored == "One\ntwo 🙏 three\n\nfour café\n"
    word = "three"
    start = stored.index(word)
    for reading in (Reading(b, c, u) for b in (False, True) for c in (False, True)
                    for u in (False, True)):
        units = _count(RAW, reading)
        pmap = PositionMap(RAW, reading)
        a, b = units[start], units[start + len(word)]
        assert stored[pmap.to_text(a, end=False):pmap.to_text(b, end=True)] == word, reading


def test_positions_past_the_end_are_outside():
    pmap = PositionMap("short text", Reading())
    assert pmap.to_text(10, end=True) == 10
    assert pmap.to_text(11, end=True) is None
    assert pmap.to_text(-1, end=False) is None


def test_decomposed_accents_are_recomposed_and_spans_follow():
    raw = "cafe\u0301 au lait and cre\u0300me"  # NFD, as macOS and some exporters write
    pmap = PositionMap(raw, Reading())
    assert pmap.normalised == unicodedata.normalize("NFC", raw)
    start, end = raw.index("au"), raw.index("and") + 3
    assert pmap.normalised[pmap.to_text(start, end=False):pmap.to_text(end, end=True)] == (
        "au lait and")
    inside = raw.index("\u0301")  # a position inside a recomposed letter widens to all of it
    assert pmap.to_text(inside, end=True) == pmap.normalised.index("é") + 1


def test_quoted_names_decide_between_readings():
    raw = "A\r\nB line here\r\nC another line\r\n"
    stored = normalise(raw)
    target = "C another line"
    one = _count(raw, Reading(crlf_as_one=True))
    two = _count(raw, Reading())
    s = stored.index(target)
    as_one = [(one[s], one[s + len(target)], target)]
    as_two = [(two[s], two[s + len(target)], target[:8] + "...")]
    assert choose_reading(raw, as_one, atlas=False).reading.crlf_as_one
    assert not choose_reading(raw, as_two, atlas=True).reading.crlf_as_one
    # no names: the spec's reading (code points as written), except for ATLAS.ti
    assert not choose_reading(raw, [(0, 1, "")], atlas=False).reading.crlf_as_one
    assert choose_reading(raw, [(0, 1, None)], atlas=True).reading.crlf_as_one


_alphabet = st.sampled_from([*"ab é\n", "\r\n", "🙏", "e\u0301", "Z"])


@settings(max_examples=200, deadline=None)
@given(
    parts=st.lists(_alphabet, min_size=1, max_size=40),
    bom=st.booleans(),
    reading=st.builds(Reading, st.booleans(), st.booleans(), st.booleans()),
    data=st.data(),
)
def test_any_span_between_characters_maps_to_the_same_text(parts, bom, reading, data):
    raw = ("\ufeff" if bom else "") + "".join(parts)
    # boundaries between the parts: never inside a CRLF, a surrogate pair or a cluster
    bounds = [0]
    for part in parts:
        bounds.append(bounds[-1] + len(part))
    i = data.draw(st.integers(0, len(parts)))
    j = data.draw(st.integers(i, len(parts)))
    body_start, body_end = bounds[i], bounds[j]
    units = _count(raw, reading)
    raw_body = raw[1:] if bom else raw
    # _count has one entry per character of the body, a CRLF being one entry
    entries = [0]
    while entries[-1] < len(raw_body):
        entries.append(entries[-1] + (2 if raw_body.startswith("\r\n", entries[-1]) else 1))
    a, b = units[entries.index(body_start)], units[entries.index(body_end)]
    pmap = PositionMap(raw, reading)
    got = pmap.normalised[pmap.to_text(a, end=False):pmap.to_text(b, end=True)]
    expected = unicodedata.normalize("NFC", raw_body[body_start:body_end].replace("\r\n", "\n"))
    assert got == expected


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60),
       st.text(max_size=30), st.text(max_size=30), st.text(max_size=30))
def test_descriptions_round_trip(description, include, exclude, example):
    parts = [" ".join(x.replace("\r", " ").split()) for x in
             (description, include, exclude, example)]
    labels = ("Include:", "Exclude:", "Example:")
    if parts[0].startswith(labels) or any(f"\n\n{lab}" in p for p in parts for lab in labels):
        return  # a definition that itself opens with a label reads as that section
    text = compose_description(*parts)
    back = split_description(text)
    assert [back[k] for k in ("description", "include", "exclude", "example")] == parts
