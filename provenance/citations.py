"""How a source and a place in it are named in plain words, for reports and the terminal."""

from __future__ import annotations

from provenance.confidence import describe_reliability
from provenance.errors import Invalid
from provenance.models import Passage, Source

_OPENING_WORDS = 10
STYLES = ("apa", "chicago-author-date")


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


def reference(source: Source, style: str = "apa") -> str:
    """The source as a reference-list entry in ``style`` (plain text)."""
    if style not in STYLES:
        raise Invalid(f"unknown citation style {style!r}; use one of: {', '.join(STYLES)}")
    return citation(source) + "."


def location(passage: Passage) -> str:
    """``paragraph 4, sentence 2, characters 120–188`` (end exclusive, code points)."""
    where = f"paragraph {passage.paragraph_no}"
    if passage.sentence_no is not None:
        where += f", sentence {passage.sentence_no}"
    return f"{where}, characters {passage.char_start}–{passage.char_end}"


def reliability(source: Source) -> str:
    return f"source reliability {describe_reliability(source.reliability.value)}"
