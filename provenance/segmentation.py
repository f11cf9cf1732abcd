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
letter, a digit, a currency sign, a bullet (``•``), or opening quotes or brackets not followed by a
lower-case letter. So ``He said "Stop!" and left.``, ``(see p. 4) and`` and ``Why? he asked`` stay whole,
while ``?``, ``!``, ``."``, ``.”`` and ``.)`` before a capital end the sentence. Marks with no whitespace
after them never end one (``3.5``, ``$1.5 billion``, ``U.S.-led``). A bare full stop does not end a sentence
after:

- a title that comes before a name (``Dr.``, ``Gen.``, ``Mr.``; `TITLES`);
- a word used before a number, when a digit follows (``No. 10``, ``N°. 1026``, ``p. 4``, ``Rs. 500``;
  `NUMBER_ABBREVIATIONS`); before anything else it is a word (``He said no. Then``);
- the number or letter of a list item that starts the sentence (``2. Medicines were sent.``, ``1.) The``,
  ``• 9. The``, ``a. The``);
- an abbreviation that can also close a sentence (``Jan.``, ``Inc.``, ``Jr.``; `ABBREVIATIONS`), a single
  capital initial (``A. Q. Khan``) or a dotted acronym (``U.S.``, ``U.N.``, ``p.m.``), unless the next word
  usually starts a sentence and is not an initial (`SENTENCE_STARTERS`: ``in the U.S. The talks``, but
  ``U.S. Secretary`` and ``Sanctions by the U.N. India ...``, where a reader can tell and we cannot) or is a
  verb that starts a question with a pronoun after it (`QUESTION_STARTERS`: ``you and I. Did you``, but the
  headline ``Does the U.S. Have Millions``).

A unit written after a number (``2 °C``, ``2°C``, ``40 U/L``, ``10 mg/dL``, ``5 km``, ``6 ft``: `UNITS`, or
anything starting with a degree sign) ends a sentence before anything that can start one but a number
(``2 °C. Models``, ``6 ft. J. Smith``), so never before a number or a lower-case word (``6 ft. 2 in. tall``).
A lone capital after a number is an initial, not a unit (``In 2018 A. Smith``).

An ellipsis with whitespace before it marks words left out of a quotation (``supplied ... were diverted``)
and ends a sentence only before a word from `SENTENCE_STARTERS`; one attached to the word before
(``He paused... Then``) ends it before anything that can start a sentence. The style guides' spaced
ellipsis, ``. . .``, marks words left out inside a sentence and never ends one (``the thing is . . . I
didn't``); a fourth full stop ends the sentence (``a period . . . . Next``), three after a word end it as
``...`` does, and a full stop on a word ends it before a spaced ellipsis that leads into the next sentence
(``compounds. . . . The practice``: the ellipsis opens the next sentence). An ellipsis in brackets
(``[...]``, ``[…]``) is an editor's mark for words left out and never ends a sentence. Otherwise a full stop
or ellipsis inside closing quotes or brackets ends the sentence whatever the word before it.

Lists. A paragraph that starts with a list item has a sentence for each item, as pysbd has: the item's
marker is a bullet (``•``), a number or lower-case letter with ``.``, ``.)`` or ``)`` (``1.``, ``2.)``,
``a)``, ``(1)``), or a bullet and a number (``• 9.``), and each later marker of the same form after
whitespace, numbered or lettered next in turn, starts the next item (``1) The first item 2) The second
item``). Markers out of turn, of another form, or in a paragraph that does not start with one (``The plan
has parts: 1) food 2) medicine``) are words of their sentence. A line that starts with a bullet or a number
can start a paragraph, as a line that starts with a capital can.

Quotations and brackets. A sentence does not end inside double quotes or round brackets opened in it when
they close later in the paragraph, within 2,000 code points of the sentence's start, and the sentence goes on
after them: the closing mark follows ``,``, ``;``, ``:`` or a dash, or the next thing after it is lower-case
or one of those (``“We are sensitive. We will help,” he said.``, ``"Stop! Now!" he cried.``). Quotations
that close with a sentence mark before a capital, or that do not close in time, end sentences as usual.

Of the 48 English Golden Rules (the sentence-boundary cases pySBD and the Pragmatic Segmenter test against)
this splits 47 as they expect; the one it misses needs more than the words around the marks: ``At 5 a.m.
Mr. Smith went ...`` goes on where ``at 6 P.M. Mr. Smith then went ...`` ends (tests/test_segmentation.py).

Finding candidates is one regular expression over the whole text, run in C; each candidate then costs a few
string operations, so segmentation runs at tens of megabytes a second (benchmarks/segment.py).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

TITLES = frozenset(
    "mr mrs ms mx dr prof gen lt col maj capt cmdr cdr adm brig sgt cpl pvt gov sen rep rev fr hon pres supt insp "
    "messrs mme mlle sh smt shri".split()
)
NUMBER_ABBREVIATIONS = frozenset("no nos n° nº vol vols art fig figs ch sec para pp p op rs nr".split())
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
# Words that start a question when a pronoun follows them ("you and I. Did you see"), but after an acronym in
# a title-case headline are its verb ("Does the U.S. Have Millions More").
QUESTION_STARTERS = frozenset("is are was were do does did can could will would shall should may might must".split())
QUESTION_SUBJECTS = frozenset("i you he she it we they".split())
# Units written after a number ("5 km", "40 U/L", "10 mg/dL"), compared in lower case part by part; a token
# starting with a degree sign ("°C", "2°C") is a unit too. A lone capital ("5 A.") is taken for an initial.
UNITS = frozenset(
    "mm cm m km nm in ft yd mi mg g kg t lb lbs oz ng pg mcg ml l dl cl gal s ms min mins h hr hrs mol mmol "
    "u iu meq hz khz mhz ghz w kw mw gw kwh mwh v mv kv a ma j kj cal kcal pa kpa hpa mbar mmhg db ppm ppb "
    "bpm mph kph µg μg µl μl µm μm µmol μmol".split()
)
# Hard-wrapped text is taken to be wrapped at between this many columns and this many.
NARROWEST_WRAP = 60
WIDEST_WRAP = 150

_OPENERS = "\"'“‘«([¿¡"
_CLOSERS = "\"'”’»)]"
_CURRENCY = frozenset("$£€₹¥")
_BULLETS = "•‣⁃◦▪●"
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
_WORD_AT_END = re.compile(r"[\w.°º]*\Z")
_DOTTED_ACRONYM = re.compile(r"(?:[^\W\d_]\.)+[^\W\d_]")
_NEXT_WORD = re.compile(r"[^\S\n]+(\w+)\b")
_LEADING_NUMBER = re.compile(r"[\d.,]*")
# A list item's marker: a bullet, a number or lower-case letter with ".", ".)" or ")" ("(1)" too), or both.
_MARKER = r"(?:([•‣⁃◦▪●])[^\S\n]*)?(?:(\(?)(\d{1,3}|[a-z])(\.\)|[.)]))?(?<=\S)(?=\s+\S)"
_LIST_MARKER = re.compile(_MARKER)
_LATER_LIST_MARKER = re.compile(r"(?<=\s)" + _MARKER)
_LIST_STARTS = frozenset("•‣⁃◦▪●(0123456789abcdefghijklmnopqrstuvwxyz")
_LIST_LABEL = re.compile(r"(?:[•‣⁃◦▪●][^\S\n]*)?\(?(?:\d{1,3}|[a-z])")
_SPACED_ELLIPSIS_AFTER = re.compile(r"\. \. \.\s+([\"'“‘«(\[¿¡]*)(\S)")
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
    yield from _split(text, start, end, _CANDIDATE.finditer(text, start, end), _list_items(text, start, end))


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
        items = _list_items(text, p_start, p_end) if text[p_start] in _LIST_STARTS else None
        if items:  # a list: rare, so it takes the slower, general way
            inside = []
            while match is not None and match.start() < p_end:
                if match.end(2) < p_end:
                    inside.append(match)
                match = next(candidates, None)
            for sentence_no, (start, end) in enumerate(_split(text, p_start, p_end, inside, items), start=1):
                append(("sentence", start, end, paragraph_no, sentence_no))
            continue
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


def _split(
    text: str, start: int, end: int, candidates: Iterable[re.Match[str]], items: list[int]
) -> Iterator[tuple[int, int]]:
    """The sentences of the trimmed ``text[start:end]``, given its candidates and where its later list items
    begin."""
    position = start
    later = iter(items)
    item = next(later, end)
    for match in candidates:
        while item <= match.start():
            if item > position:  # else a sentence mark already ended the item before
                yield position, len(text[position:item].rstrip()) + position
                position = item
            item = next(later, end)
        if _ends_sentence(text, position, match, end):
            yield position, match.end(2)
            position = match.end()
    while item < end:
        if item > position:
            yield position, len(text[position:item].rstrip()) + position
            position = item
        item = next(later, end)
    yield position, end


def _list_items(text: str, start: int, end: int) -> list[int]:
    """Where the items of a list after its first begin, if ``text[start:end]`` starts with a list item: later
    markers like the first (``1.)``, ``• 9.``, ``a.``, ``(1)``, ``•``) whose number or letter comes next in turn,
    each after whitespace. Empty for anything else."""
    first = _LIST_MARKER.match(text, start, end)
    if first is None or first.end() == start:
        return []
    bullet, paren, label, closing = first.groups()
    if paren and closing != ")":
        return []
    items = []
    expected = _next_label(label)
    for marker in _LATER_LIST_MARKER.finditer(text, first.end(), end):
        if label is None:
            if marker.group(1) == bullet:
                items.append(marker.start())
        elif marker.group(3) == expected and marker.group(1, 2, 4) == (bullet, paren, closing):
            items.append(marker.start())
            expected = _next_label(expected)
    return items


def _next_label(label: str | None) -> str | None:
    """The number or letter of the list item after the one labelled ``label``."""
    if label is None:
        return None
    return str(int(label) + 1) if label.isdigit() else chr(ord(label) + 1)


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    if start < end and text[start].isspace():
        start = end - len(text[start:end].lstrip())
    if start < end and text[end - 1].isspace():
        end = start + len(text[start:end].rstrip())
    return start, end


def _can_start(opening: str, first: str) -> bool:
    """Whether a sentence can start with ``first`` after the opening quotes or brackets ``opening``."""
    if first:
        return (first.isalpha() and not first.islower()) or first.isdigit() or first in _CURRENCY or first in _BULLETS
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
    return _mark_ends(text, sentence_start, match, end) and not _inside_quotation(text, sentence_start, match, end)


def _mark_ends(text: str, sentence_start: int, match: re.Match[str], end: int) -> bool:
    """Whether the marks of ``match`` end a sentence (in a paragraph ending at ``end``), judged by the words either
    side of them."""
    marks, closing, opening, first, _, _ = match.groups()
    if not _can_start(opening, first):
        if first == "." and marks == "." and not opening and not closing:
            return _ends_before_spaced_ellipsis(text, sentence_start, match, end)
        return False
    mark_start = match.start()
    if mark_start == sentence_start:
        return False  # nothing but marks so far
    if marks != ".":
        if "!" in marks or "?" in marks:
            return True
        if text[mark_start - 1] in "[(" and closing[:1] in "])":
            return False  # an editor's mark for words left out: "stairways [...]"
        if text[mark_start - 1].isspace():
            return _starts_sentences(text, match)  # words left out: "supplied ... were diverted"
        return True
    if (
        mark_start - sentence_start <= 6
        and closing in ("", ")")
        and _LIST_LABEL.fullmatch(text, sentence_start, mark_start) is not None
    ):
        return False  # the number of a list item: "2. Medicines were sent.", "1.) The first item"
    if text[mark_start - 1].isspace():
        return _ends_spaced_ellipsis(text, sentence_start, mark_start)
    if closing:
        return True  # He said "No." Then...
    lo = max(sentence_start, mark_start - _LONGEST_ABBREVIATION)
    before = text[lo:mark_start]
    pieces = before.rsplit(None, 1)
    if len(pieces) == 1 and lo > sentence_start:
        return True  # a word too long to be an abbreviation
    token = pieces[-1]
    word = token
    if not word.isalpha():
        found = _WORD_AT_END.search(word)  # "(U.S" -> "U.S", "1,000" -> "000"
        word = found.group() if found else ""
    lower = word.lower()
    if first.isdigit() and (lower in NUMBER_ABBREVIATIONS or _is_unit(token, pieces[0] if len(pieces) == 2 else "")):
        return False  # "No. 10", "N°. 1026", "5 ft. 2 in."
    if lower in TITLES:
        return False
    if (
        lower in ABBREVIATIONS
        or (len(word) == 1 and word.isupper())
        or ("." in word and _DOTTED_ACRONYM.fullmatch(word) is not None)
    ):
        if not first.isdigit() and _is_unit(token, pieces[0] if len(pieces) == 2 else ""):
            return True  # "40 U/L. Overall", "6 ft. J. Smith"
        return _starts_sentences(text, match)
    return True


def _is_unit(token: str, before: str) -> bool:
    """Whether ``token`` is a unit written after a number: ``2 °C``, ``40 U/L``, ``10mg/dL`` (`UNITS`)."""
    digits = _LEADING_NUMBER.match(token)
    number_end = digits.end() if digits else 0
    if number_end:
        if not token[number_end - 1].isdigit():
            return False
        unit = token[number_end:]
    elif before[-1:].isdigit():
        unit = token
    else:
        return False
    if unit[:1] in ("°", "º"):
        return True
    if not unit or (len(unit) == 1 and unit.isupper()):
        return False  # "In 2018 A. Smith wrote": a lone capital is an initial
    return all(part.lower() in UNITS for part in unit.split("/"))


def _ends_spaced_ellipsis(text: str, sentence_start: int, mark_start: int) -> bool:
    """Whether a full stop after whitespace, before something that can start a sentence, ends one. The last dot
    of a spaced ellipsis (``. . .``, a style guide's mark for words left out inside a sentence) does not; the
    fourth (``period . . . . Next``: the sentence's own full stop) does, as do three after a word (``paused. . .
    Then``). An ellipsis that starts the sentence (``. . . The practice``) does not end it."""
    dots = 1
    first_dot = mark_start
    while first_dot - 2 >= sentence_start and text[first_dot - 1] == " " and text[first_dot - 2] == ".":
        first_dot -= 2
        dots += 1
    if first_dot == sentence_start:
        return False
    if dots == 3:
        return not text[first_dot - 1].isspace()
    return True


def _ends_before_spaced_ellipsis(text: str, sentence_start: int, match: re.Match[str], end: int) -> bool:
    """Whether a full stop attached to a word ends the sentence before a spaced ellipsis that leads into the
    next (``compounds. . . . The practice``): it does when what follows the ellipsis can start a sentence."""
    if match.start() == sentence_start or text[match.start() - 1].isspace():
        return False
    after = _SPACED_ELLIPSIS_AFTER.match(text, match.end(), end)
    return after is not None and _can_start(after.group(1), after.group(2))


def _starts_sentences(text: str, match: re.Match[str]) -> bool:
    """Whether the word after an abbreviation is one that usually starts a sentence (and is not an initial), or
    starts a question with a pronoun after it."""
    _, _, opening, first, rest, dot = match.groups()
    if not rest and dot:
        return False  # an initial: "J. A. Smith"
    word = (first + rest).lower()
    if word in SENTENCE_STARTERS:
        return True
    if word in QUESTION_STARTERS:
        subject = _NEXT_WORD.match(text, match.end() + len(opening) + len(first) + len(rest))
        return subject is not None and subject.group(1).lower() in QUESTION_SUBJECTS
    return False


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
