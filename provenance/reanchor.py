"""Carrying evidence from one version of a source to another (``provenance reanchor OLD NEW``).

Each piece of evidence resting on a passage of OLD is looked up in NEW's text by the rules of
:func:`provenance.anchoring.anchor_quote`, its quote as the analyst entered it:

- **found exactly** (once, or once among several occurrences with the text around the old passage, its prefix
  and suffix, telling which): it moves to the passage of NEW covering that span, keeping its stance, likelihood
  and notes, with the method the new anchor was found by;
- **found fuzzily**: not exactly, but the closest text of NEW scores at least :data:`MIN_SCORE` (the same
  threshold ``evidence add --accept-fuzzy`` uses): it moves with that score and is marked as needing review;
- **not found** (nothing close enough, a quote with left-out words whose parts are not all there in order,
  several places matching that the old context does not tell apart, or the claim citing that passage of NEW
  already): it stays on OLD and is listed as orphaned, with the reason.

Nothing moves silently: the outcome of every piece is returned, and every move is logged under its claim
(``evidence.reanchor``: source keys, offsets, method and score before and after). Reanchoring is allowed from a
version to a later version of the same document; between unrelated sources (or backwards) only with ``force``.
Evidence already moved is no longer on OLD, so running it again moves nothing more.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from provenance import events
from provenance.anchoring import (
    DEFAULT_MIN_SCORE,
    FUZZY_MIN_LENGTH,
    Anchor,
    anchor_quote,
    closest_text,
    format_score,
    has_omission,
    trim_ellipses,
)
from provenance.claims import passage_for
from provenance.errors import Conflict, Invalid, NotFound
from provenance.models import AnchorMethod, Evidence, Passage, PassageKind, Source, utcnow
from provenance.sources import evidence_counts, get_source, versions

MIN_SCORE = DEFAULT_MIN_SCORE  # a fuzzy match this close (0-100) moves, marked for review; below, it stays

MOVED = "moved"
REVIEW = "needs_review"
ORPHANED = "orphaned"


@dataclass(frozen=True)
class Span:
    source: str
    char_start: int
    char_end: int
    anchor_method: str
    anchor_score: float | None
    needs_review: bool

    def record(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "char_start": self.char_start,
            "char_end": self.char_end,
            "anchor_method": self.anchor_method,
            "anchor_score": self.anchor_score,
            "needs_review": self.needs_review,
        }


@dataclass(frozen=True)
class Moved:
    """What became of one piece of evidence: ``outcome`` moved, needs_review (moved by a fuzzy match) or
    orphaned (left on the old version, ``reason`` saying why)."""

    evidence_id: int
    claim: str
    quote: str
    outcome: str
    before: Span
    after: Span | None = None
    reason: str | None = None

    def record(self) -> dict[str, Any]:
        return {
            "evidence_id": self.evidence_id,
            "claim": self.claim,
            "quote": self.quote,
            "outcome": self.outcome,
            "before": self.before.record(),
            "after": self.after.record() if self.after is not None else None,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class Reanchored:
    """The outcome of :func:`reanchor`: the two keys, whether they were unrelated, and every piece's fate."""

    old: str
    new: str
    forced: bool
    results: list[Moved]

    def count(self, outcome: str) -> int:
        return sum(1 for r in self.results if r.outcome == outcome)

    def summary(self) -> str:
        if not self.results:
            return f"no evidence rests on {self.old}; nothing to move"
        return (
            f"{len(self.results)} evidence on {self.old}: {self.count(MOVED)} moved to {self.new}, "
            f"{self.count(REVIEW)} moved for review, {self.count(ORPHANED)} orphaned (left on {self.old})"
        )

    def record(self) -> dict[str, Any]:
        return {
            "old": self.old,
            "new": self.new,
            "forced": self.forced,
            "moved": self.count(MOVED),
            "needs_review": self.count(REVIEW),
            "orphaned": self.count(ORPHANED),
            "evidence": [r.record() for r in self.results],
        }


def reanchor(session: Session, old_key: str, new_key: str, *, force: bool = False) -> Reanchored:
    """Carry every piece of evidence on source ``old_key`` over to ``new_key`` where its quote is found (see the
    module). Refusals (unknown keys, the same key twice, unrelated sources without ``force``) come before any
    write."""
    if old_key == new_key:
        raise Invalid(f"OLD and NEW are both {old_key!r}; name the version the evidence should move to as NEW")
    old, new = get_source(session, old_key), get_source(session, new_key)
    unrelated = _unrelated(session, old, new)
    if unrelated is not None and not force:
        raise Conflict(f"{unrelated}; add --force to move the evidence anyway")
    forced = unrelated is not None
    reason = f"reanchored from {old.key} to {new.key}" + (f" with --force ({unrelated})" if forced else "")
    paragraphs = [
        (p.char_start, p.char_end)
        for p in session.scalars(
            select(Passage)
            .where(Passage.source_id == new.id, Passage.kind == PassageKind.PARAGRAPH)
            .order_by(Passage.char_start)
        )
    ]
    evidence = session.scalars(
        select(Evidence)
        .join(Passage, Passage.id == Evidence.passage_id)
        .where(Passage.source_id == old.id)
        .options(selectinload(Evidence.claim), selectinload(Evidence.passage))
        .order_by(Evidence.id)
    ).all()
    results = [_carry(session, piece, old, new, paragraphs, reason) for piece in evidence]
    return Reanchored(old.key, new.key, forced, results)


def _unrelated(session: Session, old: Source, new: Source) -> str | None:
    """Why NEW is not a later version of OLD, or None if it is."""
    chain = versions(session, old.key)
    keys = [s.key for s in chain]
    if new.id not in {s.id for s in chain}:
        return (
            f"{new.key!r} is not a version of {old.key!r} (its versions: {', '.join(keys)}); reanchoring between "
            "unrelated sources would tie the quotes to another document"
        )
    if new.version < old.version:
        return f"{new.key!r} is an earlier version than {old.key!r}; evidence is carried forward, to a later version"
    return None


def _span(source: Source, passage: Passage, evidence: Evidence) -> Span:
    return Span(
        source.key,
        passage.char_start,
        passage.char_end,
        evidence.anchor_method.value,
        evidence.anchor_score,
        evidence.needs_review,
    )


def _carry(
    session: Session, evidence: Evidence, old: Source, new: Source, paragraphs: list[tuple[int, int]], reason: str
) -> Moved:
    claim, before_passage = evidence.claim, evidence.passage
    before = _span(old, before_passage, evidence)
    found = find_anchor(new, evidence.quote, before_passage, paragraphs)
    if isinstance(found, str):
        return Moved(evidence.id, claim.key, evidence.quote, ORPHANED, before, reason=found)
    passage = passage_for(session, new, found)
    taken = session.scalar(select(Evidence.id).where(Evidence.claim_id == claim.id, Evidence.passage_id == passage.id))
    if taken is not None:
        why = (
            f"claim {claim.key!r} already cites that passage of {new.key} (characters {passage.char_start}-"
            f"{passage.char_end}) as evidence {taken}"
        )
        return Moved(evidence.id, claim.key, evidence.quote, ORPHANED, before, reason=why)
    # A flag raised for some other reason than a fuzzy match stays raised; a fuzzy match is reviewed afresh.
    flagged = found.needs_review or (evidence.needs_review and evidence.anchor_method is not AnchorMethod.FUZZY)
    evidence.passage = passage
    evidence.anchor_method = found.method
    evidence.anchor_score = found.score
    evidence.needs_review = flagged
    claim.updated_at = utcnow()
    session.flush()
    after = _span(new, passage, evidence)
    events.record(
        session,
        "evidence.reanchor",
        "claim",
        claim.key,
        before={"evidence_id": evidence.id, **before.record()},
        after={"evidence_id": evidence.id, **after.record()},
        reason=reason,
    )
    return Moved(evidence.id, claim.key, evidence.quote, REVIEW if flagged else MOVED, before, after)


def find_anchor(new: Source, quote: str, old_passage: Passage, paragraphs: list[tuple[int, int]]) -> Anchor | str:
    """Where ``quote`` stands in ``new``'s text, by the rules of :func:`anchor_quote` (a fuzzy match accepted
    from :data:`MIN_SCORE`), the old passage's prefix and suffix choosing among several places; or, if it
    cannot be placed, why not."""
    text = new.text

    def attempt(prefix: str | None, suffix: str | None) -> Anchor:
        return anchor_quote(
            text,
            quote,
            source_key=new.key,
            prefix=prefix,
            suffix=suffix,
            min_score=MIN_SCORE,
            paragraphs=paragraphs,
        )

    try:
        return attempt(None, None)
    except NotFound:
        return _not_found(new, quote)
    except Invalid:
        pass  # several places match: the text around the old passage may choose one
    contexts = [(old_passage.prefix, old_passage.suffix), (old_passage.prefix, None), (None, old_passage.suffix)]
    for prefix, suffix in contexts:
        if not (prefix or suffix):
            continue
        try:
            return attempt(prefix or None, suffix or None)
        except (NotFound, Invalid):
            continue
    return (
        f"matches several places in {new.key}, and the text around it in the old version does not tell which; "
        f"add it by hand: `provenance evidence add CLAIM {new.key} --quote ... --occurrence N`"
    )


def _not_found(new: Source, quote: str) -> str:
    words = trim_ellipses(quote)
    if has_omission(quote):
        return f"the parts of the quote with left-out words are not all in {new.key}, in order within one paragraph"
    if len(words) < FUZZY_MIN_LENGTH:
        return f"not in {new.key} exactly (a quote shorter than {FUZZY_MIN_LENGTH} characters is matched only exactly)"
    near, score = closest_text(new.text, words)
    if not near:
        return f"not in {new.key}: it has no text to compare"
    return (
        f"not in {new.key}: the closest text, {' '.join(near.split())[:80]!r}, scores {format_score(score)}/100, "
        f"below the {format_score(MIN_SCORE)}/100 needed to move it for review"
    )


# --- offered when a new version is captured ------------------------------------------------------------


@dataclass(frozen=True)
class Offer:
    """Evidence resting on an older version of a source that now has a newer one, and the command moving it."""

    old: str
    new: str
    evidence: int

    @property
    def command(self) -> str:
        return f"provenance reanchor {self.old} {self.new}"

    def line(self) -> str:
        return f"{self.evidence} evidence rest on {self.old}; carry them over with: {self.command}"

    def record(self) -> dict[str, Any]:
        return {"from": self.old, "to": self.new, "evidence": self.evidence, "command": self.command}


def offers(session: Session, new_keys: list[str]) -> dict[str, list[Offer]]:
    """For each newly stored version named in ``new_keys``, the older versions of it that have evidence (oldest
    first), each with the ``reanchor`` command that would carry the evidence over."""
    found: dict[str, list[Offer]] = {}
    for key in new_keys:
        chain = versions(session, key)
        older = chain[: [s.key for s in chain].index(key)]
        counts = evidence_counts(session, [s.id for s in older]) if older else {}
        found[key] = [Offer(s.key, key, counts[s.id]) for s in older if counts.get(s.id)]
    return found
