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
- No-break spaces (U+00A0, U+2007, U+202F) become plain spaces.
- All of this is :func:`provenance.documents.normalise`, the one function every text goes through (files, web
  pages, a claims file's inline text); offsets are code points into its result.
- Blocks (headings, paragraphs, list items, quotations, table rows) are separated by a blank line, which is
  what :mod:`provenance.segmentation` takes as a paragraph break. List markers are not text and are left out.
  PDF pages are separated by a blank line too; ``page_starts`` says where each begins.

Metadata comes from YAML front matter (Markdown), the page's meta tags (HTML, through trafilatura), the
document information dictionary (PDF) or header lines (plain text, :func:`provenance.documents.read_header`).
A date that is there but cannot be read as a whole date (``soon``, ``May 2018``) is stored as unknown, with a
warning, rather than guessed. A date is taken as written, in the time zone it was written in.

Web pages are decoded as a browser would: a byte order mark first, then the charset of a ``media_type``,
then the page's own ``<meta charset>`` / ``http-equiv`` / XML declaration in its first 4 KB (``iso-8859-1``
and ``us-ascii`` meaning windows-1252, as browsers read them), then UTF-8, then trafilatura's charset
detection; bytes that fit none are replaced by U+FFFD, with a warning. Markdown and plain text are UTF-8
(or UTF-16 with a byte order mark).

Files over ``max_bytes`` (:data:`DEFAULT_MAX_BYTES`, 50 MB, megabytes of 1,000,000 bytes) are refused from
their size before anything is read, so a stray video in a folder costs nothing.

The package reads each kind in its own module: :mod:`~provenance.extract.files` reads a file's bytes within the
size limit and decides what it is; :mod:`~provenance.extract.text` holds the text rules every kind shares and
reads plain text; :mod:`~provenance.extract.markdown`, :mod:`~provenance.extract.webpage` and
:mod:`~provenance.extract.pdf` read the other kinds; :mod:`~provenance.extract.walk` walks folders.
"""

from provenance.extract.files import DEFAULT_MAX_BYTES, document_from_bytes, max_bytes, read_document
from provenance.extract.text import Extracted, clean_text
from provenance.extract.walk import READ_EXTENSIONS, BadFile, FileItem, iter_files

__all__ = [
    "DEFAULT_MAX_BYTES",
    "READ_EXTENSIONS",
    "BadFile",
    "Extracted",
    "FileItem",
    "clean_text",
    "document_from_bytes",
    "iter_files",
    "max_bytes",
    "read_document",
]
