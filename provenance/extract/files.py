"""Reading a file's bytes within the size limit, and deciding what kind of document they are."""

from __future__ import annotations

import codecs
import errno
import hashlib
import math
import os
import re
import stat
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from provenance.errors import Invalid, NotFound
from provenance.extract.markdown import from_markdown
from provenance.extract.pdf import from_pdf
from provenance.extract.text import Extracted, from_plain_text
from provenance.extract.webpage import from_html

DEFAULT_MAX_BYTES = 50_000_000
"""Files larger than this are refused unless the caller raises the limit (50 MB)."""
MB = 1_000_000  # as --max-size counts them
MAX_SIZE_MB = 1_000_000  # a terabyte: more than any file a run could hold in memory


def max_bytes(megabytes: float | None) -> int:
    """The size limit in bytes for ``--max-size`` megabytes (``None``: the default), refused unless it is a number
    above 0 and at most :data:`MAX_SIZE_MB`. Files and a claims file's inline texts are held to the same limit."""
    if megabytes is None:
        return DEFAULT_MAX_BYTES
    if not (math.isfinite(megabytes) and 0 < megabytes <= MAX_SIZE_MB):
        raise Invalid(
            f"--max-size is a number of megabytes above 0 and at most {MAX_SIZE_MB:,}, not {megabytes:g}; "
            f"the default is {DEFAULT_MAX_BYTES // MB}"
        )
    return max(1, int(megabytes * MB))


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
        extracted = from_pdf(data, name)
    elif kind == HTML:
        extracted = from_html(data, name, charset)
    elif kind == MARKDOWN:
        extracted = from_markdown(data, name, charset)
    else:
        extracted = from_plain_text(data, name, charset)
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
        raise Invalid(f"cannot read {path}: {error_reason(exc)}") from exc
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
        raise Invalid(f"cannot read {path}: {error_reason(exc)}") from exc
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


def error_reason(exc: OSError) -> str:
    """Why reading a path failed, in words for the user."""
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
