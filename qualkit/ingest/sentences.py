"""Sentence units without spaCy: a rule-based splitter that follows spaCy's ``sentencizer``.

qualkit used ``spacy.blank("en")`` with the ``sentencizer`` to cut speaker turns into sentences.
Importing spaCy costs 1-2 s, and 10-16 s more when torch is installed (``thinc.compat`` imports
it), which made a one-page import take half a minute. The rules here give the same sentences
as that pipeline on transcribed speech (tests/test_sentences.py compares them on the sample and
on generated text) in pure Python, linear in the length of the text:

* a sentence ends at a token that is sentence-final punctuation (``.`` ``!`` ``?`` and their
  equivalents in other scripts); closing quotes and brackets after it stay with it, and the
  next sentence starts at the first token that is not punctuation;
* whether a full stop is a token of its own follows spaCy's English tokenizer: abbreviations
  ("Dr.", "e.g.", "Jan.") and a single capital ("plan A.") keep it, a word or number before
  it lets it go, as does a lower-case letter and a capital on either side ("end.Then");
* an ellipsis ends no sentence;
* transcribers' notes in brackets ("[laughs]", "(pause)") never hold a boundary, and after a
  full stop they open the next sentence.
"""

from __future__ import annotations

import re
import unicodedata

# spaCy's Sentencizer.default_punct_chars.
FINAL = frozenset(
    "!.?։؟۔܀܁܂߹।॥၊။።፧፨᙮᜵᜶᠃᠉᥄᥅᪨᪩᪪᪫᭚᭛᭞᭟᰻᰼᱾᱿‼‽⁇⁈⁉⸮⸼꓿꘎꘏꛳꛷꡶꡷꣎꣏꤯꧈꧉꩝꩞꩟꫰꫱꯫﹒﹖﹗！．？｡。"
    "𐩖𐩗𑁇𑁈𑂾𑂿𑃀𑃁𑅁𑅂𑅃𑇅𑇆𑇍𑇞𑇟𑈸𑈹𑈻𑈼𑊩𑑋𑑌𑗂𑗃𑗉𑗊𑗋𑗌𑗍𑗎𑗏𑗐𑗑𑗒𑗓𑗔𑗕𑗖𑗗𑙁𑙂𑜼𑜽𑜾𑩂𑩃𑪛𑪜𑱁𑱂𖩮𖩯𖫵𖬷𖬸𖭄𛲟𝪈"
)
_QUOTES = "'\"”“`‘´’‚,„»«「」『』（）〔〕【】《》〈〉⟦⟧"
_PUNCT = "…,:;!?¿؟¡()[]{}<>_#*&。？！，、；：～·।،۔؛٪"
# Characters the English tokenizer splits off the start and the end of a word.
_PREFIX = frozenset(_QUOTES + _PUNCT + "§%=—–$£€¥₩₹")
_SUFFIX = frozenset(_QUOTES + _PUNCT + "—–")
# Words the tokenizer keeps whole although they end in a full stop.
_ABBREVIATIONS = frozenset(
    """
    Adm. Ak. Ala. Apr. Ariz. Ark. Aug. Bros. Calif. Co. Colo. Conn. Corp. D.C. Dec. Del. Dr. E.G.
    E.g. Feb. Fla. Ga. Gen. Gov. I.E. I.e. Ia. Id. Ill. Inc. Ind. Jan. Jr. Jul. Jun. Kan. Kans. Ky.
    La. Ltd. Mar. Mass. Md. Messrs. Mich. Minn. Miss. Mo. Mont. Mr. Mrs. Ms. Mt. N.C. N.D. N.H.
    N.J. N.M. N.Y. Neb. Nebr. Nev. Nov. Oct. Okla. Ore. Pa. Ph.D. Prof. Rep. Rev. S.C. Sen. Sep.
    Sept. St. Tenn. Va. Wash. Wis. a.m. p.m. co. e.g. i.e. v.s. vs. °C. °F. °K. °c. °f. °k. ä. ö. ü.
    """.split()
    + [f"{c}." for c in "abcdefghijklmnopqrstuvwxyz"]
    + [f"{h}{m}" for h in range(1, 13) for m in ("a.m.", "p.m.")]
)
# A full stop between a lower-case letter (or quote) and a capital (or quote) splits a word.
_QUOTE_CHARS = frozenset(_QUOTES)
_NON_SPACE = re.compile(r"\S")
_SPACE = re.compile(r"\s")
# A chunk the rules must look into starts with something other than a letter or digit, or
# holds sentence-final punctuation, a bracket or an ellipsis; _HIT finds the candidates.
_HIT = re.compile(r"[^\w\s]|_")
_STOP_SET = FINAL | frozenset("()[]…")
_WORD_THEN_MARK = re.compile(r"[^\W_]*[a-z0-9][.!?,;:]\Z")
_OPENERS = ("[", "(")
_CLOSERS = ("]", ")")
_ENDERS = (".", "!", "?", "…", "...")

Token = tuple[int, int, str]  # start, end (absolute offsets), text


def sentence_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentences of ``text[start:end]`` as absolute (start, end) spans, untrimmed."""
    tokens = list(_tokens(text, start, end))
    if not tokens:
        return [(start, end)]
    starts = _sentencizer(tokens)
    if any(t[2] in _OPENERS for t in tokens):
        _brackets(tokens, starts)
    cut = [i for i, s in enumerate(starts) if s]
    return [
        (tokens[a][0], tokens[b - 1][1])
        for a, b in zip(cut, [*cut[1:], len(tokens)], strict=True)
    ]


def _sentencizer(tokens: list[Token]) -> list[bool]:
    starts = [False] * len(tokens)
    starts[0] = True
    seen_final = False
    for i, (_, _, word) in enumerate(tokens):
        final = word in FINAL
        if seen_final and not final and not _is_punct(word):
            starts[i] = True
            seen_final = False
        elif final:
            seen_final = True
    return starts


def _brackets(tokens: list[Token], starts: list[bool]) -> None:
    depth = 0
    for i, (_, _, word) in enumerate(tokens):
        if word in _OPENERS:
            if depth == 0 and i and tokens[i - 1][2] in _ENDERS:
                starts[i] = True
            elif i:
                starts[i] = False
            depth += 1
        elif depth:
            starts[i] = False
            if word in _CLOSERS:
                depth -= 1


def _is_punct(word: str) -> bool:
    return all(unicodedata.category(c).startswith("P") for c in word)


def _tokens(text: str, start: int, end: int):
    """Tokens of the span. A run of plain chunks (starting with a letter or digit, without
    sentence-final punctuation, brackets or an ellipsis) behaves as one word token for the
    rules, so only the other chunks are split and each run is one token: most of a transcript
    is never looked at in Python. Linear: every character is looked at a bounded number of
    times, however long a chunk without spaces."""
    last = start  # everything before this is emitted
    chunk_start = chunk_end = start
    for hit in _HIT.finditer(text, start, end):
        pos = hit.start()
        if pos < last:
            continue
        if pos >= chunk_end:  # the first hit in a new chunk: find its bounds
            chunk_start = pos
            while chunk_start > last and not text[chunk_start - 1].isspace():
                chunk_start -= 1
            space = _SPACE.search(text, pos, end)
            chunk_end = space.start() if space else end
        if pos != chunk_start and text[pos] not in _STOP_SET:
            continue  # "don't", "well," : punctuation inside a plain chunk
        if _NON_SPACE.search(text, last, chunk_start):
            first = _NON_SPACE.search(text, last, chunk_start).start()
            yield first, _gap_end(text, first, chunk_start), "w"
        yield from _split_chunk(text[chunk_start:chunk_end], chunk_start)
        last = chunk_end
    gap = _NON_SPACE.search(text, last, end)
    if gap:
        yield gap.start(), _gap_end(text, gap.start(), end), "w"


def _gap_end(text: str, start: int, end: int) -> int:
    """End of the last chunk in text[start:end] (which holds at least one)."""
    while end > start and text[end - 1].isspace():
        end -= 1
    return end


def _split_chunk(chunk: str, offset: int) -> list[Token]:
    """One white-space-delimited chunk into tokens, the way spaCy's tokenizer peels affixes."""
    if _WORD_THEN_MARK.match(chunk) and chunk not in _ABBREVIATIONS:
        # "said." "well," "yes?": most chunks that matter, split without the general walk.
        cut = offset + len(chunk) - 1
        return [(offset, cut, chunk[:-1]), (cut, cut + 1, chunk[-1])]
    head: list[str] = []
    tail: list[str] = []
    rest = chunk
    last = -1
    while rest and len(rest) != last and rest not in _ABBREVIATIONS:
        last = len(rest)
        pre = _prefix_len(rest)
        if pre and rest[pre:] in _ABBREVIATIONS:
            head.append(rest[:pre])
            rest = rest[pre:]
            break
        suf = _suffix_len(rest[pre:])
        if suf and rest[:-suf] in _ABBREVIATIONS:
            tail.append(rest[-suf:])
            rest = rest[:-suf]
            break
        if pre and suf and pre + suf <= len(rest):
            head.append(rest[:pre])
            tail.append(rest[len(rest) - suf :])
            rest = rest[pre : len(rest) - suf]
        elif pre:
            head.append(rest[:pre])
            rest = rest[pre:]
        elif suf:
            tail.append(rest[len(rest) - suf :])
            rest = rest[: len(rest) - suf]
    middle = [rest] if rest in _ABBREVIATIONS else _infixes(rest) if rest else []
    words = head + middle + tail[::-1]
    # spaCy re-joins neighbours that spell a known word ("Mr" + "." after an infix split).
    i = 0
    while i < len(words) - 1:
        if words[i] + words[i + 1] in _ABBREVIATIONS:
            words[i : i + 2] = [words[i] + words[i + 1]]
        i += 1
    tokens = []
    for word in words:
        tokens.append((offset, offset + len(word), word))
        offset += len(word)
    return tokens


def _prefix_len(word: str) -> int:
    first = word[0]
    if first == "." or first == "…":
        run = len(word) - len(word.lstrip(".")) if first == "." else 1
        return run if (first == "…" or run >= 2) else 0
    if first == "+":
        return 0 if len(word) > 1 and word[1].isdigit() else 1
    return 1 if first in _PREFIX else 0


def _suffix_len(word: str) -> int:
    if not word:
        return 0
    last = word[-1]
    if last == ".":
        dots = len(word) - len(word.rstrip("."))
        if dots >= 2:
            return dots  # an ellipsis
        before = word[-2] if len(word) > 1 else ""
        if before and (
            before.islower()
            or before.isdigit()
            or before in "%²-+"
            or before in _QUOTE_CHARS
            or _is_punct(before)
            or (before.isupper() and len(word) > 2 and word[-3].isupper())
        ):
            return 1
        return 0
    if word.endswith(("'s", "'S", "’s", "’S")) and len(word) > 2:
        return 2
    return 1 if last in _SUFFIX else 0


def _infixes(word: str) -> list[str]:
    """Split at full stops between a lower-case letter and a capital, and at ellipses."""
    parts: list[str] = []
    begin = 0
    i = 1
    while i < len(word) - 1:
        c = word[i]
        if c == "." and (word[i - 1].islower() or word[i - 1] in _QUOTE_CHARS) and (
            word[i + 1].isupper() or word[i + 1] in _QUOTE_CHARS
        ):
            if word[begin : i + 1] in _ABBREVIATIONS:
                parts.append(word[begin : i + 1])  # "x.Y": spaCy re-joins a known word
            else:
                parts += [word[begin:i], "."]
            begin = i + 1
        elif c == "…":
            parts += [word[begin:i], "…"]
            begin = i + 1
        i += 1
    parts.append(word[begin:])
    return [p for p in parts if p]
