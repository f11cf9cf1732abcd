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

from sqlalchemy import bindparam, exists, func, literal, or_, select
from sqlalchemy import text as text_clause
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from provenance import db, events, segmentation
from provenance.confidence import parse_reliability
from provenance.documents import Document, Metadata
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
    """What storing one document did: the source it is (new or found), and the version it supersedes."""

    id: int
    key: str
    version: int
    created: bool
    supersedes: str | None = None  # the key of the version this one supersedes
    paragraphs: int = 0
    sentences: int = 0


@dataclass(frozen=True)
class Added:
    """The outcome of adding one document: its source, whether it was new, and the version it supersedes."""

    source: Source
    created: bool
    supersedes: Source | None = None
    paragraphs: int = 0
    sentences: int = 0


def add_source(
    session: Session,
    document: Document,
    *,
    key: str | None = None,
    metadata: Metadata | None = None,
    reliability: str | None = None,
    reliability_note: str | None = None,
) -> Added:
    """:func:`store_source`, returning the source (and the one it supersedes) as loaded objects."""
    stored = store_source(
        session, document, key=key, metadata=metadata, reliability=reliability, reliability_note=reliability_note
    )
    source = session.get_one(Source, stored.id)
    supersedes = session.get_one(Source, source.supersedes_id) if stored.supersedes else None
    return Added(source, stored.created, supersedes, stored.paragraphs, stored.sentences)


_source = Base.metadata.tables["source"]
_passage = Base.metadata.tables["passage"]
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


def store_source(
    session: Session,
    document: Document,
    *,
    key: str | None = None,
    metadata: Metadata | None = None,
    reliability: str | None = None,
    reliability_note: str | None = None,
    index: bool = True,
    spans: Sequence[Span] | None = None,
) -> Stored:
    """Store ``document`` under ``key`` with its paragraphs and sentences; every check comes before any write.

    The same text stored before (under any key) is not stored again: its source comes back with
    ``created=False``. A changed text from the origin (path) or URL of a stored source becomes that source's
    next version: keyed ``KEY@N``, superseding the latest version, which stays with everything anchored to it;
    metadata and reliability not given again carry over. A key already used by a different text is refused.
    Rows are written with bulk statements, not loaded objects, so that capturing a corpus stays fast. With
    ``index=False`` the sentences are left for the caller to put in the search index (:func:`index_sentences`)
    before the transaction ends, so that a run of many sources indexes them in batches. ``spans`` are the
    document's paragraphs and sentences when already found (:func:`segment_spans`), e.g. in another process.
    """
    metadata, reliability_note = _given(metadata, reliability_note)
    meta = document.metadata.overridden_by(metadata or Metadata())
    derived = key is None and bool(document.origin)
    if derived:
        key = key_from_name(document.origin or "")
    related = session.execute(
        _RELATED,
        {"sha": document.text_sha256, "origin": document.origin or None, "url": meta.url or None, "key": key},
    ).all()
    planned = _plan(session, Pending(document, spans), related, key, derived, meta, reliability, reliability_note)
    if isinstance(planned, Stored):
        return planned
    [stored] = _write(session, [planned], index=index)
    return stored


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
    metadata: Metadata | None = None,
    reliability: str | None = None,
    reliability_note: str | None = None,
    index: bool = True,
) -> list[Stored | ProvenanceError]:
    """Store many documents (keys from their origins) as :func:`store_source` would, one after the other.

    What becomes of each, in order: its :class:`Stored`, or the error that kept it out (nothing of it is
    written then). New documents unrelated to anything stored or to each other are written together, a few
    statements for the whole batch; the others (the same text, a new version, a key taken) one at a time.
    """
    results: list[Stored | ProvenanceError | None] = [None] * len(pending)
    metadata, reliability_note = _given(metadata, reliability_note)
    metas = [p.document.metadata.overridden_by(metadata or Metadata()) for p in pending]
    keys = [key_from_name(p.document.origin) if p.document.origin else None for p in pending]
    shas = [p.document.text_sha256 for p in pending]
    origins = [p.document.origin for p in pending]
    urls = [m.url for m in metas]
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


def _plan(
    session: Session,
    pending: Pending,
    related: Sequence[Any],
    key: str | None,
    derived: bool,
    meta: Metadata,
    reliability: str | None,
    reliability_note: str | None,
) -> Stored | _Planned:
    """What storing ``pending`` means, given the stored sources ``related`` to it; refusals raise."""
    document = pending.document
    existing = next((r for r in related if r.text_sha256 == document.text_sha256), None)
    if existing is not None:
        if key is not None and not derived and key not in (existing.key, root_key(existing.key)):
            raise Conflict(
                f"this article is already stored as {existing.key!r} (same text); use that key, "
                "or leave out the key to get it back"
            )
        return Stored(existing.id, existing.key, existing.version, created=False)

    previous = max(
        (r for r in related if (document.origin and r.origin == document.origin) or (meta.url and r.url == meta.url)),
        key=lambda r: (r.version, r.id),
        default=None,
    )
    while previous is not None and previous.superseded:
        # matched an older version (by its path or URL): the new text supersedes that version's latest
        previous = session.execute(_NEXT_VERSION, {"id": previous.id}).first()
    if previous is not None:
        root = root_key(previous.key)
        if key is not None and not derived and key != root:
            raise Conflict(
                f"{document.origin or meta.url} was captured before as {root!r}; its changed text becomes "
                f"{root}@{previous.version + 1}: leave out --key, or give --key {root}"
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
        if taken is not None:
            raise Conflict(
                f"source key {key!r} is already taken by a different article "
                f"(from {taken.origin or 'inline text'}); choose another key with --key or rename the file"
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
    return _Planned(values, pending, previous)


def _write(session: Session, planned: Sequence[_Planned], *, index: bool) -> list[Stored]:
    """Write new sources with their passages and log entries: a handful of statements for all of them."""
    new_ids = db.next_ids(session, _source, len(planned))
    db.insert_records(session, _source, [{"id": n, **p.values} for n, p in zip(new_ids, planned, strict=True)])
    ids = {p.values["key"]: n for n, p in zip(new_ids, planned, strict=True)}
    rows: list[tuple[Any, ...]] = []
    results = []
    log: list[dict[str, Any]] = []
    for p in planned:
        source_id = ids[p.values["key"]]
        first = len(rows)
        rows.extend(_passage_rows(source_id, p.pending))
        paragraphs = sum(1 for row in rows[first:] if row[1] == "paragraph")
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
            )
        )
    insert_passages(session, rows)
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
    query = select(Passage).where(Passage.source_id == source.id)
    if kinds:
        query = query.where(Passage.kind.in_(kinds))
    passages = list(session.scalars(query.order_by(Passage.char_start, Passage.char_end.desc())))
    for passage in passages:  # each reads its words from the source, also once the session is closed
        set_committed_value(passage, "source", source)
    return passages
