"""Sources captured from the web: a page fetched from its address, or read back from a WARC file, stored with
the bytes the server sent, and written out again as WARC for web archivists' tools.

A fetched page (:func:`fetch_page`, through :mod:`provenance.fetch`) is read like a saved page of the same type
(:func:`provenance.extract.document_from_bytes`), with the final URL, after redirects, as its origin: a later
capture of that URL becomes its next version when its text is substantially the same document, as a changed
file from the same path does (:func:`provenance.sources.store_source`). With its source, in the same
transaction, a ``web_capture`` row keeps how it was obtained: the body's bytes (gzip-compressed; their SHA-256
is the source's ``original_sha256``), the address asked for and the one that answered, when, the status and
the ``Content-Type``, ``ETag`` and ``Last-Modified`` headers. A page found stored already (the same text) is not
stored again and gets no second row.

Charsets: a page is decoded as a browser would (:mod:`provenance.extract`). A web page whose bytes do not fit
the charset it declares (in its ``Content-Type`` header, a byte order mark, or its own ``<meta charset>``) is
refused: a browser would show it with replacement characters or other letters, so its words cannot be known
for certain. This is what capture of a plain-text file with a wrong charset does too; a saved HTML file with
a wrong charset is still captured, with a warning, as what the user saved is all there is.

Keys come from the URL as from a file name (:func:`key_from_url`): the last non-empty segment of its path
without its extension, with its query if it has one (``/news/bills-rise.html`` -> ``bills-rise``,
``/read.php?id=12`` -> ``read-id-12``), else its host (``https://example.org/`` -> ``example-org``); such a key
gives way to a version's key, and gets a number beside another article from the same address. ``--key``
chooses another.

WARC (ISO 28500; WARC/1.1 is written): :func:`warc_file` writes a ``warcinfo`` record and a ``response``
record holding the HTTP status line, the headers kept (``Content-Type``, ``Content-Length`` of the body as
stored, ``ETag``, ``Last-Modified``) and the body's bytes exactly, with ``WARC-Target-URI`` the final URL and
``WARC-Date`` the time of the fetch; when the address asked for redirected, a ``metadata`` record about the
response says ``via: <address asked for>``. :func:`read_warc` takes the first ``response`` record of an
``http(s)`` address that answered 2xx with a type provenance reads (HTML, text, Markdown, PDF): a WARC of a
browsing session holds the page and every script, style sheet and image it loaded, and also frames and
advertisements that are pages too, so one WARC gives one source, the first page in it; how many other readable
pages it held is said in a warning.
"""

from __future__ import annotations

import codecs
import datetime as dt
import gzip
import hashlib
import http
import io
import os
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from provenance import access, extract, fetch, sources
from provenance.access import Permission
from provenance.documents import Metadata
from provenance.errors import Invalid
from provenance.extract.text import codec_for
from provenance.models import Source, WebCapture

# An argument of `source add` that is a web address: a scheme, then "//" (a Path keeps one slash of the two).
URL_ARGUMENT = re.compile(r"(?i)^[a-z][a-z0-9+.-]*:/")
WARC_SUFFIXES = (".warc", ".warc.gz")
_META_CHARSET = re.compile(
    rb"<meta\s[^>]*?charset\s*=\s*[\"']?\s*([-\w.:]+)|<\?xml\s[^>]*?encoding\s*=\s*[\"']([-\w.:]+)",
    re.IGNORECASE,
)
_CHARSET_PARAMETER = re.compile(r"charset\s*=\s*[\"']?([-\w.:]+)", re.IGNORECASE)


def is_url(argument: str) -> bool:
    """Whether a command-line argument is a web address (``https://...``; also ``ftp://``, to be refused by
    name) rather than a path."""
    return bool(URL_ARGUMENT.match(argument)) and not os.path.exists(argument)


def is_warc(path: Path) -> bool:
    return path.name.lower().endswith(WARC_SUFFIXES)


@dataclass(frozen=True)
class Page:
    """A page read and ready to store: how it was obtained, and its document."""

    fetched: fetch.Fetched
    extracted: extract.Extracted
    archive_file: str | None = None  # the WARC file it was read from


@dataclass(frozen=True)
class Captured:
    """What storing one page did: its source's key, and whether it was added, is a new version, or was stored
    already (``unchanged``); warnings from reading it; why a page from the address of a stored source was stored
    apart from it (``not_a_version``), and the key asked for when its text was stored already under another
    (``key_not_used``), as :class:`provenance.ingest.Captured` says them for files."""

    url: str
    key: str
    state: str
    version: int
    supersedes: str | None
    paragraphs: int
    sentences: int
    warnings: tuple[str, ...] = ()
    not_a_version: str | None = None
    key_not_used: str | None = None
    archive_file: str | None = None


# --- reading a page -----------------------------------------------------------------------------------


def fetch_page(url: str, *, allow_private: bool, max_bytes: int, timeout: float = fetch.DEFAULT_TIMEOUT) -> Page:
    """Fetch ``url`` (:func:`provenance.fetch.fetch`) and read its article; one :class:`Invalid` line if either
    fails. Touches no database, so a run can fetch every page before it opens one."""
    fetched = fetch.fetch(url, allow_private=allow_private, max_bytes=max_bytes, timeout=timeout)
    return Page(fetched, read(fetched, max_bytes=max_bytes))


def read(fetched: fetch.Fetched, *, max_bytes: int) -> extract.Extracted:
    """The article in a fetched page, read as a saved page of its type, its origin the final URL."""
    name = fetched.final_url
    extracted = extract.document_from_bytes(
        fetched.body, name=name, origin=name, media_type=fetched.content_type, max_bytes=max_bytes
    )
    if extracted.document.media_type == "text/html":
        _check_charset(fetched.body, name, fetched.content_type)
    return extracted


def _check_charset(data: bytes, name: str, content_type: str | None) -> None:
    """Refuse a web page whose bytes are not in the charset it declares (see the module's docstring)."""
    boms = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
    for bom, encoding in boms:
        if data.startswith(bom):
            _decode_or_refuse(data[len(bom) :], encoding, f"{name} starts with a {encoding} byte order mark")
            return
    parameter = _CHARSET_PARAMETER.search(content_type.partition(";")[2]) if content_type else None
    if parameter is not None:
        declared, where = parameter.group(1), "its Content-Type header"
    elif (match := _META_CHARSET.search(data, 0, 4096)) is not None:
        declared, where = (match.group(1) or match.group(2)).decode("ascii"), "the page itself"
    else:
        return  # nothing declared: read as browsers guess (UTF-8, then the likeliest charset)
    codec = codec_for(declared)
    if codec is None:
        return  # a label no browser knows is ignored, by browsers and here
    _decode_or_refuse(data, codec, f"{name} says it is {declared} ({where})")


def _decode_or_refuse(data: bytes, codec: str, claim: str) -> None:
    try:
        data.decode(codec)
    except UnicodeDecodeError as exc:
        raise Invalid(
            f"{claim} but is not: byte 0x{data[exc.start]:02x} at offset {exc.start} is no {codec} character, "
            "so its words cannot be read for certain; nothing was captured"
        ) from exc


# --- storing ------------------------------------------------------------------------------------------


def key_from_url(url: str) -> str:
    """A source key from a URL, as from a file name: the last non-empty segment of its path without its
    extension, with its query if it has one (``/read.php?id=12`` -> ``read-id-12``), else its host."""
    parts = urlsplit(url)
    segments = [unquote(s) for s in parts.path.split("/") if s]
    if segments:
        stem = sources.key_from_name(segments[-1])
        query = sources.key_from_name(unquote(parts.query).replace(".", "-"))
        key = "-".join(k for k in (stem, query) if k)[: sources.KEY_MAX].strip("-")
        if key:
            return key
    host = (parts.hostname or "").removeprefix("www.")
    return sources.key_from_name(host.replace(".", "-")) or "page"


def store_page(
    session: Session,
    page: Page,
    *,
    key: str | None = None,
    metadata: Metadata | None = None,
    reliability: str | None = None,
    reliability_note: str | None = None,
    version_of: str | None = None,
    not_a_version: bool = False,
) -> Captured:
    """Store ``page`` as a source (:func:`provenance.sources.store_source`) with its ``web_capture`` row, in the
    caller's transaction; the row is written only with a new source (or version)."""
    access.require(Permission.CAPTURE)
    fetched = page.fetched
    document = page.extracted.document
    if hashlib.sha256(fetched.body).hexdigest() != document.original_sha256:  # read() made it from these bytes
        raise AssertionError("the page's document was not read from its body")
    stored = sources.store_source(
        session,
        document,
        key=key,
        derived_key=key_from_url(fetched.final_url) if key is None else None,
        metadata=metadata,
        reliability=reliability,
        reliability_note=reliability_note,
        version_of=version_of,
        not_a_version=not_a_version,
    )
    if stored.created:
        session.add(
            WebCapture(
                source_id=stored.id,
                requested_url=fetched.requested_url,
                final_url=fetched.final_url,
                fetched_at=fetched.fetched_at,
                status=fetched.status,
                content_type=fetched.content_type,
                etag=fetched.etag,
                last_modified=fetched.last_modified,
                content_gzip=gzip.compress(fetched.body, mtime=0),
                content_length=len(fetched.body),
                archive_file=page.archive_file,
            )
        )
        session.flush()
    from provenance.ingest import stored_state

    state, paragraphs, sentences = stored_state(session, stored)
    return Captured(
        url=fetched.final_url,
        key=stored.key,
        state=state,
        version=stored.version,
        supersedes=stored.supersedes,
        paragraphs=paragraphs,
        sentences=sentences,
        warnings=page.extracted.warnings,
        not_a_version=stored.not_a_version,
        key_not_used=stored.key_not_used,
        archive_file=page.archive_file,
    )


def capture_url(
    session: Session,
    url: str,
    *,
    allow_private: bool,
    max_bytes: int = extract.DEFAULT_MAX_BYTES,
    timeout: float = fetch.DEFAULT_TIMEOUT,
    key: str | None = None,
    metadata: Metadata | None = None,
    reliability: str | None = None,
    reliability_note: str | None = None,
    version_of: str | None = None,
    not_a_version: bool = False,
) -> Captured:
    """Fetch ``url`` and store it (:func:`fetch_page`, :func:`store_page`). ``allow_private`` has no default:
    code fetching on someone else's behalf (a server) must say whether private addresses may be reached."""
    access.require(Permission.CAPTURE)  # before anything is fetched
    page = fetch_page(url, allow_private=allow_private, max_bytes=max_bytes, timeout=timeout)
    return store_page(
        session,
        page,
        key=key,
        metadata=metadata,
        reliability=reliability,
        reliability_note=reliability_note,
        version_of=version_of,
        not_a_version=not_a_version,
    )


# --- reading it back ----------------------------------------------------------------------------------


def capture_of(session: Session, source: Source) -> WebCapture | None:
    """How ``source`` was captured from the web, or ``None`` if it was not."""
    return session.scalar(select(WebCapture).where(WebCapture.source_id == source.id))


def original_bytes(capture: WebCapture) -> bytes:
    """The body of the page as the server sent it (its ``Content-Encoding`` undone)."""
    return gzip.decompress(capture.content_gzip)


def _archivable(session: Session, key: str) -> tuple[Source, WebCapture, bytes]:
    source = sources.get_source(session, key)
    capture = capture_of(session, source)
    if capture is None:
        raise Invalid(
            f"source {key!r} was not captured from the web (it came from {source.origin or 'text given inline'}); "
            "only sources added from an http:// or https:// address or a WARC file can be archived"
        )
    body = original_bytes(capture)
    if hashlib.sha256(body).hexdigest() != source.original_sha256:
        raise Invalid(
            f"the stored bytes of {key!r} no longer match the page captured (SHA-256 differs); "
            "run `provenance verify` to see what changed"
        )
    return source, capture, body


def warc_file(session: Session, key: str, *, compress: bool, filename: str | None = None) -> bytes:
    """Source ``key``'s capture as a WARC/1.1 file (gzip-compressed per record with ``compress``, as
    ``.warc.gz`` files are): see the module's docstring."""
    from warcio.statusandheaders import StatusAndHeaders  # type: ignore[import-untyped]
    from warcio.timeutils import datetime_to_iso_date  # type: ignore[import-untyped]
    from warcio.warcwriter import WARCWriter  # type: ignore[import-untyped]

    from provenance import __version__

    source, capture, body = _archivable(session, key)
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=compress, warc_version="1.1")
    info = {
        "software": f"provenance/{__version__}",
        "format": "WARC File Format 1.1",
        "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
        "description": f"provenance source {source.key}: {source.title or capture.final_url}",
    }
    writer.write_record(writer.create_warcinfo_record(filename, info))
    headers = [
        (name, value)
        for name, value in (
            ("Content-Type", capture.content_type),
            ("Content-Length", str(len(body))),
            ("ETag", capture.etag),
            ("Last-Modified", capture.last_modified),
        )
        if value is not None
    ]
    try:
        phrase = http.HTTPStatus(capture.status).phrase
    except ValueError:
        phrase = ""
    http_headers = StatusAndHeaders(f"{capture.status} {phrase}".strip(), headers, protocol="HTTP/1.1")
    fetched_at = datetime_to_iso_date(capture.fetched_at.astimezone(dt.UTC).replace(tzinfo=None), use_micros=True)
    response = writer.create_warc_record(
        capture.final_url,
        "response",
        payload=io.BytesIO(body),
        length=len(body),
        http_headers=http_headers,
        warc_headers_dict={"WARC-Date": fetched_at},
    )
    writer.write_record(response)
    if capture.requested_url != capture.final_url:
        via = f"via: {capture.requested_url}\r\n".encode()
        metadata = writer.create_warc_record(
            capture.final_url,
            "metadata",
            payload=io.BytesIO(via),
            length=len(via),
            warc_content_type="application/warc-fields",
            warc_headers_dict={
                "WARC-Date": fetched_at,
                "WARC-Refers-To": response.rec_headers.get_header("WARC-Record-ID"),
            },
        )
        writer.write_record(metadata)
    return out.getvalue()


def read_warc(path: Path, *, max_bytes: int) -> Page:
    """The first readable page in the WARC file at ``path`` (see the module's docstring), read as a fetched
    page would be; one :class:`Invalid` line if there is none, or the file is not a WARC."""
    from warcio.exceptions import ArchiveLoadFailed  # type: ignore[import-untyped]

    shown = str(path)
    try:
        with path.open("rb") as stream:
            first, others, via = _first_page(stream, shown, max_bytes)
    except FileNotFoundError as exc:
        raise Invalid(f"no file {shown}; check the path") from exc
    except IsADirectoryError as exc:
        raise Invalid(f"{shown} is a folder; give the WARC file itself") from exc
    except (ArchiveLoadFailed, OSError, EOFError, ValueError) as exc:
        raise Invalid(f"{shown} is not a WARC file that can be read ({_first_line(exc)}); check the file") from exc
    fetched = first if via is None else replace(first, requested_url=via)
    try:
        extracted = read(fetched, max_bytes=max_bytes)
    except Invalid as exc:
        raise Invalid(f"{shown}: {exc}") from exc
    if others:
        notes = (f"{shown} holds {others} more readable page(s) after the first; only {fetched.final_url} was read",)
        extracted = replace(extracted, warnings=extracted.warnings + notes)
    return Page(fetched, extracted, archive_file=shown)


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _first_page(stream: io.BufferedReader, shown: str, max_bytes: int) -> tuple[fetch.Fetched, int, str | None]:
    """The first readable page in a WARC stream, how many more there are, and the address that redirected to
    it (a ``metadata`` record's ``via``), if the file says."""
    from warcio.archiveiterator import ArchiveIterator  # type: ignore[import-untyped]

    first: fetch.Fetched | None = None
    first_id: str | None = None
    others = responses = 0
    via: str | None = None
    for record in ArchiveIterator(stream, arc2warc=False):
        if record.format != "warc":  # warcio reads any text as an old ARC file: only WARC records are taken
            raise Invalid(
                f"{shown} is not a WARC file (its records do not start with WARC/1.0 or WARC/1.1); check the file"
            )
        if record.rec_type == "metadata" and first_id is not None:
            if record.rec_headers.get_header("WARC-Refers-To") == first_id:
                via = _via(record.content_stream().read(65_536))
            continue
        if record.rec_type != "response":
            continue
        responses += 1
        target = _readable(record)
        if target is None:
            continue
        if first is not None:
            others += 1
            continue
        body = record.content_stream().read(max_bytes + 1)
        if len(body) > max_bytes:
            raise Invalid(f"{shown}: {fetch.too_large(target, max_bytes, 'the page in it is larger')}")
        first, first_id = _fetched(target, record, body), record.rec_headers.get_header("WARC-Record-ID")
    if first is None and not responses:
        raise Invalid(
            f"{shown} has no response record (WARC-Type: response), so no page to capture; nothing was captured"
        )
    if first is None:
        raise Invalid(
            f"{shown} has {responses} response record(s), none of them a page provenance can read (an http(s) "
            "address answering 2xx with HTML, text, Markdown or PDF); nothing was captured"
        )
    return first, others, via


def _readable(record: Any) -> str | None:
    """The target address of a response record holding a page provenance reads, else ``None``."""
    target = (record.rec_headers.get_header("WARC-Target-URI") or "").strip().strip("<>")
    if record.http_headers is None or urlsplit(target).scheme.lower() not in ("http", "https"):
        return None
    try:
        status = int(record.http_headers.get_statuscode())
    except (TypeError, ValueError):
        return None
    media_type = fetch.media_type_of(record.http_headers.get_header("Content-Type"))
    if not 200 <= status < 300 or status == 204 or (media_type is not None and media_type not in fetch.READABLE_TYPES):
        return None
    return target


def _via(data: bytes) -> str | None:
    for line in data.decode("utf-8", errors="replace").splitlines():
        name, _, value = line.partition(":")
        if name.strip().lower() == "via" and value.strip():
            return value.strip()
    return None


def _fetched(target: str, record: Any, body: bytes) -> fetch.Fetched:
    date = record.rec_headers.get_header("WARC-Date") or ""
    try:
        fetched_at = dt.datetime.fromisoformat(date.strip())
    except ValueError as exc:
        raise Invalid(f"the record of {target} has no readable WARC-Date ({date!r}); the file is damaged") from exc
    if fetched_at.tzinfo is None:
        fetched_at = fetched_at.replace(tzinfo=dt.UTC)
    http_headers = record.http_headers
    return fetch.Fetched(
        requested_url=target,
        final_url=target,
        fetched_at=fetched_at.astimezone(dt.UTC),
        status=int(http_headers.get_statuscode()),
        reason=str(http_headers.statusline).partition(" ")[2],
        content_type=http_headers.get_header("Content-Type"),
        etag=http_headers.get_header("ETag"),
        last_modified=http_headers.get_header("Last-Modified"),
        body=body,
        http_version=str(http_headers.protocol or "HTTP/1.1"),
    )
