"""Gathering what a cited report or an export shows, in a fixed number of queries however many claims there are.

This module only reads. The formats in :mod:`provenance.export` turn a :class:`Report` into text.
"""

from __future__ import annotations

import datetime as dt
import functools
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import MISSING, dataclass, field, fields
from itertools import accumulate
from typing import Any, TypeVar

from sqlalchemy import Connection, DateTime, Result, Select, exists, or_, select, type_coerce
from sqlalchemy.orm import Session, aliased, selectinload

from provenance import collector
from provenance.anchoring import omission_parts, review_label, shown_quote
from provenance.assessment import NOT_ASSESSED, Assessment, assess_cited, load_links
from provenance.claims import find_entities, get_claim, parse_status
from provenance.errors import Invalid, NotFound
from provenance.models import (
    CONTEXT_CHARS,
    AnchorMethod,
    Base,
    Caption,
    Claim,
    ClaimStatus,
    Contradiction,
    ContradictionSuggestion,
    Entity,
    Event,
    Evidence,
    Passage,
    PassageKind,
    Source,
    Stance,
    SuggestionStatus,
    claim_entity,
)

ORDERS = ("key", "entity", "status")
_STATUS_ORDER = {status: n for n, status in enumerate(ClaimStatus)}


@dataclass(frozen=True)
class Selection:
    """Which claims a report or export covers: all by default; each field given narrows it."""

    keys: Sequence[str] = ()
    about: Sequence[str] = ()  # entity names: claims about any of them
    statuses: Sequence[str] = ()
    since: dt.date | None = None  # claims created or updated on or after this day (UTC)

    def describe(self) -> str | None:
        """The claims this selection keeps, in words ("about India; with status in review"), or None when it keeps
        every claim (a key always names one)."""
        parts = []
        if self.about:
            parts.append("about " + " or ".join(self.about))
        if self.statuses:
            parts.append("with status " + " or ".join(" ".join(s.replace("_", " ").split()) for s in self.statuses))
        if self.since is not None:
            parts.append(f"created or changed on or after {self.since.isoformat()}")
        return "; ".join(parts) or None


# Rows a report reads by the ten thousand are plain dataclasses with slots, not ORM objects. They are not
# frozen (a frozen dataclass takes ten times as long to make), but they hash and compare by value as if they
# were, and nothing changes them.
@dataclass(slots=True, unsafe_hash=True)
class PassageRow:
    """A passage as a report reads it: the ``passage`` table's columns, without ORM bookkeeping (reports read
    tens of thousands of them)."""

    id: int
    source_id: int
    kind: PassageKind
    char_start: int
    char_end: int
    paragraph_no: int
    sentence_no: int | None
    page_no: int | None
    text: str  # stored for sentences and quotes; a paragraph's is filled in from its source
    prefix: str = ""
    suffix: str = ""
    caption: bool = False  # it stands in a caption (of a picture, a chart or a table), not the running text

    def fill_from_source(self, source_text: str) -> None:
        """Set the words a passage row does not store (a paragraph's text, every passage's context)."""
        start, end = self.char_start, self.char_end
        if self.text is None:
            self.text = source_text[start:end]
        self.prefix = source_text[max(0, start - CONTEXT_CHARS) : start]
        self.suffix = source_text[end : end + CONTEXT_CHARS]


@dataclass(slots=True, unsafe_hash=True)
class EvidenceRow:
    """A piece of evidence as a report reads it: the ``evidence`` table's columns.

    ``created_at`` is made when asked for, from ``stored_at``, the time as the database gives it (naive, in UTC,
    on SQLite): making every row's timezone-aware as it is read took a tenth of the time of reading a large
    report, and only some formats show it.
    """

    id: int
    claim_id: int
    passage_id: int
    stance: Stance
    confidence: float | None
    attributed_to: str | None
    quote: str
    anchor_method: AnchorMethod
    anchor_score: float | None
    needs_review: bool
    credibility: int | None
    note: str | None
    stored_at: dt.datetime
    created_by: str | None
    # Why ``reanchor`` left it on an older version of its source (the passage is gone from the newer one, or the
    # close match there changes a number, date, amount, negation or name); None if it did not.
    orphaned_reason: str | None

    @property
    def created_at(self) -> dt.datetime:
        """When the evidence was recorded, in UTC (as :class:`provenance.models.UTCDateTime` reads it)."""
        stored = self.stored_at
        return stored.replace(tzinfo=dt.UTC) if stored.tzinfo is None else stored.astimezone(dt.UTC)


RowT = TypeVar("RowT", PassageRow, EvidenceRow)

# Columns read as the database gives them, without the conversion their type makes (see EvidenceRow), and
# under another name.
_STORED = {
    "stored_at": type_coerce(Evidence.created_at, DateTime(timezone=True)),
    "text": Passage.stored_text,
}


def _select_rows(cls: type[RowT], model: type[Base]) -> Select[Any]:
    """The columns of ``model``'s table that ``cls`` holds, in the order of its fields (those without a default)."""
    names = [f.name for f in fields(cls) if f.default is MISSING]
    return select(*(_STORED[name] if name in _STORED else getattr(model, name) for name in names))


def _rows(cls: type[RowT], result: Result[Any]) -> list[RowT]:
    # the select has exactly these columns; all() fetches them in one go
    return [cls(*row) for row in result.all()]  # type: ignore[call-arg]


@dataclass(slots=True, unsafe_hash=True)
class CitedPassage:
    """A piece of evidence with the passage it quotes, the source that passage is in, and the span of the
    paragraph(s) the passage stands in (``context_start``..``context_end`` of ``source.text``)."""

    evidence: EvidenceRow
    passage: PassageRow
    source: Source
    context_start: int
    context_end: int
    # The key of the source's latest version when a later one supersedes it (the evidence rests on an old text)
    latest: str | None = None

    @property
    def context(self) -> str:
        return self.source.text[self.context_start : self.context_end]

    @property
    def omits(self) -> bool:
        """Whether the quote leaves words out ("supplied ... were diverted"), so that it shows only parts of the
        passage."""
        return self.evidence.anchor_method is AnchorMethod.EXACT_OMISSION

    @property
    def quoted(self) -> str:
        """What the analyst quotes: the passage's text or, for a quote with left-out words, its parts with "…"
        between them (each the source's text)."""
        evidence = self.evidence
        return shown_quote(self.passage.text, evidence.quote, evidence.anchor_method)

    @property
    def parts(self) -> list[tuple[int, int]]:
        """The spans of the source's text the quote shows: the passage's, or each part of a quote with
        left-out words."""
        passage, evidence = self.passage, self.evidence
        if evidence.anchor_method is not AnchorMethod.EXACT_OMISSION:
            return [(passage.char_start, passage.char_end)]
        start = passage.char_start
        return [(start + s, start + e) for s, e in omission_parts(passage.text, evidence.quote)]

    @property
    def review(self) -> str | None:
        """Why the evidence needs review (``"fuzzy match 91/100"``), or None."""
        evidence = self.evidence
        return review_label(evidence.needs_review, evidence.anchor_method, evidence.anchor_score)


@dataclass(frozen=True)
class ConflictingClaim:
    claim: Claim
    contradiction: Contradiction


@dataclass(slots=True)
class ClaimReport:
    claim: Claim
    about: list[str] = field(default_factory=list)
    supporting: list[CitedPassage] = field(default_factory=list)
    contradicting: list[CitedPassage] = field(default_factory=list)
    mentioning: list[CitedPassage] = field(default_factory=list)
    conflicts: list[ConflictingClaim] = field(default_factory=list)
    # Two of its own passages that disagree: suggestions of `contradictions detect` the analyst confirmed
    conflicting_evidence: list[ContradictionSuggestion] = field(default_factory=list)
    assessment: Assessment = NOT_ASSESSED  # the likelihood computed from the evidence (provenance.assessment)

    @property
    def cited(self) -> list[CitedPassage]:
        return self.supporting + self.contradicting + self.mentioning

    @property
    def group(self) -> str:
        """The heading a report ordered by entity files this claim under: its first entity, by name."""
        return self.about[0] if self.about else "(no entity)"


@dataclass(frozen=True)
class Report:
    claims: list[ClaimReport]
    order: str = "key"
    selected: str | None = None  # the selection in words, when it leaves claims out (Selection.describe)

    @property
    def nothing(self) -> str:
        """What a report without claims says: that none matches its selection, or that none is recorded yet."""
        if self.selected is not None:
            return f"No claim matches this report's selection (claims {self.selected})."
        return "No claims recorded yet."

    @functools.cached_property
    def sources(self) -> list[Source]:
        """Every source the report quotes, once each, in order of first citation."""
        seen: dict[int, Source] = {}
        for entry in self.claims:
            for cited in entry.cited:
                seen.setdefault(cited.source.id, cited.source)
        return list(seen.values())

    def group_of(self, entry: ClaimReport) -> str | None:
        """The heading ``entry`` stands under when the report is ordered by entity or status, else None."""
        if self.order == "entity":
            return entry.group
        if self.order == "status":
            return entry.claim.status.value.replace("_", " ").capitalize()
        return None

    @property
    def contradictions(self) -> list[Contradiction]:
        """Every contradiction touching a claim in the report, once each."""
        seen: dict[int, Contradiction] = {}
        for entry in self.claims:
            for conflict in entry.conflicts:
                seen.setdefault(conflict.contradiction.id, conflict.contradiction)
        return sorted(seen.values(), key=lambda c: c.id)


def _claim_ids(session: Session, selection: Selection) -> tuple[Select[Any] | list[int], list[Claim] | None]:
    """A subquery of the selected claims' ids (so later queries need no growing IN list), and None; for claims
    chosen only by key (``claim show``), the list of their ids and the claims, as finding them by key read them:
    the later queries are then simpler, quicker to compile, and the claims are not read again."""
    chosen = [get_claim(session, key) for key in selection.keys]  # an unknown key is an error, not an empty report
    if chosen and not (selection.about or selection.statuses or selection.since is not None):
        claims = list({claim.id: claim for claim in chosen}.values())
        return [claim.id for claim in claims], claims
    query = select(Claim.id)
    if selection.keys:
        query = query.where(Claim.key.in_(selection.keys))
    if selection.about:
        entity_ids: list[int] = []
        for name in selection.about:
            found = find_entities(session, name)
            if not found:
                raise NotFound(f"no entity {name!r}; `provenance claim list` shows what claims are about")
            entity_ids += [e.id for e in found]
        query = query.where(Claim.entities.any(Entity.id.in_(entity_ids)))
    if selection.statuses:
        query = query.where(Claim.status.in_([parse_status(s) for s in selection.statuses]))
    if selection.since is not None:
        start = dt.datetime.combine(selection.since, dt.time(), tzinfo=dt.UTC)
        query = query.where(or_(Claim.created_at >= start, Claim.updated_at >= start))
    return query, None


# Reading or writing a report pauses the garbage collector (see provenance.collector).
bulk = collector.paused


def build_report(
    session: Session, keys: Sequence[str] = (), *, selection: Selection | None = None, order: str = "key"
) -> Report:
    """The selected claims (all by default) with their entities, evidence (and its context) and conflicts,
    ordered by key, or by entity or status and then key."""
    with bulk():
        return _build_report(session, keys, selection, order)


def _build_report(session: Session, keys: Sequence[str], selection: Selection | None, order: str) -> Report:
    if order not in ORDERS:
        raise Invalid(f"unknown order {order!r}; use one of: {', '.join(ORDERS)}")
    selection = selection or Selection(keys=keys)
    ids, chosen = _claim_ids(session, selection)
    claims = chosen if chosen is not None else session.scalars(select(Claim).where(Claim.id.in_(ids)))
    reports = {c.id: ClaimReport(c) for c in claims}
    if not reports:
        return Report([], order, selection.describe())

    for claim_id, name in session.execute(
        select(claim_entity.c.claim_id, Entity.name)
        .join(Entity, Entity.id == claim_entity.c.entity_id)
        .where(claim_entity.c.claim_id.in_(ids))
        .order_by(Entity.name_key)
    ):
        reports[claim_id].about.append(name)

    buckets: dict[Stance, str] = {
        Stance.SUPPORTS: "supporting",
        Stance.CONTRADICTS: "contradicting",
        Stance.MENTIONS: "mentioning",
    }
    # Plain rows, not ORM objects: a report of 10,000 claims reads 50,000 pieces of evidence and their passages.
    # They are read as Core statements on the session's connection (in its transaction, and after the claims
    # query above flushed the session): the session's ORM execution would take twice as long again over rows it
    # makes no objects for. Each source (and its text, which can be long) is loaded once, not once per piece of
    # evidence quoting it.
    connection = session.connection()
    evidence_rows = _rows(
        EvidenceRow, connection.execute(_select_rows(EvidenceRow, Evidence).where(Evidence.claim_id.in_(ids)))
    )
    cited_ids = select(Evidence.passage_id).where(Evidence.claim_id.in_(ids))
    passages = {
        p.id: p
        for p in _rows(
            PassageRow, connection.execute(_select_rows(PassageRow, Passage).where(Passage.id.in_(cited_ids)))
        )
    }
    cited_sources = select(Passage.source_id).where(Passage.id.in_(cited_ids))
    by_id = {s.id: s for s in session.scalars(select(Source).where(Source.id.in_(cited_sources)))}
    for passage in passages.values():
        passage.fill_from_source(by_id[passage.source_id].text)
    contexts = _contexts(connection, cited_sources, passages.values())
    latest = _latest_versions(connection, cited_sources)

    # Reading order: sources by date (undated last) and key, passages by position, then evidence by id. Each
    # passage's place is numbered once, so the 50,000 pieces of evidence sort on one integer each.
    dated = sorted(by_id.values(), key=lambda s: (s.published is None, s.published or dt.date.min, s.key))
    source_rank = {source.id: n for n, source in enumerate(dated)}
    places = sorted({(source_rank[p.source_id], p.char_start) for p in passages.values()})
    place_number = {place: n for n, place in enumerate(places)}
    span = max((e.id for e in evidence_rows), default=0) + 1
    position = {pid: place_number[source_rank[p.source_id], p.char_start] * span for pid, p in passages.items()}
    evidence_rows.sort(key=lambda e: position[e.passage_id] + e.id)

    # each passage with its source and context, once, for the pieces of evidence quoting it
    placed = {
        pid: (p, by_id[p.source_id], *contexts.get(pid, (p.char_start, p.char_end)), latest.get(p.source_id))
        for pid, p in passages.items()
    }
    for evidence in evidence_rows:
        cited = CitedPassage(evidence, *placed[evidence.passage_id])
        getattr(reports[evidence.claim_id], buckets[evidence.stance]).append(cited)

    _attach_conflicts(session, ids, reports)
    # the computed likelihood, from the evidence just read
    links, described = (
        load_links(session),
        {s.id: (s.id, s.key, s.reliability.value, s.retracted_at is not None) for s in by_id.values()},
    )
    for entry in reports.values():
        entry.assessment = assess_cited(entry.cited, described, links)
    return Report(sorted(reports.values(), key=_sort_key(order)), order, selection.describe())


def _contexts(
    connection: Connection, source_ids: Select[Any], passages: Iterable[PassageRow]
) -> dict[int, tuple[int, int]]:
    """For each passage, the span from the start of the first paragraph it touches to the end of the last; and
    each passage that stands in a paragraph that is a caption is marked so (``PassageRow.caption``).

    The paragraphs of the sources are read once, with whether each is a caption, and each passage's found by
    bisection (a join of every cited passage with its source's paragraphs, grouped, costs the database several
    times more).
    """
    starts: dict[int, list[int]] = defaultdict(list)
    ends: dict[int, list[int]] = defaultdict(list)
    captions: dict[int, list[bool]] = defaultdict(list)
    for source_id, start, end, caption in connection.execute(
        select(Passage.source_id, Passage.char_start, Passage.char_end, Caption.char_end.is_not(None))
        .outerjoin(Caption, (Caption.source_id == Passage.source_id) & (Caption.char_start == Passage.char_start))
        .where(Passage.kind == PassageKind.PARAGRAPH, Passage.source_id.in_(source_ids))
        .order_by(Passage.source_id, Passage.char_start)
    ):
        starts[source_id].append(start)
        ends[source_id].append(end)
        captions[source_id].append(bool(caption))
    # The largest end of the paragraphs up to each one (paragraphs do not overlap, but this does not rely on it)
    reach = {source_id: list(accumulate(source_ends, max)) for source_id, source_ends in ends.items()}
    contexts: dict[int, tuple[int, int]] = {}
    for passage in passages:
        source_starts = starts.get(passage.source_id)
        if source_starts is None:
            continue
        source_reach = reach[passage.source_id]
        # paragraphs [first, last) start before the passage ends; from `first` on, one ends after it starts
        last = bisect_left(source_starts, passage.char_end)
        first = bisect_right(source_reach, passage.char_start, 0, last)
        if first < last:
            contexts[passage.id] = (source_starts[first], source_reach[last - 1])
            # within one paragraph that is a caption (a caption's span is its paragraph's)
            passage.caption = last - first == 1 and captions[passage.source_id][first]
    return contexts


# Aliases made once: each builds a proxy of every column, which cost more than the queries using them.
_SOURCE_TABLE = Source.__table__
_LATER, _NEWEST = _SOURCE_TABLE.alias("later"), _SOURCE_TABLE.alias("newest")
_FIRST, _SECOND = aliased(Claim, name="first"), aliased(Claim, name="second")


def _latest_versions(connection: Connection, source_ids: Select[Any]) -> dict[int, str]:
    """For each of these sources that a later version supersedes, the key of its latest version (one recursive
    query, following ``supersedes_id`` forward from each)."""
    table, later, newest = _SOURCE_TABLE, _LATER, _NEWEST
    chain = select(table.c.id.label("origin"), table.c.id.label("id")).where(table.c.id.in_(source_ids))
    chain_cte = chain.cte("chain", recursive=True)
    chain_cte = chain_cte.union_all(
        select(chain_cte.c.origin, later.c.id).join(later, later.c.supersedes_id == chain_cte.c.id)
    )
    tails = (
        select(chain_cte.c.origin, table.c.key)
        .join(table, table.c.id == chain_cte.c.id)
        .where(chain_cte.c.origin != chain_cte.c.id, ~exists().where(newest.c.supersedes_id == chain_cte.c.id))
    )
    return {origin: key for origin, key in connection.execute(tails)}


def _attach_conflicts(session: Session, ids: Select[Any] | list[int], reports: dict[int, ClaimReport]) -> None:
    first, second = _FIRST, _SECOND
    by_claim: dict[int, list[ConflictingClaim]] = defaultdict(list)
    for pair, claim_a, claim_b in session.execute(
        select(Contradiction, first, second)
        .join(first, first.id == Contradiction.claim_a_id)
        .join(second, second.id == Contradiction.claim_b_id)
        .where(or_(Contradiction.claim_a_id.in_(ids), Contradiction.claim_b_id.in_(ids)))
        .order_by(Contradiction.id)
    ):
        by_claim[claim_a.id].append(ConflictingClaim(claim_b, pair))
        by_claim[claim_b.id].append(ConflictingClaim(claim_a, pair))
    for claim_id, conflicts in by_claim.items():
        if claim_id in reports:
            reports[claim_id].conflicts = sorted(conflicts, key=lambda c: c.claim.key)
    for suggestion in session.scalars(
        select(ContradictionSuggestion)
        .where(
            ContradictionSuggestion.status == SuggestionStatus.CONFIRMED,
            ContradictionSuggestion.claim_a_id == ContradictionSuggestion.claim_b_id,
            ContradictionSuggestion.claim_a_id.in_(ids),
        )
        .options(
            selectinload(ContradictionSuggestion.passage_a).selectinload(Passage.source),
            selectinload(ContradictionSuggestion.passage_b).selectinload(Passage.source),
        )
        .order_by(ContradictionSuggestion.id)
    ):
        if suggestion.claim_a_id in reports:
            reports[suggestion.claim_a_id].conflicting_evidence.append(suggestion)


def _sort_key(order: str) -> Any:
    if order == "entity":
        return lambda r: (r.group.casefold(), r.claim.key)
    if order == "status":
        return lambda r: (_STATUS_ORDER[r.claim.status], r.claim.key)
    return lambda r: r.claim.key


def load_events(session: Session) -> list[Event]:
    """The whole audit log, oldest first (for provenance graphs and bundles)."""
    return list(session.scalars(select(Event).order_by(Event.id)))
