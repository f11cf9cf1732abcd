"""Sources: documents stored with their paragraphs and sentences, in versions, one by one or in bulk."""

from __future__ import annotations

import bisect
import os
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import bindparam, exists, func, literal, or_, select
from sqlalchemy import text as text_clause
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from provenance import access, db, events, resemblance, segmentation
from provenance.access import Permission
from provenance.citations import note_captions
from provenance.confidence import parse_reliability
from provenance.documents import Document, Metadata, normalise
from provenance.errors import Conflict, Invalid, NotFound, ProvenanceError
from provenance.models import Base, Evidence, Passage, PassageKind, Reliability, Source, utcnow
from provenance.text import optional_user_text

KEY_MAX = 64
_KEY_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]*")


# --- keys ---------------------------------------------------------------------------------------------


def key_from_name(name: str) -> str:
    """A source key from a file name: ``India NK (2018).txt`` -> ``india-nk-2018``."""
    stem = os.path.splitext(os.path.basename(name))[0]  # Path(name).stem, without making a Path
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    key = re.sub(r"[^a-z0-9]+", "-", ascii_stem.lower()).strip("-")
    return key[:KEY_MAX].rstrip("-")


def check_key(key: str, what: str = "source") -> str:
    if not _KEY_PATTERN.fullmatch(key) or len(key) > KEY_MAX:
        raise Invalid(
            f"{what} key {key!r} is not usable; use lowercase letters, digits, '-', '_' or '.', "
            f"starting with a letter or digit, at most {KEY_MAX} characters"
        )
    return key


# --- storing ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stored:
    """What storing one document did: the source it is (new or found), and the version it supersedes.

    ``not_a_version`` says why a document from the address of a stored source was stored apart from it (one line);
    ``key_not_used`` is the key asked for when the same text was found stored under another key, which it keeps.
    """

    id: int
    key: str
    version: int
    created: bool
    supersedes: str | None = None  # the key of the version this one supersedes
    paragraphs: int = 0
    sentences: int = 0
    not_a_version: str | None = None
    key_not_used: str | None = None


@dataclass(frozen=True)
class Added:
    """The outcome of adding one document: its source, whether it was new, and the version it supersedes
    (``not_a_version`` and ``key_not_used`` as in :class:`Stored`)."""

    source: Source
    created: bool
    supersedes: Source | None = None
    paragraphs: int = 0
    sentences: int = 0
    not_a_version: str | None = None
    key_not_used: str | None = None


def add_source(
    session: Session,
    document: Document,
    *,
    version_of: str | None = None,
    not_a_version: bool = False,
    key: str | None = None,
    derived_key: str | None = None,
    metadata: Metadata | None = None,
    reliability: str | None = None,
    reliability_note: str | None = None,
) -> Added:
    """:func:`store_source`, returning the source (and the one it supersedes) as loaded objects."""
    stored = store_source(
        session,
        document,
        version_of=version_of,
        not_a_version=not_a_version,
        key=key,
        derived_key=derived_key,
        metadata=metadata,
        reliability=reliability,
        reliability_note=reliability_note,
    )
    source = session.get_one(Source, stored.id)
    supersedes = session.get_one(Source, source.supersedes_id) if stored.supersedes else None
    return Added(
        source,
        stored.created,
        supersedes,
        stored.paragraphs,
        stored.sentences,
        stored.not_a_version,
        stored.key_not_used,
    )


_source = Base.metadata.tables["source"]
_passage = Base.metadata.tables["passage"]
_caption = Base.metadata.tables["caption"]
# What is read of a stored source to decide about a new document: everything but its text.
_HEAD = [c for c in _source.c if c.name != "text"]
_newer = _source.alias("newer")
_NEXT_VERSION = select(*_HEAD, literal(False).label("superseded")).where(_source.c.supersedes_id == bindparam("id"))
_RELATED_MANY = select(*_HEAD, exists().where(_newer.c.supersedes_id == _source.c.id).label("superseded")).where(
    or_(
        _source.c.text_sha256.in_(bindparam("shas", expanding=True)),
        _source.c.origin.in_(bindparam("origins", expanding=True)),
        _source.c.url.in_(bindparam("urls", expanding=True)),
        _source.c.key.in_(bindparam("keys", expanding=True)),
    )
)
_RELATED = select(*_HEAD, exists().where(_newer.c.supersedes_id == _source.c.id).label("superseded")).where(
    or_(
        _source.c.text_sha256 == bindparam("sha"),
        _source.c.origin == bindparam("origin"),
        _source.c.url == bindparam("url"),
        _source.c.key == bindparam("key"),
    )
)


@dataclass(frozen=True)
class Pending:
    """A document to store, as :func:`store_sources` takes them: its spans when already segmented."""

    document: Document
    spans: Sequence[Span] | None = None


@dataclass(frozen=True)
class _Planned:
    values: dict[str, Any]
    pending: Pending
    previous: Any | None  # the row of the version it supersedes
    apart: str | None = None  # why it is not a version of a source from the same address


def store_source(
    session: Session,
    document: Document,
    *,
    version_of: str | None = None,
    not_a_version: bool = False,
    key: str | None = None,
    derived_key: str | None = None,
    metadata: Metadata | None = None,
    reliability: str | None = None,
    reliability_note: str | None = None,
    index: bool = True,
    spans: Sequence[Span] | None = None,
) -> Stored:
    """Store ``document`` under ``key`` with its paragraphs and sentences; every check comes before any write.

    The same text stored before (under any key) is not stored again: its source comes back with
    ``created=False`` (and the key asked for, if another, as ``key_not_used``). A changed text becomes the next
    version of a stored source when it comes from the same address (the same path, or the same URL that is not
    a site's home page) and is substantially the same document (:data:`VERSION_SHARE`): keyed ``KEY@N``,
    superseding the latest version, which stays with everything anchored to it; metadata and reliability not
    given again carry over. A text from the same address that is another document is a new source, and
    ``not_a_version`` of the result says why; a derived key the other already has gets a number (``name-2``).
    The argument ``version_of`` makes the text the next version of that source (its latest version) whatever
    the texts share; ``not_a_version`` makes it a new source whatever they share.

    Without ``key``, the key is ``derived_key`` (e.g. made from a URL), else made from the file name: a derived
    key is the program's choice, not the user's, and gives way to a version's key. A key already used by a
    different text is refused. Rows are written with bulk statements, not loaded objects, so that capturing a
    corpus stays fast. With ``index=False`` the sentences are left for the caller to put in the search index
    (:func:`index_sentences`) before the transaction ends, so that a run of many sources indexes them in
    batches. ``spans`` are the document's paragraphs and sentences when already found (:func:`segment_spans`),
    e.g. in another process.
    """
    access.require(Permission.CAPTURE)
    if version_of is not None and not_a_version:
        raise Invalid("--version-of and --not-a-version contradict each other; give one of them")
    latest_of = _latest(session, _head(session, version_of)) if version_of is not None else None
    metadata, reliability_note = _given(metadata, reliability_note)
    meta = document.metadata.overridden_by(metadata or Metadata())
    derived = key is None and bool(derived_key or document.origin)
    if derived:
        key = derived_key or key_from_name(document.origin or "")
    related = session.execute(
        _RELATED,
        {
            "sha": document.text_sha256,
            "origin": document.origin or None,
            "url": address_url(meta.url),
            "key": key,
        },
    ).all()
    planned = _plan(
        session,
        Pending(document, spans),
        related,
        key,
        derived,
        meta,
        reliability,
        reliability_note,
        version_of=latest_of,
        not_a_version=not_a_version,
    )
    if isinstance(planned, Stored):
        return planned
    [stored] = _write(session, [planned], index=index)
    return stored


def address_url(url: str | None) -> str | None:
    """The URL by which captures count as coming from the same address, or ``None``: a site's home page (no path
    but ``/`` or an index page, no query) names no one document, and many pages name it as their canonical URL."""
    if not url:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:  # not a URL at all (an unclosed IPv6 bracket): it is still an address, as written
        return url
    if parts.netloc and not parts.query and parts.path.lower() in _HOME_PATHS:
        return None
    return url


_WEB_ADDRESS = re.compile(r"(?i)https?://")
_HOME_PATHS = frozenset(("", "/", "/index.html", "/index.htm", "/index.php", "/default.aspx"))


def _given(metadata: Metadata | None, reliability_note: str | None) -> tuple[Metadata | None, str | None]:
    """The metadata and reliability note a user gave (options, a claims file), cleaned as any text a user gives
    (:func:`provenance.text.user_text`); what a document says of itself is cleaned when it is read."""
    if metadata is not None:
        metadata = Metadata(
            title=optional_user_text(metadata.title, "title"),
            author=optional_user_text(metadata.author, "author"),
            publisher=optional_user_text(metadata.publisher, "publisher"),
            url=optional_user_text(metadata.url, "URL"),
            published=metadata.published,
        )
    return metadata, optional_user_text(reliability_note, "reliability note")


def store_sources(
    session: Session,
    pending: Sequence[Pending],
    *,
    not_a_version: bool = False,
    metadata: Metadata | None = None,
    reliability: str | None = None,
    reliability_note: str | None = None,
    index: bool = True,
) -> list[Stored | ProvenanceError]:
    """Store many documents (keys from their origins) as :func:`store_source` would, one after the other.

    What becomes of each, in order: its :class:`Stored`, or the error that kept it out (nothing of it is
    written then). New documents unrelated to anything stored or to each other are written together, a few
    statements for the whole batch; the others (the same text, a new version, a key taken) one at a time.
    With ``not_a_version``, none becomes a version of a stored source.
    """
    access.require(Permission.CAPTURE)
    results: list[Stored | ProvenanceError | None] = [None] * len(pending)
    metadata, reliability_note = _given(metadata, reliability_note)
    metas = [p.document.metadata.overridden_by(metadata or Metadata()) for p in pending]
    keys = [key_from_name(p.document.origin) if p.document.origin else None for p in pending]
    shas = [p.document.text_sha256 for p in pending]
    origins = [p.document.origin for p in pending]
    urls = [address_url(m.url) for m in metas]
    related = session.execute(
        _RELATED_MANY,
        {
            "shas": shas,
            "origins": [o for o in origins if o] or [""],
            "urls": [u for u in urls if u] or [""],
            "keys": [k for k in keys if k] or [""],
        },
    ).all()
    taken = {value for row in related for value in (row.text_sha256, row.origin, row.url, row.key) if value}
    batch: list[tuple[int, _Planned]] = []
    seen: set[str] = set()
    for n, item in enumerate(pending):
        marks = {v for v in (shas[n], origins[n], urls[n], keys[n]) if v}
        if marks & (taken | seen) or keys[n] is None:
            # Related to something stored before, or to a document earlier in this call: store the batch so far,
            # then this one on its own, with a lookup that sees them.
            _write_batch(session, batch, results, index)
            batch = []
            seen |= marks
            try:
                results[n] = store_source(
                    session,
                    item.document,
                    not_a_version=not_a_version,
                    metadata=metadata,
                    reliability=reliability,
                    reliability_note=reliability_note,
                    index=index,
                    spans=item.spans,
                )
            except ProvenanceError as exc:
                results[n] = exc
            continue
        try:
            planned = _plan(session, item, [], keys[n], True, metas[n], reliability, reliability_note)
        except ProvenanceError as exc:
            results[n] = exc
            continue
        assert isinstance(planned, _Planned)
        batch.append((n, planned))
        seen |= marks
    _write_batch(session, batch, results, index)
    return [r for r in results if r is not None]


def _write_batch(
    session: Session,
    batch: list[tuple[int, _Planned]],
    results: list[Stored | ProvenanceError | None],
    index: bool,
) -> None:
    if batch:
        for (n, _), stored in zip(batch, _write(session, [p for _, p in batch], index=index), strict=True):
            results[n] = stored


# A new text is a version of a stored one from the same address when they have at least this share of their runs
# of five words in common (resemblance.common_share): a corrected figure, an edited headline, an added paragraph
# or a correction notice keep 90-100% of them; two articles from one site share under 5%.
VERSION_SHARE = 0.5


def _plan(
    session: Session,
    pending: Pending,
    related: Sequence[Any],
    key: str | None,
    derived: bool,
    meta: Metadata,
    reliability: str | None,
    reliability_note: str | None,
    *,
    version_of: Any | None = None,
    not_a_version: bool = False,
) -> Stored | _Planned:
    """What storing ``pending`` means, given the stored sources ``related`` to it (and the latest version of the
    source the user made it a version of); refusals raise."""
    document = pending.document
    texts: dict[int, str] = {}  # the stored texts read so far: each is read once
    existing = next((r for r in related if r.text_sha256 == document.text_sha256), None)
    if existing is None:
        existing = _stored_in_an_earlier_form(session, document, related, key, texts)
    if existing is not None:
        # The same text is the same source, whatever key it is given now.
        asked = key if key is not None and not derived and key not in (existing.key, root_key(existing.key)) else None
        why = None
        if version_of is not None and root_key(version_of.key) != root_key(existing.key):
            why = (
                f"is already stored as {existing.key} (the same text), so it is not made a version of {version_of.key}"
            )
        return Stored(existing.id, existing.key, existing.version, created=False, not_a_version=why, key_not_used=asked)

    url = address_url(meta.url)
    same_address = [r for r in related if (document.origin and r.origin == document.origin) or (url and r.url == url)]
    previous = closest = None
    share = 0.0
    if version_of is not None:
        previous = version_of
    elif same_address and not not_a_version:
        closest, share = _closest(session, document, same_address, texts)
        previous = closest if share >= VERSION_SHARE else None
    if previous is not None:
        root = root_key(previous.key)
        if key is not None and not derived and key != root:
            if version_of is not None:
                raise Conflict(
                    f"--version-of makes this text {root}@{previous.version + 1}; leave out --key, or give --key {root}"
                )
            raise Conflict(
                f"{document.origin or meta.url} was captured before as {root!r}; its changed text becomes "
                f"{root}@{previous.version + 1}: leave out --key, give --key {root}, "
                "or add --not-a-version to store it as a source of its own"
            )
        key = f"{root}@{previous.version + 1}"
        meta = _metadata_of(previous).overridden_by(meta)
        if reliability is None:
            reliability, reliability_note = previous.reliability.value, previous.reliability_note
    else:
        if key is None:
            raise Invalid("a source given as text needs a key")
        check_key(key)
        taken = next((r for r in related if r.key == key), None)
        if taken is not None and derived and any(root_key(r.key) == key for r in same_address):
            # the name of the file captured before from this address: the new source gets a number
            key = _free_key(session, key)
        elif taken is not None:
            raise Conflict(
                f"source key {key!r} is already taken by a different article "
                f"(from {taken.origin or 'inline text'}); choose another key with --key or rename the file"
            )
    apart = None  # why a text from the address of a stored source is not its version
    if closest is not None and previous is None:
        by_path = bool(document.origin) and any(r.origin == document.origin for r in same_address)
        by_path = by_path and not _WEB_ADDRESS.match(document.origin or "")  # a fetched page's origin is its URL
        apart = (
            f"shares its {'path' if by_path else 'URL'} with {closest.key} but only {_percent(share)} of its text; "
            f"stored as a new source {key} ({VERSION_OF_ADVICE.format(key=root_key(closest.key))})"
        )
    letter = parse_reliability(reliability) if reliability else Reliability.F.value
    values: dict[str, Any] = {
        "key": key,
        "title": meta.title,
        "author": meta.author,
        "publisher": meta.publisher,
        "url": meta.url,
        "published": meta.published,
        "captured_at": utcnow(),
        "captured_by": events.current_actor(),
        "origin": document.origin,
        "media_type": document.media_type,
        "text": document.text,
        "text_sha256": document.text_sha256,
        "original_sha256": document.original_sha256,
        "reliability": Reliability(letter),
        "reliability_note": reliability_note,
        "version": previous.version + 1 if previous is not None else 1,
        "supersedes_id": previous.id if previous is not None else None,
    }
    return _Planned(values, pending, previous, apart)


def _head(session: Session, key: str) -> Any:
    """The stored source ``key`` names, as a row of everything but its text."""
    row = None if "\x00" in key else session.execute(select(*_HEAD).where(_source.c.key == key)).first()
    if row is None:
        raise NotFound(f"no source {key!r} to make this a version of; `provenance source list` shows the keys")
    return row


def _latest(session: Session, row: Any) -> Any:
    """The latest version of the source ``row`` is a version of."""
    while (newer := session.execute(_NEXT_VERSION, {"id": row.id}).first()) is not None:
        row = newer
    return row


def _texts(session: Session, ids: Sequence[int], texts: dict[int, str]) -> dict[int, str]:
    """The stored texts of the sources ``ids``, read in one statement, those not in ``texts`` yet added to it."""
    missing = [n for n in ids if n not in texts]
    if missing:
        texts.update(session.execute(select(_source.c.id, _source.c.text).where(_source.c.id.in_(missing))).all())
    return texts


def _closest(
    session: Session, document: Document, same_address: Sequence[Any], texts: dict[int, str]
) -> tuple[Any, float]:
    """Among the latest versions of the sources from the same address, the one whose text has most in common with
    ``document``'s, and that share (:func:`provenance.resemblance.common_share`); the earliest source on a tie."""
    latest = {row.id: row for row in (_latest(session, r) if r.superseded else r for r in same_address)}
    _texts(session, list(latest), texts)
    share, best = max((resemblance.common_share(document.text, texts[n]), -n) for n in latest)
    return latest[-best], share


def _stored_in_an_earlier_form(
    session: Session, document: Document, related: Sequence[Any], key: str | None, texts: dict[int, str]
) -> Any:
    """The source under ``key`` or from ``document``'s path whose text, stored before the rules of
    :func:`provenance.documents.normalise` last changed (no-break spaces and control characters were kept then), is
    ``document``'s text once normalised now: the same text, not a change. ``None`` when there is none."""
    candidates = {r.id: r for r in related if r.key == key or (document.origin and r.origin == document.origin)}
    if not candidates:
        return None
    # normalising only removes or replaces characters: a shorter stored text cannot become this one
    found = _texts(session, list(candidates), texts)
    return next(
        (
            row
            for n, row in candidates.items()
            if len(found[n]) >= len(document.text) and normalise(found[n]) == document.text
        ),
        None,
    )


# How the command line says to make a capture a version after all; a claims file says it in its own words.
VERSION_OF_ADVICE = "use --version-of {key} to make it a version"


def _percent(share: float) -> str:
    """A share as a percentage, whole from 1% on, never rounded up to 100% or down to 0% when it is neither."""
    value = round(share * 100)
    if value == 100 and share < 1:
        return "99%"
    if value < 1 and share > 0:
        return f"{max(share * 100, 0.1):.1f}%"
    return f"{value}%"


def _free_key(session: Session, key: str) -> str:
    """``key-2``, ``key-3``, ...: the first that no source has (within the length of a key)."""
    n = 2
    while True:
        tried = [f"{key[: KEY_MAX - len(str(m)) - 1].rstrip('-')}-{m}" for m in range(n, n + 20)]
        used = set(session.scalars(select(_source.c.key).where(_source.c.key.in_(tried))))
        free = next((k for k in tried if k not in used), None)
        if free is not None:
            return free
        n += 20


def _write(session: Session, planned: Sequence[_Planned], *, index: bool) -> list[Stored]:
    """Write new sources with their passages and log entries: a handful of statements for all of them."""
    new_ids = db.next_ids(session, _source, len(planned))
    db.insert_records(session, _source, [{"id": n, **p.values} for n, p in zip(new_ids, planned, strict=True)])
    ids = {p.values["key"]: n for n, p in zip(new_ids, planned, strict=True)}
    rows: list[tuple[Any, ...]] = []
    captions: list[tuple[int, int, int]] = []
    results = []
    log: list[dict[str, Any]] = []
    for p in planned:
        source_id = ids[p.values["key"]]
        first = len(rows)
        rows.extend(_passage_rows(source_id, p.pending))
        paragraphs = sum(1 for row in rows[first:] if row[1] == "paragraph")
        if p.pending.document.captions:
            # a caption is marked only as one of the paragraphs just written (as `provenance verify` checks)
            spans = {(row[2], row[3]) for row in rows[first:] if row[1] == "paragraph"}
            captions.extend((source_id, *span) for span in p.pending.document.captions if span in spans)
        summary = source_summary(SimpleNamespace(**p.values))
        log.append(
            {
                "action": "source.add" if p.previous is None else "source.version",
                "subject_type": "source",
                "subject_key": p.values["key"],
                "before": source_summary(p.previous) if p.previous is not None else None,
                "after": summary,
            }
        )
        results.append(
            Stored(
                source_id,
                p.values["key"],
                p.values["version"],
                created=True,
                supersedes=p.previous.key if p.previous is not None else None,
                paragraphs=paragraphs,
                sentences=len(rows) - first - paragraphs,
                not_a_version=p.apart,
            )
        )
    insert_passages(session, rows)
    db.insert_rows(session, _caption, ("source_id", "char_start", "char_end"), captions)
    if index:
        index_sentences(session, [r.id for r in results])
    events.record_many(session, log)
    return results


def _passage_rows(source_id: int, pending: Pending) -> list[tuple[Any, ...]]:
    text = pending.document.text
    pages = pending.document.page_starts
    spans = pending.spans if pending.spans is not None else segment_spans(text)
    # Paragraphs (the spans without a sentence number) keep no text of their own: their words are the source's.
    return [
        (
            source_id,
            kind,
            start,
            end,
            paragraph_no,
            sentence_no,
            (bisect.bisect_right(pages, start) or 1) if pages else None,
            text[start:end] if sentence_no else None,
        )
        for kind, start, end, paragraph_no, sentence_no in spans
    ]


# A paragraph or sentence as plain values: (kind, start, end, paragraph_no, sentence_no).
Span = tuple[str, int, int, int, int | None]


def segment_spans(text: str) -> list[Span]:
    """The paragraphs and sentences of ``text`` as plain tuples, cheap to hand between processes."""
    return segmentation.spans(text)


PASSAGE_COLUMNS = (
    "source_id",
    "kind",
    "char_start",
    "char_end",
    "paragraph_no",
    "sentence_no",
    "page_no",
    "text",
)


def insert_passages(session: Session, rows: Sequence[tuple[Any, ...]]) -> None:
    """Insert passage rows (values in :data:`PASSAGE_COLUMNS` order) through the driver's bulk path: capturing a
    corpus writes hundreds of thousands, and their values (ints and strings) need no conversion."""
    db.insert_rows(session, _passage, PASSAGE_COLUMNS, rows)


def index_sentences(session: Session, source_ids: Sequence[int]) -> None:
    """Put the sentences of these newly stored sources in the SQLite search index (one statement).

    PostgreSQL keeps its index in step by itself; on SQLite, deletes and updates have triggers, and inserts are
    indexed here, in bulk: a trigger per inserted row made the index flush for every row.
    """
    if not source_ids or session.get_bind().dialect.name != "sqlite":
        return
    session.execute(
        text_clause(
            "INSERT INTO passage_search (rowid, text) SELECT id, text FROM passage "
            "WHERE kind = 'sentence' AND source_id IN :ids"
        ).bindparams(bindparam("ids", expanding=True)),
        {"ids": list(source_ids)},
    )


def refresh_statistics(session: Session) -> None:
    """Refresh PostgreSQL's statistics of the sources table within a long capture: ANALYZE counts the rows this
    transaction added, so that the planner keeps to the indexes when the table has grown since it last looked.
    SQLite needs none."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text_clause("ANALYZE source"))


def root_key(key: str) -> str:
    """The key of a source's first version: ``india-nk-2018@3`` -> ``india-nk-2018``."""
    return key.split("@", 1)[0]


def _metadata_of(source: Any) -> Metadata:
    return Metadata(
        title=source.title,
        author=source.author,
        publisher=source.publisher,
        url=source.url,
        published=source.published,
    )


def versions(session: Session, key: str) -> list[Source]:
    """Every version of the source ``key`` names (any of its versions), oldest first."""
    source = get_source(session, key)
    chain = [source]
    while chain[0].supersedes_id is not None:
        chain.insert(0, session.get_one(Source, chain[0].supersedes_id))
    while (newer := session.scalar(select(Source).where(Source.supersedes_id == chain[-1].id))) is not None:
        chain.append(newer)
    return chain


def evidence_counts(session: Session, source_ids: Sequence[int]) -> dict[int, int]:
    """How many evidence rest on passages of each of these sources."""
    rows = session.execute(
        select(Passage.source_id, func.count(Evidence.id))
        .join(Evidence, Evidence.passage_id == Passage.id)
        .where(Passage.source_id.in_(source_ids))
        .group_by(Passage.source_id)
    )
    return {source_id: n for source_id, n in rows}


def passage_values(
    source_id: int,
    text: str,
    start: int,
    end: int,
    kind: str,
    paragraph_no: int,
    sentence_no: int | None = None,
) -> dict[str, Any]:
    """The column values of one passage row, for bulk inserts (paragraphs store no text: see :class:`Passage`)."""
    return {
        "source_id": source_id,
        "kind": kind,
        "char_start": start,
        "char_end": end,
        "paragraph_no": paragraph_no,
        "sentence_no": sentence_no,
        "page_no": None,
        "stored_text": None if kind == PassageKind.PARAGRAPH.value else text[start:end],
    }


def make_passage(
    source: Source,
    start: int,
    end: int,
    kind: PassageKind,
    paragraph_no: int,
    sentence_no: int | None = None,
    page_no: int | None = None,
) -> Passage:
    values = passage_values(source.id, source.text, start, end, kind.value, paragraph_no, sentence_no)
    return Passage(**{**values, "kind": kind, "page_no": page_no}, source=source)


def source_summary(source: Any) -> dict[str, object]:
    """The log's record of a source (an object or row with its columns as attributes)."""
    return {
        "key": source.key,
        "title": source.title,
        "author": source.author,
        "publisher": source.publisher,
        "url": source.url,
        "published": source.published.isoformat() if source.published else None,
        "origin": source.origin,
        "text_sha256": source.text_sha256,
        "original_sha256": source.original_sha256,
        "reliability": source.reliability.value,
        "version": source.version,
    }


def get_source(session: Session, key: str) -> Source:
    # no key holds a NUL character (check_key), and PostgreSQL refuses one even in a query
    source = None if "\x00" in key else session.scalar(select(Source).where(Source.key == key))
    if source is None:
        raise NotFound(f"no source {key!r}; `provenance source list` shows the keys")
    return source


@dataclass(frozen=True)
class SourceRow:
    source: Source
    paragraphs: int
    sentences: int


def list_sources(session: Session) -> list[SourceRow]:
    """Every source with its paragraph and sentence counts, oldest publication first."""
    counts: dict[tuple[int, PassageKind], int] = {
        (source_id, kind): n
        for source_id, kind, n in session.execute(
            select(Passage.source_id, Passage.kind, func.count()).group_by(Passage.source_id, Passage.kind)
        )
    }
    sources = session.scalars(select(Source).order_by(Source.published.is_(None), Source.published, Source.key))
    return [
        SourceRow(s, counts.get((s.id, PassageKind.PARAGRAPH), 0), counts.get((s.id, PassageKind.SENTENCE), 0))
        for s in sources
    ]


def source_passages(session: Session, source: Source, kinds: Sequence[PassageKind] | None = None) -> list[Passage]:
    """A source's passages in reading order (a paragraph before its sentences); the source keeps which of its
    paragraphs are captions (:func:`provenance.citations.captions`, :func:`provenance.citations.in_caption`)."""
    query = select(Passage).where(Passage.source_id == source.id)
    if kinds:
        query = query.where(Passage.kind.in_(kinds))
    passages = list(session.scalars(query.order_by(Passage.char_start, Passage.char_end.desc(), Passage.id)))
    note_captions(source, caption_spans(session, source.id))
    for passage in passages:  # each reads its words from the source, also once the session is closed
        set_committed_value(passage, "source", source)
    return passages


def caption_spans(session: Session, source_id: int) -> list[tuple[int, int]]:
    """The ``(start, end)`` of each paragraph of the source that is a caption (of a picture, a chart or a table on
    a web page), in order."""
    query = select(_caption.c.char_start, _caption.c.char_end).where(_caption.c.source_id == source_id)
    return [(start, end) for start, end in session.execute(query.order_by(_caption.c.char_start))]
