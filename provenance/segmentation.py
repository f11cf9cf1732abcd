"""Split a source's normalised text into paragraphs and sentences, with exact code-point offsets.

The numbers are the ones a reader counts, so that "paragraph 4, sentence 2" points where a reader looks.

Paragraphs. Blank lines always separate paragraphs. A single line break separates them too when the writer
made it rather than a wrapped line: when the line does not end with ``,``, ``;``, ``:`` or a dash, the next
line starts like a sentence (see below), and either the line is longer than anyone wraps at (150 code
points) or the next line's first word would have fitted on it, within the paragraph's widest line or within
60 code points if every line is shorter. So a headline, byline or dateline without a full stop stands alone
whether a blank line or a line break follows it, text with one paragraph a line reads a paragraph a line,
and text hard-wrapped at 60 to 150 columns reads as whole paragraphs, as does ``Line one\\nline two.``.

Sentences. A sentence ends after ``.``, ``!``, ``?``, ``…`` or ``...`` and any closing quotes or brackets
after them, when whitespace follows and then something that can start a sentence: an upper-case or uncased
letter, a digit, a currency sign, or opening quotes or brackets not followed by a lower-case letter. So
``He said "Stop!" and left.``, ``(see p. 4) and`` and ``Why? he asked`` stay whole, while ``?``, ``!``,
``."``, ``.”`` and ``.)`` before a capital end the sentence. Marks with no whitespace after them never end
one (``3.5``, ``$1.5 billion``, ``U.S.-led``). A bare full stop does not end a sentence after:

- a title that comes before a name (``Dr.``, ``Gen.``, ``Mr.``; `TITLES`);
- a word used before a number, when a digit follows (``No. 10``, ``p. 4``, ``Rs. 500``;
  `NUMBER_ABBREVIATIONS`); before anything else it is a word (``He said no. Then``);
- the number of a list item that starts the sentence (``2. Medicines were sent.``);
- an abbreviation that can also close a sentence (``Jan.``, ``Inc.``, ``Jr.``; `ABBREVIATIONS`), a single
  capital initial (``A. Q. Khan``) or a dotted acronym (``U.S.``, ``U.N.``, ``p.m.``), unless the next word
  usually starts a sentence and is not an initial (`SENTENCE_STARTERS`: ``in the U.S. The talks``, but
  ``U.S. Secretary`` and ``Sanctions by the U.N. India ...``, where a reader can tell and we cannot).

An ellipsis with whitespace before it marks words left out of a quotation (``supplied ... were diverted``)
and ends a sentence only before a word from `SENTENCE_STARTERS`; one attached to the word before
(``He paused... Then``) ends it before anything that can start a sentence. A full stop or ellipsis inside
closing quotes or brackets ends the sentence whatever the word before it.

Quotations and brackets. A sentence does not end inside double quotes or round brackets opened in it when
they close later in the paragraph, within 2,000 code points of the sentence's start, and the sentence goes on
after them: the closing mark follows ``,``, ``;``, ``:`` or a dash, or the next thing after it is lower-case
or one of those (``“We are sensitive. We will help,” he said.``, ``"Stop! Now!" he cried.``). Quotations
that close with a sentence mark before a capital, or that do not close in time, end sentences as usual.

Finding candidates is one regular expression over the whole text, run in C; each candidate then costs a few
string operations, so segmentation runs at tens of megabytes a second (benchmarks/segment.py).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass

TITLES = frozenset(
    "mr mrs ms mx dr prof gen lt col maj capt cmdr cdr adm brig sgt cpl pvt gov sen rep rev fr hon pres supt insp "
    "messrs mme mlle sh smt shri".split()
)
NUMBER_ABBREVIATIONS = frozenset("no nos vol vols art fig figs ch sec para pp p op rs nr".split())
ABBREVIATIONS = frozenset(
    "jan feb mar apr jun jul aug sep sept oct nov dec inc ltd co corp bros dept univ assn approx est "
    "jr sr st mt ft ave blvd rd etc al vs cf govt".split()
)
SENTENCE_STARTERS = frozenset(
    "a an the this that these those there then thus he she it its i we you they his her our their my your "
    "but and or so yet if in on at as for from by to with when while where what which who why how after "
    "before although though however meanwhile moreover also still some many most all no not one both each "
    "every such since until during despite according under over among earlier later last next".split()
)
# Hard-wrapped text is taken to be wrapped at between this many columns and this many.
NARROWEST_WRAP = 60
WIDEST_WRAP = 150

_OPENERS = "\"'“‘«([¿¡"
_CLOSERS = "\"'”’»)]"
_CURRENCY = frozenset("$£€₹¥")
_PAIRS = (("“", "”"), ('"', '"'), ("(", ")"))
_CLAUSE_MARKS = frozenset(",;:-–—")

_PARAGRAPH_BREAK = re.compile(r"\n[^\S\n]*\n\s*")
# Marks, closing quotes or brackets, whitespace; then (looking ahead) the opening quotes or brackets, first
# character, rest of the word and a full stop after it, of what follows. One mark first, not "[.!?…]+": a single
# character class lets the regex engine skip ahead to candidates fast. A run of marks is only tried from its
# first mark, and possessively, so that a long run ("......") costs linear time, not quadratic.
_CANDIDATE = re.compile(r"([.!?…](?<![.!?…]{2})[.!?…]*+)([\"'”’»)\]]*+)\s+(?=([\"'“‘«(\[¿¡]*+)(\S?)(\w*+)(\.?))")
_TOKEN = re.compile(r"\S+")
_AFTER_CLOSING = re.compile(r"[\"'”’»)\]]*\s*(\S)")
_WORD_AT_END = re.compile(r"[\w.]*\Z")
_DOTTED_ACRONYM = re.compile(r"(?:[^\W\d_]\.)+[^\W\d_]")
_LONGEST_ABBREVIATION = 16  # code points looked back for the word before a full stop
_LONGEST_QUOTATION = 2000  # a quotation holds a sentence together only if it closes this close to its start


@dataclass(frozen=True, slots=True)
class Segment:
    """A paragraph or sentence: ``text[start:end]``, with its paragraph number and sentence number."""

    kind: str  # "paragraph" or "sentence"
    start: int
    end: int
    paragraph_no: int
    sentence_no: int | None


def paragraphs(text: str) -> Iterator[tuple[int, int]]:
    """``(start, end)`` of each paragraph (between blank lines, or line breaks that are not wrapping), trimmed of
    surrounding whitespace."""
    position = 0
    for match in _PARAGRAPH_BREAK.finditer(text):
        yield from _passages(text, position, match.start())
        position = match.end()
    yield from _passages(text, position, len(text))


def sentences(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """``(start, end)`` of each sentence of ``text[start:end]``, trimmed of surrounding whitespace."""
    start, end = _trimmed(text, start, end)
    if start == end:
        return
    position = start
    for match in _CANDIDATE.finditer(text, start, end):
        if _ends_sentence(text, position, match, end):
            yield position, match.end(2)
            position = match.end()
    yield position, end


def segment(text: str) -> list[Segment]:
    """Every paragraph and sentence of ``text``, in reading order (a paragraph before its sentences)."""
    return [Segment(*span) for span in spans(text)]


def spans(text: str) -> list[tuple[str, int, int, int, int | None]]:
    """What :func:`segment` finds, as plain tuples ``(kind, start, end, paragraph_no, sentence_no)``: a corpus has
    millions of them, and a tuple costs a fraction of a frozen dataclass to make and to send to another process."""
    # What sentences() does, with one scan for candidates over the whole text instead of one a paragraph.
    found: list[tuple[str, int, int, int, int | None]] = []
    append = found.append
    candidates = _CANDIDATE.finditer(text)
    match = next(candidates, None)
    for paragraph_no, (p_start, p_end) in enumerate(paragraphs(text), start=1):
        append(("paragraph", p_start, p_end, paragraph_no, None))
        position = p_start
        sentence_no = 1
        while match is not None and match.start() < p_end:
            if match.end(2) < p_end and _ends_sentence(text, position, match, p_end):
                append(("sentence", position, match.end(2), paragraph_no, sentence_no))
                position = match.end()
                sentence_no += 1
            match = next(candidates, None)
        append(("sentence", position, p_end, paragraph_no, sentence_no))
    return found


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    if start < end and text[start].isspace():
        start = end - len(text[start:end].lstrip())
    if start < end and text[end - 1].isspace():
        end = start + len(text[start:end].rstrip())
    return start, end


def _can_start(opening: str, first: str) -> bool:
    """Whether a sentence can start with ``first`` after the opening quotes or brackets ``opening``."""
    if first:
        return (first.isalpha() and not first.islower()) or first.isdigit() or first in _CURRENCY
    return bool(opening)


def _passages(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The paragraphs of the text between two blank lines: all of it, or the parts between line breaks that are
    not wrapped lines."""
    start, end = _trimmed(text, start, end)
    if start == end:
        return []
    if text.find("\n", start, end) < 0:
        return [(start, end)]
    lines = []
    line_start = start
    while True:
        newline = text.find("\n", line_start, end)
        line_end = end if newline < 0 else newline
        lines.append(_trimmed(text, line_start, line_end))
        if newline < 0:
            break
        line_start = newline + 1
    width = max(NARROWEST_WRAP, *(b - a for a, b in lines))
    passages = []
    passage_start = start
    for (a, b), (next_a, next_b) in itertools.pairwise(lines):
        if _line_break_ends_paragraph(text, a, b, next_a, next_b, width):
            passages.append((passage_start, b))
            passage_start = next_a
    passages.append((passage_start, end))
    return passages


def _line_break_ends_paragraph(text: str, start: int, end: int, next_start: int, next_end: int, width: int) -> bool:
    """Whether the break after line ``text[start:end]`` is one the writer made, not a wrapped line's."""
    last = end - 1
    while last > start and text[last] in _CLOSERS:
        last -= 1
    if text[last] in _CLAUSE_MARKS:
        return False  # the sentence goes on: "Ministry of External Affairs,\nNew Delhi"
    word = _TOKEN.match(text, next_start, next_end)
    assert word is not None  # lines inside a paragraph are never blank
    token = word.group()
    unquoted = token.lstrip(_OPENERS)
    if not _can_start(token[: len(token) - len(unquoted)], unquoted[:1]):
        return False
    length = end - start
    # A line longer than anyone wraps at was not wrapped; otherwise, would the next word have fitted on it?
    return length > WIDEST_WRAP or length + 1 + (word.end() - next_start) <= width


def _ends_sentence(text: str, sentence_start: int, match: re.Match[str], end: int) -> bool:
    """Whether candidate ``match`` ends the sentence from ``sentence_start`` (in a paragraph ending at ``end``)."""
    return _mark_ends(text, sentence_start, match) and not _inside_quotation(text, sentence_start, match, end)


def _mark_ends(text: str, sentence_start: int, match: re.Match[str]) -> bool:
    """Whether the marks of ``match`` end a sentence, judged by the words either side of them."""
    marks, closing, opening, first, rest, dot = match.groups()
    if not _can_start(opening, first):
        return False
    mark_start = match.start()
    if mark_start == sentence_start:
        return False  # nothing but marks so far
    if marks != ".":
        if "!" in marks or "?" in marks:
            return True
        if text[mark_start - 1].isspace():
            return _starts_sentences(first, rest, dot)  # words left out: "supplied ... were diverted"
        return True
    if closing:
        return True  # He said "No." Then...
    lo = max(sentence_start, mark_start - _LONGEST_ABBREVIATION)
    before = text[lo:mark_start]
    if before[-1].isspace():
        return True
    pieces = before.rsplit(None, 1)
    if len(pieces) == 1:
        if lo > sentence_start:
            return True  # a word too long to be an abbreviation
        if before.isdigit() and len(before) <= 3:
            return False  # the number of a list item: "2. Medicines were sent."
    word = pieces[-1]
    if not word.isalpha():
        found = _WORD_AT_END.search(word)  # "(U.S" -> "U.S", "1,000" -> "000"
        word = found.group() if found else ""
    lower = word.lower()
    if lower in TITLES:
        return False
    if lower in NUMBER_ABBREVIATIONS and first.isdigit():
        return False
    if (
        lower in ABBREVIATIONS
        or (len(word) == 1 and word.isupper())
        or ("." in word and _DOTTED_ACRONYM.fullmatch(word) is not None)
    ):
        return _starts_sentences(first, rest, dot)
    return True


def _starts_sentences(first: str, rest: str, dot: str) -> bool:
    """Whether the word after an abbreviation is one that usually starts a sentence (and is not an initial)."""
    if not rest and dot:
        return False  # an initial: "J. A. Smith"
    return (first + rest).lower() in SENTENCE_STARTERS


def _inside_quotation(text: str, sentence_start: int, match: re.Match[str], end: int) -> bool:
    """Whether the candidate lies inside double quotes or brackets opened in this sentence that close later in
    the paragraph and go on with the sentence: ``“We are sensitive. We will help,” he said.``."""
    upto = match.end(2)
    if upto - sentence_start > _LONGEST_QUOTATION:
        return False  # keeps the work per candidate bounded however long the paragraph
    for opening, closing in _PAIRS:
        if text.find(opening, sentence_start, upto) < 0:
            continue  # the common case, and the cheapest test
        if opening == closing:
            inside = text.count(opening, sentence_start, upto) % 2 == 1
        else:
            inside = text.count(opening, sentence_start, upto) > text.count(closing, sentence_start, upto)
        if not inside:
            continue
        close = text.find(closing, upto, min(end, sentence_start + _LONGEST_QUOTATION))
        if close < 0 or (opening != closing and text.find(opening, upto, close) >= 0):
            return False
        if text[close - 1] in _CLAUSE_MARKS:
            return True  # "... We will help," he said.
        after = _AFTER_CLOSING.match(text, close + 1, min(end, close + 64))
        return after is not None and (after.group(1).islower() or after.group(1) in _CLAUSE_MARKS)
    return False
