"""Documents before they are stored: their text (normalised, so that offsets keep one meaning) and metadata,
and how a plain-text article is read, with the header lines at its top.

Other kinds of file (Markdown, web pages, PDF) are read by :mod:`provenance.extract` into the same
:class:`Document`; :mod:`provenance.sources` stores documents as sources.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from provenance.errors import Invalid, NotFound
from provenance.text import clean_text


@dataclass(frozen=True)
class Metadata:
    """What we know about a document besides its text; ``None`` where the document does not say."""

    title: str | None = None
    author: str | None = None
    publisher: str | None = None
    url: str | None = None
    published: dt.date | None = None

    def overridden_by(self, other: Metadata) -> Metadata:
        """These values, with every value ``other`` sets taking precedence."""
        given = {k: v for k, v in other.__dict__.items() if v is not None}
        return replace(self, **given)


@dataclass(frozen=True)
class Document:
    """A document read and normalised, ready to store."""

    text: str
    original_sha256: str
    origin: str | None
    metadata: Metadata = field(default_factory=Metadata)
    media_type: str = "text/plain"
    # For paged documents (PDF): where each page starts in ``text``; page N starts at page_starts[N - 1].
    page_starts: tuple[int, ...] = ()
    # The paragraphs of ``text`` that are captions (of a picture, a chart or a table) on a web page, as
    # ``(start, end)`` offsets into ``text``, in order; each is one paragraph as the text is segmented.
    captions: tuple[tuple[int, int], ...] = ()

    @functools.cached_property
    def text_sha256(self) -> str:
        """The SHA-256 of the text (UTF-8): computed once, where the document is read, and sent along with it."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


# --- reading and normalising --------------------------------------------------------------------------


_LEADING = re.compile(r"^[\s\ufeff]+")
# No-break spaces look like a space and are copied as one by some browsers and editors, as another by others:
# stored as the space a reader sees, so that a quote copied either way is the source's text.
_NO_BREAK_SPACES = ("\u00a0", "\u2007", "\u202f")


def normalise(text: str) -> str:
    """The one form every source's text is stored in, whatever it came from (a text, Markdown, web page or PDF
    file, text given inline in a claims file, a fetched page), and the form a quote is looked up in, so that
    offsets keep one meaning and the same words give the same text and the same SHA-256:

    - control characters by the rules of :func:`provenance.text.clean_text` (the C0 and C1 controls, DEL,
      noncharacters and unpaired surrogates removed; form feed, vertical tab, NEL and the Unicode line and
      paragraph separators breaking lines);
    - Unicode NFC (``e`` and a combining acute accent become ``é``);
    - no-break spaces (U+00A0, U+2007 FIGURE SPACE, U+202F NARROW NO-BREAK SPACE) as a space;
    - ``\n`` line endings (``\r\n`` and ``\r`` folded), no spaces at the end of a line, no blank lines or
      byte order marks at either end, no spaces before the first word.

    Spaces inside a line are kept as they are. ``normalise(normalise(text)) == normalise(text)``.
    """
    text = unicodedata.normalize("NFC", clean_text(text))
    if not text.isascii():
        for space in _NO_BREAK_SPACES:
            if space in text:
                text = text.replace(space, " ")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    # Byte order marks (U+FEFF) before the first word are no text: removing only one left "\ufeff\ufeff" as a
    # source of one invisible character, and " \ufeffword" normalised twice lost a character, moving offsets.
    text = _LEADING.sub("", text)
    return text.rstrip("\n")


def decode(data: bytes, name: str) -> str:
    """UTF-8 text from ``data``, or a clear error for binary or other encodings."""
    if b"\x00" in data:
        raise Invalid(f"{name} looks like a binary file (it contains NUL bytes); give a UTF-8 text file")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Invalid(
            f"{name} is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); convert it to UTF-8 first"
        ) from exc


_HEADER_PATTERNS: Sequence[tuple[str, re.Pattern[str]]] = (
    ("published", re.compile(r"(?:published|date|dated)\s*:?\s+(?P<value>.+)", re.I)),
    ("title", re.compile(r"title\s*:\s*(?P<value>.+)", re.I)),
    ("author", re.compile(r"(?:(?:[\w ]+?)\s*\|\s*)?(?:by|author)\s*:?\s+(?P<value>.+)", re.I)),
    ("publisher", re.compile(r"(?:publisher|source)\s*:\s*(?P<value>.+)", re.I)),
    ("url", re.compile(r"url\s*:\s*(?P<value>\S+)", re.I)),
)
# A header line whose value could not be read ("Date: soon") stays in the text, but is no headline.
_LOOKS_LIKE_HEADER = re.compile(r"(?:published|date|dated|title|author|by|publisher|source|url)\s*:", re.I)
# "date 2020-07-25" glued to the first sentence of the article, as some captures have it.
_INLINE_DATE = re.compile(r"(?:published|date|dated)\s*:?\s+(?P<value>\d{4}-\d{2}-\d{2})\s+(?=\S)", re.I)


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# "Thursday, September 17, 2018, 10:45 AM Eastern Daylight Time" is 62 characters.
_LONGEST_DATE = 100


def _parse_date(value: str) -> dt.date | None:
    """A whole date in any common form, or ``None``: a date without a day ("May 2018") is not guessed."""
    value = value.strip()
    if len(value) > _LONGEST_DATE:
        return None  # a sentence, not a date: not worth dateutil's time
    if _ISO_DATE.fullmatch(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    # dateutil fills missing parts from a default: two different defaults tell a whole date from "May 2018".
    from dateutil import parser as dateparser  # loaded only to read a written date: reports need none of it

    try:
        first = dateparser.parse(value, default=dt.datetime(2000, 1, 1), fuzzy=False)
        second = dateparser.parse(value, default=dt.datetime(2001, 2, 2), fuzzy=False)
    except (ValueError, OverflowError):
        return None
    return first.date() if first.date() == second.date() else None


def parse_date_option(value: str) -> dt.date:
    """A publication date given by the user, in any common form ("2018-05-17", "May 17, 2018")."""
    parsed = _parse_date(value)
    if parsed is None:
        raise Invalid(f"cannot read the date {value!r}; give a whole date, e.g. 2018-05-17")
    return parsed


def read_header(text: str) -> tuple[Metadata, str]:
    """Read metadata header lines at the top of a plain-text article (already :func:`normalise`d) and return them
    with the body.

    Recognised, one per line, before the first other line: ``Published: Thu, May 17, 2018`` (or ``Date:``,
    ``date 2020-07-25``), ``By Isabel Fisher`` (also ``Section | By ...`` and ``Author: ...``),
    ``Title: ...``, ``Publisher: ...`` / ``Source: ...`` and ``URL: ...``. A ``date YYYY-MM-DD`` directly
    followed by the article's first words on the same line is read too. A line that looks like a header but
    does not parse (``Date: soon``) ends the header and stays in the text. The title, when no ``Title:``
    line gives one, is a first short line without closing punctuation (a headline).
    """
    found: dict[str, object] = {}
    lines = text.split("\n")
    index = 0
    while index < len(lines):
        line = lines[index].strip()
        if not line:
            index += 1
            continue
        inline = _INLINE_DATE.match(line)
        if inline and "published" not in found:
            published = _parse_date(inline.group("value"))
            if published is not None:
                found["published"] = published
                lines[index] = line[inline.end() :]
                break
        field_name, value = _match_header(line)
        if field_name is None or field_name in found:
            break
        found[field_name] = value
        index += 1
    # the text is normalised already: only blank lines and indentation left at the top by the header go
    body = "\n".join(lines[index:]).strip("\n").lstrip()
    if "title" not in found:
        first = body.split("\n", 1)[0].strip()
        if (
            first
            and len(first) <= 150
            and first[-1] not in '.!?:;,"”’)'
            and "\n\n" in body
            and not _LOOKS_LIKE_HEADER.match(first)
        ):
            found["title"] = first
    return Metadata(**found), body  # type: ignore[arg-type]


def _match_header(line: str) -> tuple[str | None, object]:
    for field_name, pattern in _HEADER_PATTERNS:
        match = pattern.fullmatch(line)
        if not match:
            continue
        value = match.group("value").strip()
        if field_name == "published":
            parsed = _parse_date(value)
            return ("published", parsed) if parsed is not None else (None, None)
        if field_name == "author" and (len(value) > 100 or value.endswith(".")):
            return None, None
        return field_name, value
    return None, None


def read_document(path: Path) -> Document:
    """Read a plain-text article from ``path``: decode, read its header lines, normalise its body."""
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise NotFound(f"no file {path}; check the path") from exc
    except IsADirectoryError as exc:
        raise Invalid(f"{path} is a folder; give the article files inside it") from exc
    except OSError as exc:
        raise Invalid(f"cannot read {path}: {exc.strerror}") from exc
    return document_from_bytes(data, origin=str(path), name=str(path))


def document_from_bytes(data: bytes, *, origin: str | None, name: str) -> Document:
    """A plain-text article from its UTF-8 bytes: decoded, normalised by :func:`normalise`, its header lines read."""
    return document_from_normalised(
        normalise(decode(data, name)), name=name, origin=origin, original_sha256=hashlib.sha256(data).hexdigest()
    )


def document_from_normalised(text: str, *, name: str, origin: str | None = None, original_sha256: str = "") -> Document:
    """A document from text :func:`normalise` has made already: its header lines read, the body kept."""
    if not text.strip():
        raise Invalid(f"{name} is empty; give an article with text")
    metadata, body = read_header(text)
    if not body:
        raise Invalid(f"{name} has header lines but no article text")
    return Document(text=body, original_sha256=original_sha256, origin=origin, metadata=metadata)


def document_from_text(text: str, *, name: str, origin: str | None = None) -> Document:
    """A document given inline (a claims file's ``text:``), read as a plain-text file with these characters would
    be: normalised once by :func:`normalise`, its header lines read, so that the same article given inline and
    as a file is one text with one SHA-256. A NUL character is refused, as in a file."""
    if "\x00" in text:
        raise Invalid(
            f"{name} contains a NUL character (\\x00, at character {text.index(chr(0)) + 1}); NUL characters are "
            "not allowed in text: remove it"
        )
    return document_from_normalised(
        normalise(text),
        name=name,
        origin=origin,
        original_sha256=hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest(),
    )
