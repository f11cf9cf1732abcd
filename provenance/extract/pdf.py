"""Reading PDF files through pypdf (an optional dependency): the text of each page and where it starts."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from provenance.documents import Document, Metadata, normalise
from provenance.errors import Invalid
from provenance.extract.text import Extracted, clean_value, read_date


def from_pdf(data: bytes, name: str) -> Extracted:
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
    pages = [normalise(page or "") for page in raw_pages]
    if not any(pages):
        raise Invalid(
            f"{name} has no text layer (it is probably a scan); run OCR on it first (for example with ocrmypdf) "
            "and add the result"
        )
    text, page_starts = _join_pages(pages)
    metadata = Metadata(
        title=clean_value(title),
        author=clean_value(author),
        published=read_date(created, name, warnings) if created else None,
    )
    document = Document(text=text, original_sha256="", origin=None, metadata=metadata, page_starts=page_starts)
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
    except ValueError:  # not a date pypdf can read: read_date tries, and warns
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
