"""The text rules every kind of document shares (control characters, metadata values, dates, charsets),
and reading plain text."""

from __future__ import annotations

import codecs
import datetime as dt
import re
from dataclasses import dataclass, replace

from dateutil import parser as dateparser

from provenance import documents
from provenance.documents import Document, normalise
from provenance.errors import Invalid
from provenance.text import clean_text as clean_text  # the rules for every format, shared with user text


@dataclass(frozen=True)
class Extracted:
    """A document read from a file, where each of its pages starts, and what the user should be told.

    ``page_starts[i]`` is the offset in ``document.text`` where page ``i + 1`` begins (a page without text
    starts where the next one does, or at the end); it is empty for formats without pages.
    """

    document: Document
    page_starts: tuple[int, ...] = ()
    warnings: tuple[str, ...] = ()


# --- text rules shared by every format ----------------------------------------------------------------

# The rules are shared with what users type: provenance.text holds them.


def clean_value(value: object) -> str | None:
    """A metadata value as one line of clean text, or ``None`` when there is nothing in it."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    text = " ".join(clean_text(str(value)).split())
    return normalise(text) or None


def read_date(value: object, name: str, warnings: list[str]) -> dt.date | None:
    """A date as written (a date, a datetime, or text in any common form); ``None`` with a warning when it
    cannot be read or lacks a day, rather than a guess."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = clean_value(value)
    if text is None:
        return None
    # dateutil fills missing parts from a default: two different defaults tell a whole date from "May 2018".
    try:
        first = dateparser.parse(text, default=dt.datetime(2000, 1, 1))
        second = dateparser.parse(text, default=dt.datetime(2001, 2, 2))
    except (ValueError, OverflowError):
        warnings.append(f"published date {text!r} in {name} could not be read; stored as unknown")
        return None
    if first.date() != second.date():
        warnings.append(f"published date {text!r} in {name} is not a whole date; stored as unknown")
        return None
    return first.date()


def decode_text(data: bytes, name: str, charset: str | None) -> str:
    """Text from a text or Markdown file: UTF-8, UTF-16 with a byte order mark, or the charset given."""
    for bom, encoding in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            return _decode_strictly(data[len(bom) :], encoding, name)
    codec = codec_for(charset)
    if codec is not None and codec != "utf-8":
        return _decode_strictly(data, codec, name)
    return documents.decode(data, name)


def _decode_strictly(data: bytes, encoding: str, name: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise Invalid(
            f"{name} is not {encoding} text (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "convert it to UTF-8 first"
        ) from exc


# Labels browsers read as another encoding than Python's codec of that name (the WHATWG Encoding Standard);
# a page that says UTF-16 in its own ASCII bytes cannot be UTF-16.
_BROWSER_LABELS = {
    label: codec
    for codec, labels in (
        ("cp1252", "iso-8859-1 iso8859-1 latin1 latin-1 l1 us-ascii ascii"),
        ("cp1254", "iso-8859-9 latin5"),
        ("cp874", "iso-8859-11 tis-620"),
        ("gb18030", "gb2312 gbk"),
        ("cp949", "euc-kr ks_c_5601-1987"),
        ("cp932", "shift_jis sjis x-sjis"),
        ("big5hkscs", "big5"),
        ("utf-8", "utf-16 utf-16le utf-16be"),
    )
    for label in labels.split()
}


def codec_for(label: str | None) -> str | None:
    """Python's codec for a charset label as browsers read it; ``None`` for a label nobody knows."""
    if not label:
        return None
    label = label.strip().lower()
    label = _BROWSER_LABELS.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


# --- plain text ---------------------------------------------------------------------------------------

# A header line read_header could not read ends the header and stays in the text: say so.
_UNREAD_DATE_LINE = re.compile(r"(?:published|date|dated)\s*:\s*(?P<value>.+)", re.IGNORECASE)


def from_plain_text(data: bytes, name: str, charset: str | None) -> Extracted:
    text = normalise(decode_text(data, name, charset))  # once: normalise cleans control characters too
    document = documents.document_from_normalised(text, name=name)  # the file's own hash is added by the caller
    warnings: list[str] = []
    first_line = document.text.split("\n", 1)[0].strip()
    unread = _UNREAD_DATE_LINE.fullmatch(first_line)
    if document.metadata.published is None and unread:
        warnings.append(
            f"published date {unread.group('value').strip()!r} in {name} could not be read; stored as unknown"
        )
        if document.metadata.title == first_line:  # read_header takes a short first line for the headline
            document = replace(document, metadata=replace(document.metadata, title=None))
    return Extracted(document, warnings=tuple(warnings))
