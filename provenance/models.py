"""The schema: sources and their passages, claims, the evidence linking them, contradictions, entities, events.

Names follow a fact-checker's words. Offsets are Unicode code points into ``Source.text`` with the end
exclusive, as in the W3C Web Annotation TextPositionSelector. Only types that behave the same on SQLite
and PostgreSQL are used; every constraint gets a predictable name from the naming convention.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timezone-aware UTC timestamp on every backend (SQLite stores it naive; we put the zone back)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; provenance stores UTC-aware timestamps only")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _enum(cls: type[enum.Enum], name: str, *, constraint: bool = True) -> Enum:
    """A VARCHAR with a named CHECK constraint, storing each member's value (not its Python name).

    ``constraint=False`` leaves the CHECK to the table (see :func:`_one_of`)."""
    return Enum(
        cls,
        name=name,
        native_enum=False,
        create_constraint=constraint,
        length=32,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


def _one_of(column: str, cls: type[enum.Enum], name: str) -> CheckConstraint:
    """``column`` holds one of the values of ``cls``, tested as ``a = x OR a = y ...``: SQLite builds a
    temporary index for an ``IN (x, y, z)`` list each time it checks a row, which made that one CHECK the
    costliest part of inserting passages in bulk (about 2 microseconds a row)."""
    return CheckConstraint(" OR ".join(f"{column} = '{member.value}'" for member in cls), name=name)


class Reliability(enum.StrEnum):
    """Admiralty-scale source reliability."""

    A = "A"
    B = "B"
    C = "C"
    D = "D"
    E = "E"
    F = "F"


# A passage's context, in characters either side of it: what a W3C TextQuoteSelector's prefix and suffix hold.
CONTEXT_CHARS = 32


class PassageKind(enum.StrEnum):
    PARAGRAPH = "paragraph"
    SENTENCE = "sentence"
    QUOTE = "quote"


class ClaimStatus(enum.StrEnum):
    """Where a claim stands in the fact-checking workflow."""

    UNSTARTED = "unstarted"
    IN_PROGRESS = "in_progress"
    IN_REVIEW = "in_review"
    PUBLISHED = "published"
    INCONCLUSIVE = "inconclusive"
    WITHDRAWN = "withdrawn"


class Verdict(enum.StrEnum):
    """The published rating of a claim."""

    TRUE = "true"
    MOSTLY_TRUE = "mostly_true"
    MIXED = "mixed"
    MOSTLY_FALSE = "mostly_false"
    FALSE = "false"
    UNPROVEN = "unproven"


class Stance(enum.StrEnum):
    """How a passage bears on a claim."""

    SUPPORTS = "supports"
    CONTRADICTS = "contradicts"
    MENTIONS = "mentions"


class AnchorMethod(enum.StrEnum):
    """How a quote was found in its source's text."""

    EXACT = "exact"  # the quote occurs exactly once
    EXACT_CONTEXT = "exact_context"  # several occurrences; the given prefix/suffix chose one
    EXACT_OCCURRENCE = "exact_occurrence"  # several occurrences; the analyst chose the Nth
    EXACT_OMISSION = "exact_omission"  # a quote with "..." for omitted words: each part found exactly, in order
    FUZZY = "fuzzy"  # an approximate match the analyst accepted (scored)


class ContradictionStatus(enum.StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"
    DISMISSED = "dismissed"


class ContradictionKind(enum.StrEnum):
    """What two statements disagree on."""

    DIRECT = "direct"  # one says what the other denies
    NUMERIC = "numeric"  # a number or an amount
    TEMPORAL = "temporal"  # a date, a year or a duration
    ATTRIBUTION = "attribution"  # who said or did it


class Role(enum.StrEnum):
    """What a desk member may do: each role may do everything the one before it may (provenance.access)."""

    VIEWER = "viewer"
    RESEARCHER = "researcher"
    REVIEWER = "reviewer"
    EDITOR = "editor"
    ADMIN = "admin"


class Identity(enum.StrEnum):
    """How the person a change is logged under was known to be who they are."""

    DECLARED = "declared"  # a name given on the command line (--as, $PROVENANCE_USER, the system user)
    SIGNED_IN = "signed-in"  # an account, proven by its password at sign-in (a session of the desk's server)
    TOKEN = "token"  # an account, proven by one of its API tokens
    OPERATOR = "operator"  # someone with the database's own credentials, in a desk whose identities are verified


class SuggestionStatus(enum.StrEnum):
    """What the analyst made of a suggested contradiction."""

    OPEN = "open"
    CONFIRMED = "confirmed"
    DISMISSED = "dismissed"


claim_entity = Table(
    "claim_entity",
    Base.metadata,
    Column("claim_id", ForeignKey("claim.id", ondelete="CASCADE"), primary_key=True),
    Column("entity_id", ForeignKey("entity.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Source(Base):
    """One captured document, immutable once stored; every offset in its passages refers to ``text``."""

    __tablename__ = "source"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)  # at most 64 characters, then "@N" for versions
    title: Mapped[str | None] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(Text)
    publisher: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text, index=True)
    published: Mapped[dt.date | None] = mapped_column(Date, index=True)  # reports and searches filter by it
    captured_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, server_default=func.now())
    captured_by: Mapped[str | None] = mapped_column(Text)
    origin: Mapped[str | None] = mapped_column(Text, index=True)  # the path or address it was read from
    media_type: Mapped[str] = mapped_column(String(64), server_default="text/plain")
    text: Mapped[str] = mapped_column(Text)
    text_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    original_sha256: Mapped[str] = mapped_column(String(64))
    reliability: Mapped[Reliability] = mapped_column(
        _enum(Reliability, "reliability"), server_default=Reliability.F.value
    )
    reliability_note: Mapped[str | None] = mapped_column(Text)
    # Versions: a changed document from the same origin is stored anew and supersedes the version before it.
    # Version 1 has the key it was given; version N > 1 is keyed "KEY@N", so a key always names one text.
    version: Mapped[int] = mapped_column(Integer, server_default="1")
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("source.id", ondelete="RESTRICT"), unique=True)
    # A source with evidence is never deleted: it is retracted, with who, when and why, and reports say so.
    retracted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    retracted_by: Mapped[str | None] = mapped_column(Text)
    retraction_reason: Mapped[str | None] = mapped_column(Text)

    passages: Mapped[list[Passage]] = relationship(
        back_populates="source", order_by="Passage.char_start", passive_deletes=True
    )
    supersedes: Mapped[Source | None] = relationship(remote_side=[id])

    __table_args__ = (
        CheckConstraint("length(key) > 0", name="key_not_empty"),
        CheckConstraint("length(text) > 0", name="text_not_empty"),
        CheckConstraint("version >= 1", name="version_positive"),
    )


class Passage(Base):
    """A span of one source's text: a paragraph, a sentence, or a quote that is not a whole sentence."""

    __tablename__ = "passage"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id", ondelete="RESTRICT"))
    kind: Mapped[PassageKind] = mapped_column(_enum(PassageKind, "kind", constraint=False))
    char_start: Mapped[int] = mapped_column(Integer)
    char_end: Mapped[int] = mapped_column(Integer)
    # Where a reader finds it: the paragraph holding its start (1-based) and, for sentences, which sentence.
    paragraph_no: Mapped[int] = mapped_column(Integer)
    sentence_no: Mapped[int | None] = mapped_column(Integer)
    # The page holding its start, for paged documents (PDF); None otherwise.
    page_no: Mapped[int | None] = mapped_column(Integer)
    # The words, stored for sentences (the search index reads them) and quotes; NULL for paragraphs, whose words
    # are read from the source. ``text`` gives them for every kind.
    stored_text: Mapped[str | None] = mapped_column("text", Text)

    source: Mapped[Source] = relationship(back_populates="passages")

    @property
    def text(self) -> str:
        """The passage's words: ``source.text[char_start:char_end]``."""
        if self.stored_text is not None:
            return self.stored_text
        return self.source.text[self.char_start : self.char_end]

    @property
    def prefix(self) -> str:
        """The characters of the source just before the passage (at most :data:`CONTEXT_CHARS`)."""
        return self.source.text[max(0, self.char_start - CONTEXT_CHARS) : self.char_start]

    @property
    def suffix(self) -> str:
        """The characters of the source just after the passage (at most :data:`CONTEXT_CHARS`)."""
        return self.source.text[self.char_end : self.char_end + CONTEXT_CHARS]

    __table_args__ = (
        # One index serves both uniqueness and reading a source's passages in order (by source and start).
        UniqueConstraint("source_id", "char_start", "char_end", "kind"),
        _one_of("kind", PassageKind, "kind"),
        CheckConstraint("char_start >= 0", name="start_not_negative"),
        CheckConstraint("char_end > char_start", name="end_after_start"),
        CheckConstraint("length(text) = char_end - char_start", name="text_length_matches_offsets"),
        CheckConstraint(
            "(kind = 'paragraph' AND text IS NULL) OR (kind <> 'paragraph' AND text IS NOT NULL)",
            name="text_stored_unless_paragraph",
        ),
        CheckConstraint("paragraph_no >= 1", name="paragraph_no_positive"),
    )


class Entity(Base):
    """A person, organisation, country or thing that claims are about."""

    __tablename__ = "entity"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    # casefolded, single-spaced name: "north  Korea" and "North Korea" are one entity
    name_key: Mapped[str] = mapped_column(String(200), unique=True)

    claims: Mapped[list[Claim]] = relationship(secondary=claim_entity, back_populates="entities")
    aliases: Mapped[list[EntityAlias]] = relationship(
        back_populates="entity", order_by="EntityAlias.name_key", passive_deletes=True
    )


class Claim(Base):
    """A statement a fact-checker is checking, with its workflow status, verdict and likelihood."""

    __tablename__ = "claim"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    statement: Mapped[str] = mapped_column(Text)
    status: Mapped[ClaimStatus] = mapped_column(
        _enum(ClaimStatus, "status"), server_default=ClaimStatus.UNSTARTED.value
    )
    verdict: Mapped[Verdict | None] = mapped_column(_enum(Verdict, "verdict"))
    # The analyst's overall likelihood for the claim (ICD 203 bands) and why.
    confidence: Mapped[float | None] = mapped_column(Float)
    confidence_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, server_default=func.now())
    created_by: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, server_default=func.now())
    # Who the claim is assigned to (a name as given), and who last set its verdict: publishing needs a reviewer
    # other than that person (unless the desk works alone).
    assignee: Mapped[str | None] = mapped_column(Text)
    verdict_by: Mapped[str | None] = mapped_column(Text)
    # Whether verdict_by was a proven identity (an account signed in or using a token) when it set the verdict:
    # in a desk whose identities are verified only proven identities count for the second-person rule.
    verdict_proven: Mapped[bool] = mapped_column(Boolean, server_default="0")
    # Raised by every change through the ORM; a change made from a stale copy fails instead of overwriting.
    version: Mapped[int] = mapped_column(Integer, server_default="1")

    entities: Mapped[list[Entity]] = relationship(
        secondary=claim_entity, back_populates="claims", order_by="Entity.name_key"
    )
    evidence: Mapped[list[Evidence]] = relationship(back_populates="claim", order_by="Evidence.id")

    __table_args__ = (
        CheckConstraint("length(key) > 0", name="key_not_empty"),
        CheckConstraint("confidence >= 0 AND confidence <= 1", name="confidence_probability"),
    )
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (SQLAlchemy reads it from the class)


class Evidence(Base):
    """A passage linked to a claim: what it says about the claim, how likely it is true, and who says it."""

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claim.id", ondelete="RESTRICT"), index=True)
    passage_id: Mapped[int] = mapped_column(ForeignKey("passage.id", ondelete="RESTRICT"), index=True)
    stance: Mapped[Stance] = mapped_column(_enum(Stance, "stance"))
    confidence: Mapped[float | None] = mapped_column(Float)
    attributed_to: Mapped[str | None] = mapped_column(Text)
    quote: Mapped[str] = mapped_column(Text)  # as the analyst entered it
    anchor_method: Mapped[AnchorMethod] = mapped_column(_enum(AnchorMethod, "anchor_method"))
    anchor_score: Mapped[float | None] = mapped_column(Float)
    # A fuzzy anchor, or anything else an analyst must look at again before the evidence is relied on.
    needs_review: Mapped[bool] = mapped_column(Boolean, server_default="0")
    # The information's credibility on the Admiralty scale, 1 (confirmed) to 6 (cannot be judged).
    credibility: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, server_default=func.now())
    created_by: Mapped[str | None] = mapped_column(Text)
    # Set when ``reanchor`` could not carry the evidence to a newer version of its source: it stays on the version
    # it cites, and this says why (the passage is gone, or the close match changes a number, date or name).
    orphaned_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    orphaned_reason: Mapped[str | None] = mapped_column(Text)

    claim: Mapped[Claim] = relationship(back_populates="evidence")
    passage: Mapped[Passage] = relationship()

    __table_args__ = (
        UniqueConstraint("claim_id", "passage_id"),
        CheckConstraint("confidence >= 0 AND confidence <= 1", name="confidence_probability"),
        CheckConstraint("anchor_score >= 0 AND anchor_score <= 100", name="anchor_score_range"),
        CheckConstraint("credibility >= 1 AND credibility <= 6", name="credibility_scale"),
    )


class Contradiction(Base):
    """Two claims that cannot both be true. The pair is stored once, lower claim id first."""

    __tablename__ = "contradiction"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_a_id: Mapped[int] = mapped_column(ForeignKey("claim.id", ondelete="RESTRICT"))
    claim_b_id: Mapped[int] = mapped_column(ForeignKey("claim.id", ondelete="RESTRICT"), index=True)
    kind: Mapped[ContradictionKind] = mapped_column(
        _enum(ContradictionKind, "kind"), server_default=ContradictionKind.DIRECT.value
    )
    status: Mapped[ContradictionStatus] = mapped_column(
        _enum(ContradictionStatus, "status"), server_default=ContradictionStatus.OPEN.value
    )
    note: Mapped[str | None] = mapped_column(Text)
    resolution: Mapped[str | None] = mapped_column(Text)  # why it was resolved or dismissed
    # The statements that disagree, when known (e.g. from a confirmed suggestion): a passage of each side.
    passage_a_id: Mapped[int | None] = mapped_column(ForeignKey("passage.id", ondelete="RESTRICT"))
    passage_b_id: Mapped[int | None] = mapped_column(ForeignKey("passage.id", ondelete="RESTRICT"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, server_default=func.now())
    created_by: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, server_default=func.now())

    claim_a: Mapped[Claim] = relationship(foreign_keys=[claim_a_id])
    claim_b: Mapped[Claim] = relationship(foreign_keys=[claim_b_id])
    passage_a: Mapped[Passage | None] = relationship(foreign_keys=[passage_a_id])
    passage_b: Mapped[Passage | None] = relationship(foreign_keys=[passage_b_id])

    __table_args__ = (
        UniqueConstraint("claim_a_id", "claim_b_id"),
        CheckConstraint("claim_a_id < claim_b_id", name="ordered_pair"),
    )


class ContradictionSuggestion(Base):
    """Two passages that may disagree, found by ``contradictions detect``, for the analyst to confirm or
    dismiss. Kept once per pair of passages (lower passage id first), so a dismissed pair is not suggested
    again."""

    __tablename__ = "contradiction_suggestion"

    id: Mapped[int] = mapped_column(primary_key=True)
    passage_a_id: Mapped[int] = mapped_column(ForeignKey("passage.id", ondelete="RESTRICT"))
    passage_b_id: Mapped[int] = mapped_column(ForeignKey("passage.id", ondelete="RESTRICT"), index=True)
    # The claims whose evidence the passages are (the same claim when both are evidence for one claim).
    claim_a_id: Mapped[int | None] = mapped_column(ForeignKey("claim.id", ondelete="RESTRICT"))
    claim_b_id: Mapped[int | None] = mapped_column(ForeignKey("claim.id", ondelete="RESTRICT"))
    kind: Mapped[ContradictionKind] = mapped_column(_enum(ContradictionKind, "kind"))
    reason: Mapped[str] = mapped_column(Text)  # e.g. "1998 against 1999"
    score: Mapped[float] = mapped_column(Float)  # 0..1, how sure the detector is
    status: Mapped[SuggestionStatus] = mapped_column(
        _enum(SuggestionStatus, "status"), server_default=SuggestionStatus.OPEN.value
    )
    contradiction_id: Mapped[int | None] = mapped_column(ForeignKey("contradiction.id", ondelete="RESTRICT"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, server_default=func.now())
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    decided_by: Mapped[str | None] = mapped_column(Text)

    passage_a: Mapped[Passage] = relationship(foreign_keys=[passage_a_id])
    passage_b: Mapped[Passage] = relationship(foreign_keys=[passage_b_id])

    __table_args__ = (
        UniqueConstraint("passage_a_id", "passage_b_id"),
        CheckConstraint("passage_a_id < passage_b_id", name="ordered_pair"),
        CheckConstraint("score >= 0 AND score <= 1", name="score_range"),
    )


class SourceDerivation(Base):
    """A source that repeats another (a report re-running a wire story): for confidence they count once."""

    __tablename__ = "source_derivation"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id", ondelete="CASCADE"))
    derived_from_id: Mapped[int] = mapped_column(ForeignKey("source.id", ondelete="CASCADE"), index=True)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, server_default=func.now())
    created_by: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        UniqueConstraint("source_id", "derived_from_id"),
        CheckConstraint("source_id <> derived_from_id", name="not_itself"),
    )


class EntityAlias(Base):
    """Another name of an entity ("DPRK" for North Korea); names and aliases are unique across both."""

    __tablename__ = "entity_alias"

    id: Mapped[int] = mapped_column(primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entity.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(Text)
    name_key: Mapped[str] = mapped_column(String(200), unique=True)  # as Entity.name_key

    entity: Mapped[Entity] = relationship(back_populates="aliases")


class Caption(Base):
    """A span of a source's text that is a caption (of a picture, a chart or a table), not the article's running
    text: kept in the text where the page shows it, as a paragraph of its own, and marked here."""

    __tablename__ = "caption"

    source_id: Mapped[int] = mapped_column(ForeignKey("source.id", ondelete="RESTRICT"), primary_key=True)
    char_start: Mapped[int] = mapped_column(Integer, primary_key=True)
    char_end: Mapped[int] = mapped_column(Integer)

    __table_args__ = (CheckConstraint("char_start >= 0 AND char_end > char_start", name="span_not_empty"),)


class WebCapture(Base):
    """How a source captured from the web was obtained: the page's bytes as received (gzip-compressed), the address
    asked for and the one answered from after redirects, when, the HTTP status and the headers that say which copy
    it is. Written once with its source and never changed; ``provenance source archive`` writes it out as WARC."""

    __tablename__ = "web_capture"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id", ondelete="RESTRICT"), unique=True)
    requested_url: Mapped[str] = mapped_column(Text)
    final_url: Mapped[str] = mapped_column(Text)
    fetched_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    status: Mapped[int] = mapped_column(Integer)
    content_type: Mapped[str | None] = mapped_column(Text)
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    # The bytes of the response body as received (after any Content-Encoding was undone), gzip-compressed.
    content_gzip: Mapped[bytes] = mapped_column(LargeBinary)
    content_length: Mapped[int] = mapped_column(Integer)  # uncompressed; its SHA-256 is source.original_sha256
    # The WARC file it was read from, when it was not fetched by provenance itself.
    archive_file: Mapped[str | None] = mapped_column(Text)

    source: Mapped[Source] = relationship()

    __table_args__ = (
        CheckConstraint("status >= 100 AND status <= 599", name="http_status"),
        CheckConstraint("content_length >= 0", name="content_length_not_negative"),
    )


class Setting(Base):
    """A desk-wide setting, e.g. whether publishing needs a second person ("review.second_person")."""

    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, server_default=func.now())
    updated_by: Mapped[str | None] = mapped_column(Text)


class Event(Base):
    """One change, appended by the domain layer and never updated: who did what to which thing, when, and why.

    Each event is a link of a hash chain (see :mod:`provenance.logchain`): ``seq`` is its place in the chain and
    ``hash`` the SHA-256 of its content and of the hash before it, both set once, when the transaction that wrote
    it commits (:mod:`provenance.events`); ``state`` holds the digests of the rows that transaction left, on its
    last event. ``migrated`` marks the events that were already in the log when the chain was added: they were
    hashed then, not as each was written."""

    __tablename__ = "event"

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, server_default=func.now())
    actor: Mapped[str] = mapped_column(Text)
    action: Mapped[str] = mapped_column(String(64))  # e.g. "claim.add", "evidence.add"
    subject_type: Mapped[str] = mapped_column(String(32))  # source, claim, evidence, contradiction, entity
    subject_key: Mapped[str] = mapped_column(Text)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    reason: Mapped[str | None] = mapped_column(Text)
    seq: Mapped[int | None] = mapped_column(Integer)
    hash: Mapped[str | None] = mapped_column(String(64))
    state: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    migrated: Mapped[bool] = mapped_column(Boolean, server_default="0")
    # How the actor was known (Identity); None on events written before accounts existed (declared names).
    identity: Mapped[str | None] = mapped_column(String(16))

    __table_args__ = (
        Index("ix_event_subject", "subject_type", "subject_key"),
        Index("ix_event_seq", "seq", unique=True),
    )


class Account(Base):
    """A desk member who signs in: never deleted (the audit log names them), disabled instead."""

    __tablename__ = "account"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)  # what they sign in with and the log names them by
    display_name: Mapped[str] = mapped_column(Text)
    role: Mapped[Role] = mapped_column(_enum(Role, "role"))
    active: Mapped[bool] = mapped_column(Boolean, server_default="1")
    # Argon2id, in the PHC string form argon2-cffi writes (parameters and salt included).
    password_hash: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, server_default=func.now())
    created_by: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, server_default=func.now())
    disabled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (CheckConstraint("length(name) > 0", name="name_not_empty"),)


class DeskSession(Base):
    """One sign-in to the desk's server: the browser keeps a random id in a cookie, the desk only its SHA-256."""

    __tablename__ = "desk_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="RESTRICT"), index=True)
    secret_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, server_default=func.now())
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)  # signed out, or the account disabled
    client_address: Mapped[str | None] = mapped_column(Text)

    account: Mapped[Account] = relationship()


class ApiToken(Base):
    """A token an account uses instead of signing in (the command line after ``provenance login``, scripts):
    256 random bits, shown once when made; the desk keeps only its SHA-256."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="RESTRICT"), index=True)
    label: Mapped[str] = mapped_column(Text)
    secret_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, server_default=func.now())
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    account: Mapped[Account] = relationship()


class SignInAttempt(Base):
    """One try at signing in, kept to slow down and then refuse guessing, per account name and per address."""

    __tablename__ = "sign_in_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(Text)  # as typed, casefolded: an unknown name counts too
    client_address: Mapped[str] = mapped_column(Text)
    attempted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, server_default=func.now())
    succeeded: Mapped[bool] = mapped_column(Boolean)

    __table_args__ = (
        Index("ix_sign_in_attempt_name", "name", "attempted_at"),
        Index("ix_sign_in_attempt_client_address", "client_address", "attempted_at"),
    )
