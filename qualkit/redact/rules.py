"""Pattern rules for the identifiers that a trained NER model misses or does not label: phone
numbers, e-mail addresses, street addresses, dates, ages and ID numbers.

Every quantifier is bounded, so each pattern runs in time linear in the text (a transcript of one
50 MB line must not hang the scan).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

MONTHS = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_NUMBER_WORDS = (
    r"(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)"
    r"(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?"
    r"|eighteen|nineteen|seventeen|sixteen|fifteen)"
)
_STREET_TYPES = (
    r"(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Way|Court|Ct|Place|Pl"
    r"|Terrace|Highway|Hwy|Parkway|Pkwy|Plaza|Square|Circle)"
)
_CAP_WORD = r"[A-Z][a-z]{1,20}"


@dataclass(frozen=True, slots=True)
class RuleMatch:
    start: int
    end: int
    kind: str
    rule: str


# (kind, rule name, pattern, group holding the identifier: 0 for the whole match)
_RULES: list[tuple[str, str, re.Pattern[str], int]] = [
    ("EMAIL", "email", re.compile(
        r"\b[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){1,5}\b"), 0),
    ("PHONE", "phone", re.compile(
        r"(?<![\w-])(?:\+?1[ .-]?)?(?:\(\d{3}\) ?|\d{3}[ .-])\d{3}[ .-]\d{4}(?![\w-])"), 0),
    ("PHONE", "phone7", re.compile(r"(?<![\w-])\d{3}-\d{4}(?![\w-])"), 0),
    ("ID", "ssn", re.compile(r"(?<![\w-])\d{3}-\d{2}-\d{4}(?![\w-])"), 0),
    ("ADDRESS", "street-address", re.compile(
        rf"\b\d{{1,5}} (?:{_CAP_WORD} ){{0,3}}(?:\d{{1,3}}(?:st|nd|rd|th) )?{_STREET_TYPES}\b"
        r"(?:,? (?:Apt|Apartment|Unit|Suite|#) ?[0-9A-Z]{1,5}\b)?"), 0),
    ("PLACE", "street-name", re.compile(
        rf"\b(?:{_CAP_WORD} ){{1,2}}(?:Street|Avenue|Road|Boulevard|Lane|Drive|Parkway)\b"), 0),
    ("PLACE", "route", re.compile(r"\b(?:Route|Highway|Interstate|County Road) \d{1,3}\b"), 0),
    ("PLACE", "saint-place", re.compile(r"\bSt\. [A-Z][a-z]{1,20}(?:['’]s)?"), 0),
    ("PERSON", "titled-name", re.compile(
        r"\b(?:Officer|Sergeant|Sgt\.|Detective|Deputy|Lieutenant|Lt\.|Dr\.|Doctor|Judge"
        r"|Captain|Chief|Reverend|Rev\.|Pastor|Mayor|Nurse|Mr\.|Mrs\.|Ms\.|Miss) "
        r"((?:[A-Z][a-z]{1,20}|[A-Z]\.)(?: [A-Z][a-z]{1,20}){0,2})\b(?<!['’]s)"), 1),
    ("DATE", "month-day", re.compile(
        rf"\b{MONTHS}\.? \d{{1,2}}(?:st|nd|rd|th)?(?:,? \d{{4}})?\b"), 0),
    ("DATE", "day-of-month", re.compile(
        rf"\b(?:the )?\d{{1,2}}(?:st|nd|rd|th) of {MONTHS}(?:,? \d{{4}})?\b"), 0),
    ("DATE", "numeric-date", re.compile(
        r"(?<![\w/.-])\d{1,2}[/.]\d{1,2}[/.](?:\d{4}|\d{2})(?![\w/.-])"), 0),
    ("DATE", "iso-date", re.compile(r"(?<![\w-])\d{4}-\d{2}-\d{2}(?![\w-])"), 0),
    ("DATE", "month-year", re.compile(rf"\b{MONTHS} (?:of )?\d{{4}}\b"), 0),
    ("AGE", "years-old", re.compile(
        rf"\b(\d{{1,3}}|{_NUMBER_WORDS})[- ](?:years?|yrs?)[- ]old\b", re.IGNORECASE), 1),
    ("AGE", "i-am-n", re.compile(
        rf"\b(?:I'm|I am|I was|he's|she's|he is|she is|he was|she was|aged|age|turned|turning) "
        rf"(\d{{2}}|{_NUMBER_WORDS})\b(?! (?:years? (?:ago|in|on|with|of|clean|sober)|percent"
        r"|minutes|days|times|%|dollars|bucks|calls|people))",
        re.IGNORECASE), 1),
    ("AGE", "name-comma-age", re.compile(r"\b[A-Z][a-z]{1,20}, (\d{2}),"), 1),
    ("ID", "case-number", re.compile(
        r"(?<![\w-])(?=[A-Z0-9-]{0,24}\d{3})(?:[A-Z]{1,4}-?\d{3,10}|\d{2,4}-[A-Z]{1,4}-\d{3,8}"
        r"|\d{2,4}-\d{4,8})(?![\w-])"), 0),
    ("ID", "long-number", re.compile(r"(?<![\w.,-])\d{6,12}(?![\w.,-])"), 0),
    ("ID", "labelled-number", re.compile(
        r"\b(?:case|booking|file|badge|ID|account|member|client|docket|license|licence)"
        r"(?: number| no\.?| #|#)? ?:? ?(#?[A-Z0-9][A-Z0-9-]{2,20})\b(?<=\d)", re.IGNORECASE), 1),
]


def find(text: str) -> Iterator[RuleMatch]:
    """Every rule match in ``text`` (overlaps included; the detector resolves them)."""
    for kind, name, pattern, group in _RULES:
        for match in pattern.finditer(text):
            start, end = match.span(group)
            if end > start:
                yield RuleMatch(start, end, kind, name)
