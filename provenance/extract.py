"""Reading articles in the forms fact-checkers save them: plain text, Markdown, saved web pages and PDF.

``read_document(path)`` finds out what a file is and returns its text and metadata as an :class:`Extracted`:
the :class:`~provenance.sources.Document` to store, where each PDF page starts in its text, and warnings for
the user (a date that could not be read). ``iter_files`` lists the files to capture from files and folders.

What a file is, in this order:

- a PDF if it starts with ``%PDF-`` (or, named ``.pdf``, has it in its first kilobyte; if not, it is refused);
- Markdown if it is named ``.md`` or ``.markdown``;
- a web page if it starts like one (``<!DOCTYPE html>``, ``<html>``...) or is named ``.html``, ``.htm`` or
  ``.xhtml``;
- otherwise plain text, if it is text: images, archives, Word and RTF files are refused by name.

A ``media_type`` given with bytes (``text/html; charset=...``) decides instead of the name and content.

Every kind becomes plain text by the same rules, so offsets mean the same thing whatever the source was:

- Control characters carry no words, so none is kept, and the ones that break lines break lines: a form
  feed (the page break of text files) and U+2029 PARAGRAPH SEPARATOR become a blank line; a vertical tab,
  NEL (U+0085) and U+2028 LINE SEPARATOR become a line break; tab, line feed and carriage return stay (the
  carriage return is then folded into line feeds); every other C0 and C1 control, DEL, noncharacter
  (U+FFFE, U+FFFF, U+FDD0-U+FDEF and their kin in the other planes) and unpaired surrogate is removed, not
  replaced by a space, as no reader shows them. Format characters that text needs (bidirectional marks,
  zero-width joiners in emoji, soft hyphens) stay.
- The result is normalised by :func:`provenance.sources.normalise`; offsets are code points into it.
- Blocks (headings, paragraphs, list items, quotations, table rows) are separated by a blank line, which is
  what :mod:`provenance.segmentation` takes as a paragraph break. List markers are not text and are left out.
  PDF pages are separated by a blank line too; ``page_starts`` says where each begins.

Metadata comes from YAML front matter (Markdown), the page's meta tags (HTML, through trafilatura), the
document information dictionary (PDF) or header lines (plain text, :func:`provenance.sources.read_header`).
A date that is there but cannot be read as a whole date (``soon``, ``May 2018``) is stored as unknown, with a
warning, rather than guessed. A date is taken as written, in the time zone it was written in.

Web pages are decoded as a browser would: a byte order mark first, then the charset of a ``media_type``,
then the page's own ``<meta charset>`` / ``http-equiv`` / XML declaration in its first 4 KB (``iso-8859-1``
and ``us-ascii`` meaning windows-1252, as browsers read them), then UTF-8, then trafilatura's charset
detection; bytes that fit none are replaced by U+FFFD, with a warning. Markdown and plain text are UTF-8
(or UTF-16 with a byte order mark).

Files over ``max_bytes`` (:data:`DEFAULT_MAX_BYTES`, 50 MB, megabytes of 1,000,000 bytes) are refused from
their size before anything is read, so a stray video in a folder costs nothing.
"""

from __future__ import annotations

import codecs
import datetime as dt
import errno
import hashlib
import io
import logging
import os
import re
import stat
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import trafilatura
import yaml
from dateutil import parser as dateparser
from lxml import etree  # type: ignore[import-untyped]
from lxml.html import HtmlElement, fragment_fromstring  # type: ignore[import-untyped]
from markdown_it import MarkdownIt
from markdown_it.token import Token
from trafilatura.settings import Document as TrafilaturaDocument
from trafilatura.utils import detect_encoding

from provenance import sources
from provenance.errors import Invalid, NotFound
from provenance.sources import Document, Metadata, normalise

DEFAULT_MAX_BYTES = 50_000_000
"""Files larger than this are refused unless the caller raises the limit (50 MB)."""

READ_EXTENSIONS = frozenset((".txt", ".text", ".md", ".markdown", ".html", ".htm", ".xhtml", ".pdf"))
"""The files :func:`iter_files` picks up inside folders; a file named explicitly is read whatever its name."""

MARKDOWN_EXTENSIONS = frozenset((".md", ".markdown"))
HTML_EXTENSIONS = frozenset((".html", ".htm", ".xhtml"))

PLAIN_TEXT = "text/plain"
MARKDOWN = "text/markdown"
HTML = "text/html"
PDF = "application/pdf"
_MEDIA_TYPES = {
    "text/plain": PLAIN_TEXT,
    "text/markdown": MARKDOWN,
    "text/x-markdown": MARKDOWN,
    "text/html": HTML,
    "application/xhtml+xml": HTML,
    "application/pdf": PDF,
}


@dataclass(frozen=True)
class Extracted:
    """A document read from a file, where each of its pages starts, and what the user should be told.

    ``page_starts[i]`` is the offset in ``document.text`` where page ``i + 1`` begins (a page without text
    starts where the next one does, or at the end); it is empty for formats without pages.
    """

    document: Document
    page_starts: tuple[int, ...] = ()
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class FileItem:
    """A file to capture, as it was reached (through any links), and its size in bytes."""

    path: Path
    size: int


@dataclass(frozen=True)
class BadFile:
    """A path that cannot be captured, and why, in words for the user."""

    path: Path
    reason: str


# --- reading files ------------------------------------------------------------------------------------


def read_document(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Extracted:
    """Read the article in ``path``, whatever its format, with its metadata and page starts."""
    data = _read_bytes(path, max_bytes)
    return document_from_bytes(data, name=str(path), origin=str(path), max_bytes=max_bytes)


def document_from_bytes(
    data: bytes,
    *,
    name: str,
    origin: str | None,
    media_type: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Extracted:
    """The article in ``data``, read already; ``name`` (a file name) says what it is unless ``media_type`` does."""
    if len(data) > max_bytes:
        raise Invalid(_too_big(name, len(data), max_bytes))
    kind, charset = _kind(data, name, media_type)
    if kind == PDF:
        extracted = _from_pdf(data, name)
    elif kind == HTML:
        extracted = _from_html(data, name, charset)
    elif kind == MARKDOWN:
        extracted = _from_markdown(data, name, charset)
    else:
        extracted = _from_plain_text(data, name, charset)
    document = replace(
        extracted.document, original_sha256=hashlib.sha256(data).hexdigest(), origin=origin, media_type=kind
    )
    return replace(extracted, document=document)


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    try:
        info = path.stat()
    except FileNotFoundError as exc:
        if path.is_symlink():
            raise NotFound(f"{path} is a link to {os.readlink(path)}, which does not exist; fix the link") from exc
        raise NotFound(f"no file {path}; check the path") from exc
    except OSError as exc:
        raise Invalid(f"cannot read {path}: {_reason(exc)}") from exc
    if stat.S_ISDIR(info.st_mode):
        raise Invalid(f"{path} is a folder; give the article files inside it")
    if not stat.S_ISREG(info.st_mode):
        raise Invalid(f"{path} is not a regular file (a device, pipe or socket); give an article file")
    if info.st_size > max_bytes:
        raise Invalid(_too_big(str(path), info.st_size, max_bytes))
    try:
        with path.open("rb") as file:
            data = file.read(max_bytes + 1)
            if len(data) > max_bytes:  # it grew since we looked
                raise Invalid(_too_big(str(path), os.fstat(file.fileno()).st_size, max_bytes))
    except OSError as exc:
        raise Invalid(f"cannot read {path}: {_reason(exc)}") from exc
    return data


def _too_big(name: str, size: int, limit: int) -> str:
    return (
        f"{name} is {_size(size)}, over the {_size(limit, exact=True)} limit; "
        "split it or raise the limit with --max-size"
    )


def _size(count: int, *, exact: bool = False) -> str:
    """``73.2 MB``; an exact size (a limit) without a trailing ``.0``: ``50 MB``."""
    for unit, scale in (("MB", 1_000_000), ("kB", 1_000)):
        if count >= scale:
            shown = f"{count / scale:.1f}"
            return f"{shown.removesuffix('.0') if exact else shown} {unit}"
    return f"{count} bytes"


def _reason(exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "it is a link that leads back to itself (a link loop)"
    return exc.strerror or str(exc)


# --- what a file is -----------------------------------------------------------------------------------

_HTML_START = re.compile(
    rb"\s*(?:<!--.*?-->\s*)*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)[\s>]",
    re.IGNORECASE | re.DOTALL,
)
# What a user may try to capture that we cannot read, so the refusal can name it.
_BINARY_SIGNATURES: Sequence[tuple[bytes, str]] = (
    (b"PK\x03\x04", "a ZIP archive (Word .docx, OpenDocument and EPUB files are ZIP archives too)"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office file (.doc, .xls or .ppt)"),
    (b"{\\rtf", "an RTF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"RIFF", "a RIFF file (WebP image, WAV or AVI)"),
    (b"\x1f\x8b", "a gzip-compressed file"),
)


def _kind(data: bytes, name: str, media_type: str | None) -> tuple[str, str | None]:
    """The media type to read ``data`` as, and a charset the caller gave with it."""
    if media_type is not None:
        essence, _, parameters = media_type.partition(";")
        kind = _MEDIA_TYPES.get(essence.strip().lower())
        if kind is None:
            raise Invalid(
                f"{name} is {essence.strip()!r}, which provenance cannot read; give text, Markdown, HTML or PDF"
            )
        charset = re.search(r"charset\s*=\s*[\"']?([-\w.:]+)", parameters, re.IGNORECASE)
        return kind, charset.group(1) if charset else None
    suffix = Path(name).suffix.lower()
    if data.startswith(b"%PDF-") or (suffix == ".pdf" and b"%PDF-" in data[:1024]):
        return PDF, None
    if suffix == ".pdf":
        raise Invalid(
            f"{name} is named .pdf but is not a PDF (it does not start with %PDF-); it may be damaged, "
            "or a web page saved under that name"
        )
    if suffix in MARKDOWN_EXTENSIONS:
        return MARKDOWN, None
    if suffix in HTML_EXTENSIONS or _HTML_START.match(data[:1024].removeprefix(codecs.BOM_UTF8)):
        return HTML, None
    for signature, what in _BINARY_SIGNATURES:
        if data.startswith(signature):
            raise Invalid(
                f"{name} is {what}, which provenance cannot read; save the article as PDF, HTML or plain text"
            )
    return PLAIN_TEXT, None


# --- text rules shared by every format ----------------------------------------------------------------

_BREAKS = {"\f": "\n\n", "\u2029": "\n\n", "\v": "\n", "\x85": "\n", "\u2028": "\n"}
# Two patterns, not one: a character class mixing the Basic Multilingual Plane with the other planes makes
# Python's regex engine about 15 times slower on every text.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]")
_ASTRAL_NONCHARACTERS = re.compile(
    "[" + "".join(f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(1, 17)) + "]"
)


def clean_text(text: str) -> str:
    """``text`` without control characters: the ones that break lines break lines, the rest are removed.

    Tab, line feed and carriage return are kept (:func:`~provenance.sources.normalise` folds the last)."""
    if _CONTROLS.search(text):
        text = _CONTROLS.sub(lambda match: _BREAKS.get(match.group(), ""), text)
    if text and max(text) > "\uffff":
        text = _ASTRAL_NONCHARACTERS.sub("", text)
    return text


def _clean_value(value: object) -> str | None:
    """A metadata value as one line of clean text, or ``None`` when there is nothing in it."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    text = " ".join(clean_text(str(value)).split())
    return normalise(text) or None


def _read_date(value: object, name: str, warnings: list[str]) -> dt.date | None:
    """A date as written (a date, a datetime, or text in any common form); ``None`` with a warning when it
    cannot be read or lacks a day, rather than a guess."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _clean_value(value)
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


def _decode_text(data: bytes, name: str, charset: str | None) -> str:
    """Text from a text or Markdown file: UTF-8, UTF-16 with a byte order mark, or the charset given."""
    for bom, encoding in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            return _decode_strictly(data[len(bom) :], encoding, name)
    codec = _codec(charset)
    if codec is not None and codec != "utf-8":
        return _decode_strictly(data, codec, name)
    return sources.decode(data, name)


def _decode_strictly(data: bytes, encoding: str, name: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise Invalid(
            f"{name} is not {encoding} text (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "convert it to UTF-8 first"
        ) from exc


# --- plain text ---------------------------------------------------------------------------------------

# A header line read_header could not read ends the header and stays in the text: say so.
_UNREAD_DATE_LINE = re.compile(r"(?:published|date|dated)\s*:\s*(?P<value>.+)", re.IGNORECASE)


def _from_plain_text(data: bytes, name: str, charset: str | None) -> Extracted:
    text = normalise(clean_text(_decode_text(data, name, charset)))
    document = sources.document_from_bytes(text.encode("utf-8"), origin=None, name=name)
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


# --- Markdown -----------------------------------------------------------------------------------------

_MARKDOWN = MarkdownIt("commonmark").enable(["table", "strikethrough"])
_FRONT_MATTER_FIELDS: dict[str, tuple[str, ...]] = {
    "title": ("title", "headline"),
    "author": ("author", "authors", "byline"),
    "published": ("published", "date", "pubdate", "publish_date", "published_at", "published_on"),
    "publisher": ("publisher", "site", "site_name", "sitename"),
    "url": ("url", "canonical_url", "canonical"),
}
# The C loader where PyYAML has it: a safe loader either way, ten times faster.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_HTML_BLOCK_TAGS = (
    "address article aside blockquote dd div dl dt figcaption figure footer h1 h2 h3 h4 h5 h6 header li main nav "
    "ol p pre section table td th tr ul"
).split()


def _from_markdown(data: bytes, name: str, charset: str | None) -> Extracted:
    text = normalise(clean_text(_decode_text(data, name, charset)))
    if not text:
        raise Invalid(f"{name} is empty; give an article with text")
    front_matter, source = _split_front_matter(text, name)
    warnings: list[str] = []
    metadata = _front_matter_metadata(front_matter, name, warnings)
    tokens = _MARKDOWN.parse(source)
    body = normalise("\n\n".join(_markdown_blocks(tokens)))
    if not body:
        raise Invalid(f"{name} has front matter but no article text")
    if metadata.title is None and len(tokens) > 1 and tokens[0].type == "heading_open" and tokens[0].tag == "h1":
        metadata = replace(metadata, title=_clean_value(_inline_text(tokens[1].children or [])))
    return Extracted(Document(text=body, original_sha256="", origin=None, metadata=metadata), warnings=tuple(warnings))


def _split_front_matter(text: str, name: str) -> tuple[dict[str, Any], str]:
    """The YAML front matter (between ``---`` lines at the very top) as a mapping, and the rest."""
    lines = text.split("\n")
    if lines[0] != "---":
        return {}, text
    end = next((i for i in range(1, len(lines)) if lines[i] in ("---", "...")), None)
    if end is None:
        return {}, text
    try:
        values = yaml.load("\n".join(lines[1:end]), Loader=_YAML_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark is not None else ""
        raise Invalid(f"the front matter of {name} is not valid YAML{where}; fix it or remove the --- block") from exc
    if values is None:
        values = {}
    if not isinstance(values, dict):
        return {}, text  # two rules around a paragraph, not front matter
    return {str(key).lower(): value for key, value in values.items()}, "\n".join(lines[end + 1 :])


def _front_matter_metadata(values: dict[str, Any], name: str, warnings: list[str]) -> Metadata:
    found: dict[str, Any] = {}
    for field_name, keys in _FRONT_MATTER_FIELDS.items():
        value = next((values[key] for key in keys if values.get(key) not in (None, "")), None)
        if value is None:
            continue
        if field_name == "published":
            found[field_name] = _read_date(value, name, warnings)
        elif field_name == "author" and isinstance(value, list):
            found[field_name] = _clean_value(", ".join(item for item in value if isinstance(item, str)))
        else:
            found[field_name] = _clean_value(value)
    return Metadata(**found)


def _markdown_blocks(tokens: Sequence[Token]) -> Iterator[str]:
    """The text of each block that holds text: headings, paragraphs (also in list items and quotations),
    code blocks, HTML blocks (their text only) and table rows (cells separated by a tab)."""
    row: list[str] | None = None
    for token in tokens:
        if token.type == "tr_open":
            row = []
        elif token.type == "tr_close" and row is not None:
            yield "\t".join(cell for cell in row if cell)
            row = None
        elif token.type == "inline" and row is not None:
            row.append(" ".join(_inline_text(token.children or []).split()))
        elif token.type == "inline":
            yield "\n".join(line.strip() for line in _inline_text(token.children or []).split("\n"))
        elif token.type in ("fence", "code_block"):
            yield token.content.strip("\n")
        elif token.type == "html_block":
            yield _html_fragment_text(token.content)


def _inline_text(tokens: Sequence[Token]) -> str:
    """The words of inline markup: emphasis, links and code keep their text, images their alt text, a
    soft break is the space a reader sees, a hard break (or ``<br>``) a line break; other HTML goes."""
    parts: list[str] = []
    for token in tokens:
        if token.type in ("text", "code_inline", "text_special"):
            parts.append(token.content)
        elif token.type == "image":
            parts.append(_inline_text(token.children or []))
        elif token.type == "softbreak":
            parts.append(" ")
        elif token.type == "hardbreak" or (
            token.type == "html_inline" and re.fullmatch(r"<br\s*/?>", token.content, re.IGNORECASE)
        ):
            parts.append("\n")
    return "".join(parts)


def _html_fragment_text(markup: str) -> str:
    """The words of an HTML block in Markdown, a paragraph for each block element; scripts and styles go."""
    fragment = fragment_fromstring(markup, create_parent="div")
    for element in fragment.xpath(".//script | .//style | .//template"):
        element.drop_tree()
    for element in fragment.iter(*_HTML_BLOCK_TAGS):
        element.tail = "\n\n" + (element.tail or "")
    paragraphs = (" ".join(paragraph.split()) for paragraph in fragment.text_content().split("\n\n"))
    return "\n\n".join(paragraph for paragraph in paragraphs if paragraph)


# --- web pages ----------------------------------------------------------------------------------------

_META_CHARSET = re.compile(
    rb"<meta\s[^>]*?charset\s*=\s*[\"']?\s*([-\w.:]+)|<\?xml\s[^>]*?encoding\s*=\s*[\"']([-\w.:]+)",
    re.IGNORECASE,
)
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
_ARTICLE_BLOCKS = frozenset(("body", "div", "head", "p", "list", "item", "quote", "table", "figure", "note", "ab"))
_DECLARED_DATE = (
    "//meta[@property='article:published_time' or @name='article:published_time' or @itemprop='datePublished'"
    " or @name='date' or @name='pubdate' or @name='publishdate' or @name='dc.date' or @name='DC.date']/@content"
)
_NO_ARTICLE = (
    "{name} has no article text that could be extracted; save the article page itself, or copy its text into a "
    ".txt file"
)


def _from_html(data: bytes, name: str, charset: str | None) -> Extracted:
    warnings: list[str] = []
    tree = trafilatura.load_html(clean_text(_decode_html(data, name, charset, warnings)))
    if tree is None:
        raise Invalid(_NO_ARTICLE.format(name=name))
    result = _trafilatura(tree, favor_precision=False, with_metadata=True)
    paragraphs = _article_blocks(result.body) if result is not None and result.body is not None else []
    # Balanced extraction falls back to all of a page's text; where that is only menus, ask for precision.
    if (
        result is None
        or not paragraphs
        or (_menu_like(paragraphs) and _trafilatura(tree, favor_precision=True) is None)
    ):
        raise Invalid(_NO_ARTICLE.format(name=name))
    published = _read_date(result.date, name, warnings) if result.date else None
    if not result.date:
        # htmldate keeps to dates from 1995 to today and says nothing of one it cannot read: read the page's own
        declared = next((str(value) for value in tree.xpath(_DECLARED_DATE) if str(value).strip()), None)
        published = _read_date(declared, name, warnings) if declared else None
    metadata = Metadata(
        title=_clean_value(result.title),
        author=_clean_value(result.author),
        publisher=_clean_value(result.sitename),
        url=_clean_value(result.url),
        published=published,
    )
    text = normalise("\n\n".join(paragraphs))
    return Extracted(Document(text=text, original_sha256="", origin=None, metadata=metadata), warnings=tuple(warnings))


def _trafilatura(
    tree: HtmlElement, *, favor_precision: bool, with_metadata: bool = False
) -> TrafilaturaDocument | None:
    result = trafilatura.bare_extraction(
        tree,
        favor_precision=favor_precision,
        with_metadata=with_metadata,
        include_comments=False,
        include_tables=True,
        include_images=False,
        include_links=False,
        include_formatting=False,
    )
    if not isinstance(result, TrafilaturaDocument) or result.body is None or not (result.text or "").strip():
        return None
    return result


def _decode_html(data: bytes, name: str, charset: str | None, warnings: list[str]) -> str:
    """A page's text, decoded as a browser would (see the module's docstring)."""
    boms = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
    bom = next(((mark, encoding) for mark, encoding in boms if data.startswith(mark)), None)
    declared, codec = None, None
    if bom is not None:
        data, candidates = data[len(bom[0]) :], [bom[1]]
    else:
        declared = charset
        if declared is None and (match := _META_CHARSET.search(data, 0, 4096)):
            declared = (match.group(1) or match.group(2)).decode("ascii")
        codec = _codec(declared)
        candidates = [*([codec] if codec else []), "utf-8", *detect_encoding(data)]
    for encoding in dict.fromkeys(candidates):
        try:
            text = data.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
        if codec and encoding != codec:
            warnings.append(f"{name} says it is {declared} but is not; read as {encoding}")
        return text
    warnings.append(f"some bytes in {name} are not {candidates[0]}; they show as \ufffd")
    return data.decode(candidates[0], errors="replace")


def _codec(label: str | None) -> str | None:
    """Python's codec for a charset label as browsers read it; ``None`` for a label nobody knows."""
    if not label:
        return None
    label = label.strip().lower()
    label = _BROWSER_LABELS.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def _article_blocks(body: etree._Element) -> list[str]:
    """The text of each block of trafilatura's article tree (headings, paragraphs, list items, quotations,
    table rows with a tab between cells, code), its whitespace collapsed as a browser shows it."""
    blocks: list[str] = []
    current: list[str] = []

    def flush() -> None:
        lines = (re.sub(" {2,}", " ", line).strip(" ") for line in "".join(current).split("\n"))
        text = "\n".join(line for line in lines if line)
        current.clear()
        if text:
            blocks.append(text)

    def add(text: str | None) -> None:
        # trafilatura has collapsed the page's own line breaks; a line break left in a text is a real one
        if text:
            current.append(" " if text.isspace() else re.sub(r"[ \t\r\f]+", " ", text))

    def visit(element: etree._Element) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag == "row":
            flush()
            cells = (" ".join("".join(cell.itertext()).split()) for cell in element)
            blocks.append("\t".join(cell for cell in cells if cell))
        elif tag == "code":
            flush()
            blocks.append("".join(element.itertext()).strip("\n"))
        elif tag in _ARTICLE_BLOCKS:
            flush()
            add(element.text)
            for child in element:
                visit(child)
            flush()
        elif tag == "lb":
            current.append("\n")
        elif tag != "graphic":
            add(element.text)
            for child in element:
                visit(child)
        add(element.tail)

    visit(body)
    flush()
    return [block for block in blocks if block.strip()]


def _menu_like(blocks: Sequence[str]) -> bool:
    """Only short lines (menus, form labels): what a page without an article leaves after extraction."""
    return all(len(line) < 40 and len(line.split()) < 6 for block in blocks for line in block.split("\n"))


# --- PDF ----------------------------------------------------------------------------------------------


def _from_pdf(data: bytes, name: str) -> Extracted:
    try:
        import pypdf
    except ImportError as exc:
        raise Invalid(f"{name} is a PDF; reading PDFs needs pypdf: pip install 'provenance[pdf]'") from exc

    warnings: list[str] = []
    # pypdf raises more than its own errors on damaged files.
    damaged = (pypdf.errors.PyPdfError, ValueError, KeyError, IndexError, TypeError, AttributeError, RecursionError)
    try:  # only pypdf's calls in here, so that an error of ours is not taken for a damaged file
        with _pdf_repairs(name, warnings):
            reader = pypdf.PdfReader(io.BytesIO(data))
            if reader.is_encrypted and not reader.decrypt(""):  # an empty password: restrictions only
                raise Invalid(f"{name} is protected by a password; open it and print it to a new PDF without one")
            raw_pages = [page.extract_text() for page in reader.pages]
            title, author, created = _pdf_information(reader.metadata)
    except pypdf.errors.DependencyError as exc:
        raise Invalid(f"{name} is encrypted, and decrypting it needs the cryptography package ({exc})") from exc
    except damaged as exc:
        raise Invalid(
            f"{name} could not be read as a PDF ({exc}); it may be damaged: open it and print it to a new PDF"
        ) from exc
    pages = [normalise(clean_text(page or "")) for page in raw_pages]
    if not any(pages):
        raise Invalid(
            f"{name} has no text layer (it is probably a scan); run OCR on it first (for example with ocrmypdf) "
            "and add the result"
        )
    text, page_starts = _join_pages(pages)
    metadata = Metadata(
        title=_clean_value(title),
        author=_clean_value(author),
        published=_read_date(created, name, warnings) if created else None,
    )
    document = Document(text=text, original_sha256="", origin=None, metadata=metadata)
    return Extracted(document, page_starts=page_starts, warnings=tuple(warnings))


@contextmanager
def _pdf_repairs(name: str, warnings: list[str]) -> Iterator[None]:
    """What pypdf logs about a damaged file it could read, as warnings for the user instead of stray
    lines on stderr."""

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            message = f"{name} is damaged; read anyway ({record.getMessage()})"
            if message not in warnings:
                warnings.append(message)

    logger = logging.getLogger("pypdf")
    handler, propagate = Collect(logging.WARNING), logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


def _pdf_information(info: Any) -> tuple[object, object, object]:
    """Title, author and creation date (a datetime, or the text pypdf could not read) of a PDF."""
    if info is None:
        return None, None, None
    try:
        created: object = info.creation_date
    except ValueError:  # not a date pypdf can read: _read_date tries, and warns
        created = info.creation_date_raw
    return info.title, info.author, created


def _join_pages(pages: Sequence[str]) -> tuple[str, tuple[int, ...]]:
    """The pages' texts separated by blank lines, and where each page starts in it."""
    starts: list[int | None] = []
    length = 0
    for page in pages:
        if page:
            length += 2 if length else 0
            starts.append(length)
            length += len(page)
        else:
            starts.append(None)
    text = "\n\n".join(page for page in pages if page)
    resolved: list[int] = []
    following = len(text)
    for start in reversed(starts):
        following = following if start is None else start
        resolved.append(following)
    return text, tuple(reversed(resolved))


# --- walking folders ----------------------------------------------------------------------------------


def iter_files(paths: Sequence[Path]) -> Iterator[FileItem | BadFile]:
    """Each file to capture from ``paths``, and each path that cannot be captured with the reason.

    Files named in ``paths`` are taken whatever their name. Folders are walked recursively in name order,
    taking files named as in :data:`READ_EXTENSIONS` and skipping names that start with ``.``. Links are
    followed; a link that leads back into a folder being walked (a loop) or to nothing, and a folder that
    cannot be read, come back as :class:`BadFile`. A folder reached twice through links is walked once.
    """
    walked: set[tuple[int, int]] = set()
    for path in paths:
        yield from _walk(path, named=True, ancestors={}, walked=walked)


def _walk(
    path: Path, *, named: bool, ancestors: dict[tuple[int, int], Path], walked: set[tuple[int, int]]
) -> Iterator[FileItem | BadFile]:
    suffix = path.suffix.lower()
    # Problems are worth reporting for what we would have read, and for what may be a folder.
    wanted = named or not suffix or suffix in READ_EXTENSIONS
    try:
        info = path.stat()
    except FileNotFoundError:
        if path.is_symlink():
            if wanted:
                yield BadFile(path, f"broken link to {os.readlink(path)}")
        else:
            yield BadFile(path, "no such file or folder")
        return
    except OSError as exc:
        if wanted:
            yield BadFile(path, _reason(exc))
        return
    if stat.S_ISDIR(info.st_mode):
        identity = (info.st_dev, info.st_ino)
        if identity in ancestors:
            yield BadFile(path, f"link loop: leads back to {ancestors[identity]}")
            return
        if identity in walked:
            return
        walked.add(identity)
        try:
            with os.scandir(path) as entries:
                names = sorted(entry.name for entry in entries)
        except OSError as exc:
            yield BadFile(path, f"cannot read folder: {_reason(exc)}")
            return
        inner = {**ancestors, identity: path}
        for entry_name in names:
            if not entry_name.startswith("."):
                yield from _walk(path / entry_name, named=False, ancestors=inner, walked=walked)
    elif not stat.S_ISREG(info.st_mode):
        if wanted:
            yield BadFile(path, "not a regular file (a device, pipe or socket)")
    elif named or suffix in READ_EXTENSIONS:
        yield FileItem(path, info.st_size)
