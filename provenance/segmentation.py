"""Split a source's normalised text into paragraphs and sentences, with exact code-point offsets.

A paragraph is a run of text between blank lines. Sentences end at ``.``, ``!``, ``?`` or ``…`` (and any
closing quotes or brackets after them) when whitespace and then a capital letter, digit, opening quote or
bracket follow, unless the word before the full stop is a known abbreviation (``Dr.``, ``Gen.``, ``Jan.``),
a single initial (``A. Q. Khan``) or a dotted acronym (``U.S.``, ``U.N.``). A headline or byline without a
full stop is its own paragraph and so its own sentence.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

ABBREVIATIONS = frozenset(
    (
        "mr mrs ms dr prof gen lt col maj capt cmdr adm sgt cpl pvt gov sen rep rev fr st jr sr hon pres "
        "jan feb mar apr jun jul aug sep sept oct nov dec "
        "inc ltd co corp bros dept univ assn approx vs cf mt ft ave blvd rd"
    ).split(" ")
)
# Abbreviations that are also ordinary words ("He said no."): abbreviations only before a number ("No. 5").
NUMBER_ABBREVIATIONS = frozenset("no nos vol art fig ch sec para pp p op".split(" "))

_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")
_CANDIDATE = re.compile(r"(?:\.{3}|[.!?…])+[\"'”’»)\]]*(?=\s+(\S))")
_WORD_BEFORE = re.compile(r"([\w.]+)$")
_DOTTED_ACRONYM = re.compile(r"(?:[^\W\d_]\.)+[^\W\d_]?$")


@dataclass(frozen=True)
class Segment:
    """A paragraph or sentence: ``text[start:end]``, with its paragraph number and sentence number."""

    kind: str  # "paragraph" or "sentence"
    start: int
    end: int
    paragraph_no: int
    sentence_no: int | None


def paragraphs(text: str) -> Iterator[tuple[int, int]]:
    """``(start, end)`` of each paragraph, trimmed of surrounding whitespace."""
    position = 0
    for match in _PARAGRAPH_BREAK.finditer(text):
        yield from _trimmed(text, position, match.start())
        position = match.end()
    yield from _trimmed(text, position, len(text))


def _trimmed(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        yield start, end


def _is_boundary(text: str, start: int, match: re.Match[str]) -> bool:
    following = match.group(1)
    if not (following[0].isupper() or following[0].isdigit() or following[0] in "\"'“‘«([$£€"):
        return False
    punctuation = match.group(0)
    if punctuation[0] != "." or punctuation.startswith("...") or not punctuation.endswith("."):
        return True  # ! ? … end sentences; so does a full stop inside closing quotes: He said "No." Then...
    before = _WORD_BEFORE.search(text, start, match.start())
    if before is None:
        return True
    word = before.group(1)
    if word.lower() in ABBREVIATIONS:
        return False
    if word.lower() in NUMBER_ABBREVIATIONS and following[0].isdigit():
        return False
    if len(word) == 1 and word.isalpha() and word.isupper():
        return False  # an initial: "A. Q. Khan"
    return not _DOTTED_ACRONYM.fullmatch(word + ".")


def sentences(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """``(start, end)`` of each sentence of ``text[start:end]``."""
    position = start
    for match in _CANDIDATE.finditer(text, start, end):
        if match.end() >= end:
            break
        if _is_boundary(text, position, match):
            yield from _trimmed(text, position, match.end())
            position = match.end()
    yield from _trimmed(text, position, end)


def segment(text: str) -> list[Segment]:
    """Every paragraph and sentence of ``text``, in reading order (a paragraph before its sentences)."""
    segments: list[Segment] = []
    for paragraph_no, (p_start, p_end) in enumerate(paragraphs(text), start=1):
        segments.append(Segment("paragraph", p_start, p_end, paragraph_no, None))
        for sentence_no, (s_start, s_end) in enumerate(sentences(text, p_start, p_end), start=1):
            segments.append(Segment("sentence", s_start, s_end, paragraph_no, sentence_no))
    return segments
