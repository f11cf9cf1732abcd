"""Gathering what a cited report shows, in a fixed number of queries however many claims there are.

This module only reads. The formats in :mod:`provenance.export` turn a :class:`Report` into text.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from provenance.claims import get_claim
from provenance.models import Claim, Contradiction, Entity, Evidence, Passage, Source, Stance, claim_entity


@dataclass(frozen=True)
class CitedPassage:
    """A piece of evidence with the passage it quotes and the source that passage is in."""

    evidence: Evidence
    passage: Passage
    source: Source


@dataclass(frozen=True)
class ConflictingClaim:
    claim: Claim
    contradiction: Contradiction


@dataclass
class ClaimReport:
    claim: Claim
    about: list[str] = field(default_factory=list)
    supporting: list[CitedPassage] = field(default_factory=list)
    contradicting: list[CitedPassage] = field(default_factory=list)
    mentioning: list[CitedPassage] = field(default_factory=list)
    conflicts: list[ConflictingClaim] = field(default_factory=list)


@dataclass(frozen=True)
class Report:
    claims: list[ClaimReport]

    @property
    def sources(self) -> list[Source]:
        """Every source the report quotes, once each, in order of first citation."""
        seen: dict[int, Source] = {}
        for entry in self.claims:
            for cited in entry.supporting + entry.contradicting + entry.mentioning:
                seen.setdefault(cited.source.id, cited.source)
        return list(seen.values())


def build_report(session: Session, keys: Sequence[str] = ()) -> Report:
    """All claims (or those with ``keys``) ordered by key, with their entities, evidence and conflicts."""
    for key in keys:
        get_claim(session, key)  # an unknown key is an error, not an empty report
    claim_query = select(Claim).order_by(Claim.key)
    if keys:
        claim_query = claim_query.where(Claim.key.in_(keys))
    reports = {c.id: ClaimReport(c) for c in session.scalars(claim_query)}
    if not reports:
        return Report([])
    ids = list(reports)

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
    for evidence, passage, source in session.execute(
        select(Evidence, Passage, Source)
        .join(Passage, Passage.id == Evidence.passage_id)
        .join(Source, Source.id == Passage.source_id)
        .where(Evidence.claim_id.in_(ids))
        .order_by(
            Evidence.claim_id,
            Source.published.is_(None),
            Source.published,
            Source.key,
            Passage.char_start,
            Evidence.id,
        )
    ):
        getattr(reports[evidence.claim_id], buckets[evidence.stance]).append(CitedPassage(evidence, passage, source))

    others_needed: set[int] = set()
    pairs = list(
        session.scalars(
            select(Contradiction)
            .where(or_(Contradiction.claim_a_id.in_(ids), Contradiction.claim_b_id.in_(ids)))
            .order_by(Contradiction.id)
        )
    )
    for pair in pairs:
        others_needed.update((pair.claim_a_id, pair.claim_b_id))
    known = {c.claim.id: c.claim for c in reports.values()}
    missing = others_needed - set(known)
    if missing:
        known.update({c.id: c for c in session.scalars(select(Claim).where(Claim.id.in_(missing)))})
    by_claim: dict[int, list[ConflictingClaim]] = defaultdict(list)
    for pair in pairs:
        by_claim[pair.claim_a_id].append(ConflictingClaim(known[pair.claim_b_id], pair))
        by_claim[pair.claim_b_id].append(ConflictingClaim(known[pair.claim_a_id], pair))
    for claim_id, conflicts in by_claim.items():
        if claim_id in reports:
            reports[claim_id].conflicts = sorted(conflicts, key=lambda c: c.claim.key)
    return Report(list(reports.values()))
