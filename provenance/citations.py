"""How a source and a place in it are named in plain words, for reports and the terminal.

A source's reference-list entry is rendered by citeproc-py (a CSL processor) from the CSL-JSON item
:func:`csl_item` makes, the same item the ``csl`` export writes, in one of the CSL styles shipped in
``provenance/styles/`` (see the README there for their origin and licence).

citeproc-py 0.11 implements CSL 1.0 but not all of CSL 1.0.1/1.0.2, which the current APA and Chicago styles
use. Three of the gaps produce wrong references for the sources we hold, so the element classes in
:mod:`provenance.cslstyle` (loaded only to render a reference) fix them for the styles loaded there (citeproc-py
itself is left as it is):

- ``cs:label`` printed its term even when its variable was empty (Chicago gave "Edition." for every article);
- ``initialize="false"`` (CSL 1.0.1) was ignored, so Chicago abbreviated given names ("Fisher, I.");
- a variable put in place of a missing author through a macro (``<substitute><text macro="title"/>``) was
  printed a second time where it normally stands ("Title. (2020). Title.").

A fourth, ``punctuation-in-quote``, is applied to the finished text: a period or comma after a closing
quotation mark moves inside it, as the en-US locale asks (Chicago: “Title.” not “Title”.).
Known limits that remain: no italics (references are plain text); initials already in a name are not
punctuated ("V K Singh" stays "Singh, V K" in Chicago, where CSL would give "V. K."); names are read in
Western order unless written "Family, Given".
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import inspect

from provenance.confidence import describe_reliability
from provenance.errors import Invalid
from provenance.models import Passage, Source

if TYPE_CHECKING:
    from provenance.report import PassageRow

_OPENING_WORDS = 10
STYLES = ("apa", "chicago-author-date")
STYLES_DIR = Path(__file__).resolve().parent / "styles"
# Every source is a captured news report (or something read like one), so every item is "article-newspaper":
# the publisher is the paper or agency (container-title). "webpage" would suit a capture with a URL and no
# publisher, but the type would then change with what metadata happens to be known; "article" is a preprint
# in CSL 1.0.2 (Chicago prints "Preprint").
CSL_TYPE = "article-newspaper"


def source_title(source: Source) -> str:
    """The source's title, or (for an untitled one) its opening words in brackets: we invent no title."""
    if source.title:
        return source.title
    words = source.text.split()
    opening = " ".join(words[:_OPENING_WORDS])
    return f"[untitled; begins “{opening}{'…' if len(words) > _OPENING_WORDS else ''}”]"


def citation(source: Source) -> str:
    """``Isabel Fisher, “India looks to revive ties with North Korea”, Publisher, 17 May 2018, URL``."""
    parts = []
    if source.author:
        parts.append(source.author)
    title = source_title(source)
    parts.append(title if title.startswith("[") else f"“{title}”")
    if source.publisher:
        parts.append(source.publisher)
    parts.append(f"{source.published.day} {source.published:%B %Y}" if source.published else "undated")
    if source.url:
        parts.append(source.url)
    return ", ".join(parts)


# --- CSL-JSON ---------------------------------------------------------------------------------------------

# Words that mark a byline as an organisation or a role rather than a person ("Press Trust of India",
# "Staff Reporter", "Reuters"): such a byline is kept whole, as a literal name.
_NOT_A_PERSON = frozenset(
    """
    agence agencies agency associated association board bureau by channel college committee correspondent
    correspondents council department desk editor editorial editors foundation government group inc institute
    limited ltd magazine media ministry network news newsroom office online organisation organization party post
    press presse reporter reporters reuters service staff team television times trust tv university web writer
    writers
    """.split()
)
_PARTICLES = frozenset("al bin da das de del della den der di dos du el la le ten ter van von zu".split())
_SUFFIXES = frozenset("jr jr. sr sr. ii iii iv".split())
_NAME_WORD = re.compile(r"[^\W\d_][\w'’.-]*")  # starts with a letter: "O’Brien", "A.", "Jean-Luc", "Élodie"
_LIST = re.compile(r"\s*[;,]\s*|\s+(?:and|&)\s+")


def _name_word(word: str) -> bool:
    if word in _PARTICLES:
        return True
    if not _NAME_WORD.fullmatch(word) or not word[0].isupper():
        return False
    return len(word.rstrip(".")) == 1 or not word.isupper()  # "V" and "A." are initials; "PTI" is an agency


def _reads_as_name(words: list[str]) -> bool:
    return all(_name_word(w) for w in words) and not any(w.casefold().strip(".") in _NOT_A_PERSON for w in words)


def _given_family(words: list[str]) -> dict[str, str] | None:
    """``Isabel Fisher``, ``A. Q. Khan``, ``Ludwig van Beethoven`` (given names first) as CSL name parts."""
    if not 2 <= len(words) <= 5 or not _reads_as_name(words) or words[0] in _PARTICLES or words[-1] in _PARTICLES:
        return None
    # the family name is the last word, after any lowercase particles ("van Beethoven")
    start = len(words) - 1
    while start > 1 and words[start - 1] in _PARTICLES:
        start -= 1
    name = {"family": words[-1], "given": " ".join(words[:start])}
    if start < len(words) - 1:
        name["non-dropping-particle"] = " ".join(words[start:-1])
    return name


def _person(byline: str) -> dict[str, str] | None:
    """One person's name (``Isabel Fisher``, ``Fisher, Isabel``, ``Isabel Fisher, Jr.``) as CSL name parts,
    or None if the byline does not read as one."""
    words = byline.split()
    if len(words) > 2 and words[-1].casefold() in _SUFFIXES:
        name = _given_family([w.rstrip(",") for w in words[:-1]])
        return {**name, "suffix": words[-1]} if name else None
    if byline.count(",") == 1:
        family, given = (part.split() for part in byline.split(","))
        if family and given and _reads_as_name(family + given):
            return {"family": " ".join(family), "given": " ".join(given)}
        return None
    return _given_family(words)


def csl_names(byline: str) -> list[dict[str, str]]:
    """A byline as CSL name variables: each person as family and given names, anything else (an agency, a
    desk, a byline we cannot read) whole, as a literal name.

    ``Isabel Fisher, Anand Roy and Li Wei`` is three people when each part reads as given names and a family
    name; ``Fisher, Isabel`` is one (family name first); ``Johnson & Johnson`` and ``Press Trust of India`` are
    literal names. Names are read in Western order: write ``Kim, Jong Un`` for family name first.
    """
    byline = " ".join(byline.split())
    parts = [part for part in _LIST.split(byline) if part]
    if len(parts) > 1:
        people = [_given_family(part.split()) for part in parts]
        if all(people):
            return [person for person in people if person]
    person = _person(byline)
    return [person] if person else [{"literal": byline}]


def _date_parts(day: dt.date) -> dict[str, list[list[int]]]:
    return {"date-parts": [[day.year, day.month, day.day]]}


def csl_item(source: Source) -> dict[str, Any]:
    """The source as one CSL-JSON item (CSL 1.0.2 input schema): only what the source records, nothing
    invented. An untitled source has no ``title`` here (its rendered reference describes it instead)."""
    item: dict[str, Any] = {"id": source.key, "type": CSL_TYPE}
    if source.title:
        item["title"] = source.title
    if source.author:
        item["author"] = csl_names(source.author)
    if source.publisher:
        item["container-title"] = source.publisher
    if source.url:
        item["URL"] = source.url
    if source.published:
        item["issued"] = _date_parts(source.published)
    if source.captured_at is not None:  # None only before the row is flushed
        item["accessed"] = _date_parts(source.captured_at.astimezone(dt.UTC).date())
    return item


def reference(source: Source, style: str = "apa") -> str:
    """The source's reference-list entry in ``style`` (plain text, ending with a period), rendered from
    :func:`csl_item`. An untitled source is named by its opening words in brackets, as the title."""
    if style not in STYLES:
        raise Invalid(f"unknown citation style {style!r}; use one of: {', '.join(STYLES)}")
    item = csl_item(source)
    if "title" not in item:
        # protected from the style's title case: it is our description, not the source's words
        item["title"] = f'<span class="nocase">{source_title(source)}</span>'
    return _render(style, json.dumps(item, ensure_ascii=False, sort_keys=True))


@functools.lru_cache(maxsize=1024)
def _render(style: str, item_json: str) -> str:
    """One CSL-JSON item rendered in ``style``; cached, since a report cites each source many times and
    citeproc-py takes tens of milliseconds per reference."""
    from provenance import cslstyle  # loaded only to render references: `claim show` needs neither it nor lxml

    return cslstyle.render(style, json.loads(item_json))


def references(sources: Iterable[Source], style: str = "apa") -> dict[int, str]:
    """Each source's reference in ``style`` by source id, each rendered once (a report cites a source many times)."""
    return {source.id: reference(source, style) for source in sources}


def location(passage: Passage | PassageRow) -> str:
    """``page 3, paragraph 4, sentence 2, characters 120–188`` (end exclusive, code points; the page for PDF);
    ``paragraph 4 (caption)`` where the passage stands in a caption, as far as it is known (a report's rows
    always know; a loaded passage where its source's captions were looked up)."""
    where = f"page {passage.page_no}, " if passage.page_no is not None else ""
    where += f"paragraph {passage.paragraph_no}"
    if in_caption(passage) if isinstance(passage, Passage) else passage.caption:
        where += " (caption)"
    if passage.sentence_no is not None:
        where += f", sentence {passage.sentence_no}"
    return f"{where}, characters {passage.char_start}–{passage.char_end}"


_CAPTIONS = "captions"


def note_captions(source: Source, spans: Iterable[tuple[int, int]]) -> None:
    """Keep with a loaded ``source`` the ``(start, end)`` spans of its captions, for :func:`captions` and
    :func:`in_caption`."""
    inspect(source).info[_CAPTIONS] = tuple(spans)


def captions(source: Source) -> tuple[tuple[int, int], ...] | None:
    """The spans of the paragraphs of ``source`` that are captions (of a picture, a chart or a table), where they
    were looked up as its passages were loaded (:func:`provenance.sources.source_passages`); ``None`` where not."""
    state = inspect(source, raiseerr=False)
    spans = state.info.get(_CAPTIONS) if state is not None else None
    return spans if isinstance(spans, tuple) else None


def in_caption(passage: Passage) -> bool | None:
    """Whether ``passage`` is a caption or a sentence of one; ``None`` where its source's captions were not looked
    up (see :func:`captions`)."""
    spans = captions(passage.source)
    if spans is None:
        return None
    return any(start <= passage.char_start and passage.char_end <= end for start, end in spans)


def reliability(source: Source) -> str:
    return f"source reliability {describe_reliability(source.reliability.value)}"
