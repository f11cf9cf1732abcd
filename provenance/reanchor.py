"""Carrying evidence from one version of a source to another (``provenance reanchor OLD NEW``).

Each piece of evidence resting on a passage of OLD is looked up in NEW's text by the rules of
:func:`provenance.anchoring.anchor_quote`, its quote as the analyst entered it:

- **found exactly** (once, or once among several occurrences with the text around the old passage, its prefix
  and suffix, telling which): it moves to the passage of NEW covering that span, keeping its stance, likelihood
  and notes, with the method the new anchor was found by;
- **found fuzzily**: not exactly, but the closest text of NEW scores at least :data:`MIN_SCORE` (the same
  threshold ``evidence add --accept-fuzzy`` uses) and says what the old passage said (the same numbers, dates,
  amounts, negations and names: :mod:`provenance.meaning`): it moves with that score and is marked as needing
  review;
- **not moved**: the close match changes the meaning ("the close match in aid@2 changes 12% to 9.4%": the stance
  the analyst gave the old words would be given to other words), the passage is no longer in NEW (nothing close
  enough), a quote with left-out words whose parts are not all there in order, several places matching that the
  old context does not tell apart, or the claim citing that passage of NEW already: it stays on OLD, orphaned,
  with the reason.

Nothing moves silently: the outcome of every piece is returned, and every move is logged under its claim
(``evidence.reanchor``: source keys, offsets, method and score before and after). Evidence left behind by a
reanchor to a later version is marked orphaned (``Evidence.orphaned_at`` and ``orphaned_reason``) and logged
(``evidence.orphan``, with the changed words); a later reanchor that moves it clears the mark, and one that
leaves it for the same reason writes nothing. Reanchoring is allowed from a version to a later version of the
same document; between unrelated sources (or backwards) only with ``force``, and what such a run leaves behind
is not marked orphaned (it was not left behind by a newer version of its text). Evidence already moved is no
longer on OLD, so running it again moves nothing more.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from provenance import access, events, meaning
from provenance.access import Permission
from provenance.anchoring import (
    DEFAULT_MIN_SCORE,
    FUZZY_MIN_LENGTH,
    Anchor,
    anchor_quote,
    closest_text,
    format_score,
    has_omission,
    stored_quote,
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
    # what the close match in the new version would have changed, when that is why the evidence stayed
    changes: tuple[meaning.Change, ...] = field(default=())

    def record(self) -> dict[str, Any]:
        return {
            "evidence_id": self.evidence_id,
            "claim": self.claim,
            "quote": self.quote,
            "outcome": self.outcome,
            "before": self.before.record(),
            "after": self.after.record() if self.after is not None else None,
            "reason": self.reason,
            "changes": [change.record() for change in self.changes],
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
    access.require(Permission.REVIEW)
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
    names = cache(lambda: meaning.KnownNames.load(session))  # read once, and only if a close match is checked
    results = [_carry(session, piece, old, new, paragraphs, reason, names, mark=not forced) for piece in evidence]
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
    session: Session,
    evidence: Evidence,
    old: Source,
    new: Source,
    paragraphs: list[tuple[int, int]],
    reason: str,
    names: Callable[[], meaning.KnownNames],
    *,
    mark: bool,
) -> Moved:
    """Move one piece of evidence to ``new``, or leave it (marked orphaned when ``mark``), and say which."""
    claim, before_passage = evidence.claim, evidence.passage
    before = _span(old, before_passage, evidence)

    def stays(why: str, changes: tuple[meaning.Change, ...] = ()) -> Moved:
        if mark:
            _orphan(session, evidence, before, new, why, changes)
        return Moved(evidence.id, claim.key, evidence.quote, ORPHANED, before, reason=why, changes=changes)

    found = find_anchor(new, evidence.quote, before_passage, paragraphs)
    if isinstance(found, str):
        return stays(found)
    if found.method is AnchorMethod.FUZZY:
        old_words = meaning.whole(old.text, before_passage.char_start, before_passage.char_end)
        changes = tuple(meaning.changes(old_words, meaning.whole(new.text, found.start, found.end), names()))
        if changes:
            return stays(f"the close match in {new.key} {meaning.describe(changes)}", changes)
    passage = passage_for(session, new, found)
    taken = session.scalar(select(Evidence.id).where(Evidence.claim_id == claim.id, Evidence.passage_id == passage.id))
    if taken is not None:
        return stays(
            f"claim {claim.key!r} already cites that passage of {new.key} (characters {passage.char_start}-"
            f"{passage.char_end}) as evidence {taken}"
        )
    # A flag raised for some other reason than a fuzzy match stays raised; a fuzzy match is reviewed afresh.
    flagged = found.needs_review or (evidence.needs_review and evidence.anchor_method is not AnchorMethod.FUZZY)
    was_orphaned = evidence.orphaned_reason
    evidence.passage = passage
    # kept in the form of the new text, so that an exact quote is still its passage's words character for character
    evidence.quote = stored_quote(new.text, evidence.quote, found)
    evidence.anchor_method = found.method
    evidence.anchor_score = found.score
    evidence.needs_review = flagged
    evidence.orphaned_at = evidence.orphaned_reason = None
    claim.updated_at = utcnow()
    session.flush()
    after = _span(new, passage, evidence)
    orphaned = {"orphaned_reason": was_orphaned} if was_orphaned is not None else {}
    events.record(
        session,
        "evidence.reanchor",
        "claim",
        claim.key,
        before={"evidence_id": evidence.id, **before.record(), **orphaned},
        after={"evidence_id": evidence.id, **after.record()},
        reason=reason,
    )
    return Moved(evidence.id, claim.key, evidence.quote, REVIEW if flagged else MOVED, before, after)


def _orphan(
    session: Session, evidence: Evidence, before: Span, new: Source, why: str, changes: tuple[meaning.Change, ...]
) -> None:
    """Mark ``evidence`` as left on its version by a reanchor to ``new``, and log it; nothing is written when it
    is marked so already for the same reason."""
    if evidence.orphaned_reason == why:
        return
    previous = evidence.orphaned_reason
    evidence.orphaned_at = utcnow()
    evidence.orphaned_reason = why
    session.flush()
    events.record(
        session,
        "evidence.orphan",
        "claim",
        evidence.claim.key,
        before={"evidence_id": evidence.id, **before.record(), "orphaned_reason": previous},
        after={
            "evidence_id": evidence.id,
            **before.record(),
            "orphaned_reason": why,
            "changes": [change.record() for change in changes],
        },
        reason=f"left on {before.source} by reanchor to {new.key}",
    )


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
    gone = f"the passage is no longer in {new.key}"
    if len(words) < FUZZY_MIN_LENGTH:
        return f"{gone} (a quote shorter than {FUZZY_MIN_LENGTH} characters is looked for only exactly)"
    near, score = closest_text(new.text, words)
    if not near:
        return f"{gone}: it has no text"
    return (
        f"{gone}: the closest text, {' '.join(near.split())[:80]!r}, scores {format_score(score)}/100, below the "
        f"{format_score(MIN_SCORE)}/100 a move needs"
    )


# --- offered when a new version is captured ------------------------------------------------------------


@dataclass(frozen=True)
class Offer:
    """Evidence resting on an older version of a source that now has a newer one (``orphaned`` of it left there
    by an earlier reanchor, which the new text may hold again), and the command moving it."""

    old: str
    new: str
    evidence: int
    orphaned: int = 0

    @property
    def command(self) -> str:
        return f"provenance reanchor {self.old} {self.new}"

    def line(self) -> str:
        left = f" ({self.orphaned} of them left there by an earlier reanchor)" if self.orphaned else ""
        return f"{self.evidence} evidence rest on {self.old}{left}; carry them over with: {self.command}"

    def record(self) -> dict[str, Any]:
        return {
            "from": self.old,
            "to": self.new,
            "evidence": self.evidence,
            "orphaned": self.orphaned,
            "command": self.command,
        }


def offers(session: Session, new_keys: list[str]) -> dict[str, list[Offer]]:
    """For each newly stored version named in ``new_keys``, the older versions of it that have evidence (oldest
    first), each with the ``reanchor`` command that would carry the evidence over."""
    found: dict[str, list[Offer]] = {}
    for key in new_keys:
        chain = versions(session, key)
        older = chain[: [s.key for s in chain].index(key)]
        ids = [s.id for s in older]
        counts = evidence_counts(session, ids) if older else {}
        orphaned = _orphaned_counts(session, ids) if counts else {}
        found[key] = [Offer(s.key, key, counts[s.id], orphaned.get(s.id, 0)) for s in older if counts.get(s.id)]
    return found


def _orphaned_counts(session: Session, source_ids: list[int]) -> dict[int, int]:
    """How many evidence marked orphaned rest on passages of each of these sources."""
    rows = session.execute(
        select(Passage.source_id, func.count(Evidence.id))
        .join(Evidence, Evidence.passage_id == Passage.id)
        .where(Passage.source_id.in_(source_ids), Evidence.orphaned_reason.is_not(None))
        .group_by(Passage.source_id)
    )
    return {source_id: n for source_id, n in rows}
