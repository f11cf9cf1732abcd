"""Claims, the evidence for and against them, and contradictions between them.

The entities claims are about are in :mod:`provenance.entities`; its lookups are imported here for the claim
functions (and for callers that import them from here).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from typing import TypeVar

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from provenance import access, events
from provenance.access import Permission
from provenance.anchoring import Anchor, anchor_quote, check_min_score, has_omission, stored_quote
from provenance.confidence import parse_credibility, parse_likelihood
from provenance.entities import entity_names, get_or_create_entities
from provenance.entities import find_entities as find_entities  # report.py and others import it from here
from provenance.errors import Conflict, Forbidden, Invalid, NotFound
from provenance.locking import check_version
from provenance.models import (
    AnchorMethod,
    Claim,
    ClaimStatus,
    Contradiction,
    ContradictionKind,
    ContradictionStatus,
    Entity,
    Evidence,
    Passage,
    PassageKind,
    Source,
    Stance,
    Verdict,
    utcnow,
)
from provenance.search import matching_claim_ids
from provenance.text import optional_user_text, user_text

ChoiceT = TypeVar("ChoiceT", bound=enum.Enum)
MAX_ROW_ID = 2_147_483_647  # the largest id an INTEGER column holds on PostgreSQL: a larger one names no row


# --- claims -------------------------------------------------------------------------------------------


def claim_summary(claim: Claim) -> dict[str, object]:
    return {
        "key": claim.key,
        "statement": claim.statement,
        "status": claim.status.value,
        "verdict": claim.verdict.value if claim.verdict else None,
        "confidence": claim.confidence,
        "confidence_note": claim.confidence_note,
        "about": [e.name for e in claim.entities],
    }


def add_claim(
    session: Session,
    key: str,
    statement: str,
    *,
    about: Sequence[str] = (),
    confidence: str | float | None = None,
    confidence_note: str | None = None,
    status: str = ClaimStatus.UNSTARTED.value,
    verdict: str | None = None,
) -> Claim:
    """A new claim; its key must be unused. Status and verdict are given when importing reviewed claims; a verdict
    is recorded as set by the person acting (``Claim.verdict_by``), and a published claim needs one.

    Needs the permission to edit claims, and for a verdict or a status past unstarted the permissions a review
    giving them would need; in a desk of verified identities a claim cannot be added already published (publish
    it with a review, which holds the second-person rule)."""
    _require_for_new_claim(session, key, status, verdict)
    from provenance.sources import check_key  # loaded only to write: `claim show` needs none of it

    check_key(key, "claim")
    statement = user_text(statement, "statement")
    confidence_note = optional_user_text(confidence_note, "confidence note")
    if not statement:
        raise Invalid(f"claim {key!r} has an empty statement; say what is claimed")
    if session.scalar(select(Claim.id).where(Claim.key == key)) is not None:
        raise Conflict(f"claim {key!r} already exists; choose another key or `provenance claim show {key}`")
    probability = None if confidence is None else parse_likelihood(confidence)
    if probability is not None and not (confidence_note or "").strip():
        # a likelihood set by hand always comes with its reason, here as with `claim confidence`
        raise Invalid(
            f"claim {key!r} has a likelihood but no reason; say why with --confidence-note "
            "(confidence_note in a claims file)"
        )
    parsed_status = parse_status(status)
    parsed_verdict = None if verdict is None else parse_verdict(verdict)
    if parsed_status is ClaimStatus.PUBLISHED and parsed_verdict is None:
        raise Invalid(f"claim {key!r} is published but has no verdict; give its verdict too")
    now, actor = utcnow(), events.current_actor()
    claim = Claim(
        key=key,
        statement=statement,
        confidence=probability,
        confidence_note=confidence_note,
        status=parsed_status,
        verdict=parsed_verdict,
        # whoever records a verdict stands behind it: publishing needs someone else (provenance.workflow)
        verdict_by=None if parsed_verdict is None else actor,
        verdict_proven=parsed_verdict is not None and events.current().proven,
        created_at=now,
        created_by=actor,
        updated_at=now,
        entities=get_or_create_entities(session, about),
    )
    session.add(claim)
    session.flush()
    added = claim_summary(claim)
    if parsed_verdict is not None:
        added["verdict_by"] = claim.verdict_by
    events.record(session, "claim.add", "claim", key, after=added)
    return claim


def _require_for_new_claim(session: Session, key: str, status: str, verdict: str | None) -> None:
    """What adding a claim with ``status`` and ``verdict`` needs, checked before anything is read or written."""
    access.require(Permission.EDIT_CLAIMS)
    parsed = parse_status(status)
    if parsed is ClaimStatus.PUBLISHED:
        access.require(Permission.PUBLISH)
        if access.identities_verified(session):
            raise Forbidden(
                f"claim {key!r} cannot be added already published: this desk's identities are verified, so a claim "
                "is published by a review, by someone other than whoever set its verdict; add it unpublished "
                "(leave out its status, or give 'in review') and publish it with `provenance review`"
            )
    elif parsed is ClaimStatus.WITHDRAWN:
        access.require(Permission.WITHDRAW_CLAIMS)
    elif parsed is not ClaimStatus.UNSTARTED:
        access.require(Permission.REVIEW)
    if verdict is not None:
        access.require(Permission.SET_VERDICT)


def get_claim(session: Session, key: str) -> Claim:
    # no key holds a NUL character (check_key), and PostgreSQL refuses one even in a query
    claim = None if "\x00" in key else session.scalar(select(Claim).where(Claim.key == key))
    if claim is None:
        raise NotFound(f"no claim {key!r}; `provenance claim list` shows the keys")
    return claim


def list_claims(session: Session, about: str | None = None, search: str | None = None) -> list[Claim]:
    """Claims ordered by key; with ``about``, those about the entity (or entities) of that name or alias; with
    ``search``, those whose key or statement matches that full-text query."""
    return list(session.scalars(claims_query(session, about, search)))


def claims_query(session: Session, about: str | None = None, search: str | None = None) -> Select[Claim]:
    """The query :func:`list_claims` runs, for callers that narrow it further (or read it a page at a time)."""
    query = select(Claim).options(selectinload(Claim.entities)).order_by(Claim.key)
    if search is not None:
        query = query.where(Claim.id.in_(matching_claim_ids(session, search)))
    if about is not None:
        entities = find_entities(session, about)
        if not entities:
            known = ", ".join(entity_names(session)) or "nothing yet"
            raise NotFound(f"no entity {about!r}; claims are about: {known}")
        ids = [e.id for e in entities]
        query = query.where(Claim.entities.any(Entity.id.in_(ids)))
    return query


# --- evidence -----------------------------------------------------------------------------------------


def _choice(enum_type: type[ChoiceT], value: str, what: str) -> ChoiceT:
    try:
        return enum_type(value.strip().lower().replace(" ", "_").replace("-", "_"))
    except ValueError:
        choices = ", ".join(m.value.replace("_", " ") for m in enum_type)
        raise Invalid(f"unknown {what} {value!r}; use one of: {choices}") from None


def parse_status(value: str) -> ClaimStatus:
    return _choice(ClaimStatus, value, "status")


def parse_verdict(value: str) -> Verdict:
    return _choice(Verdict, value, "verdict")


def parse_stance(value: str) -> Stance:
    return _choice(Stance, value, "stance")


def passage_for(session: Session, source: Source, anchor: Anchor) -> Passage:
    """The passage covering exactly the anchored span: a sentence or paragraph if one matches, else a quote."""
    existing = {
        p.kind: p
        for p in session.scalars(
            select(Passage).where(
                Passage.source_id == source.id,
                Passage.char_start == anchor.start,
                Passage.char_end == anchor.end,
            )
        )
    }
    for kind in (PassageKind.SENTENCE, PassageKind.PARAGRAPH, PassageKind.QUOTE):
        if kind in existing:
            return existing[kind]
    holder = session.scalar(
        select(Passage)
        .where(
            Passage.source_id == source.id,
            Passage.kind == PassageKind.PARAGRAPH,
            Passage.char_start <= anchor.start,
        )
        .order_by(Passage.char_start.desc())
        .limit(1)
    )
    # The page of the sentence the quote starts in (paragraphs may run across pages).
    page_no = session.scalar(
        select(Passage.page_no)
        .where(
            Passage.source_id == source.id,
            Passage.kind == PassageKind.SENTENCE,
            Passage.char_start <= anchor.start,
        )
        .order_by(Passage.char_start.desc())
        .limit(1)
    )
    from provenance.sources import make_passage

    passage = make_passage(
        source, anchor.start, anchor.end, PassageKind.QUOTE, holder.paragraph_no if holder else 1, page_no=page_no
    )
    session.add(passage)
    session.flush()
    return passage


def add_evidence(
    session: Session,
    claim_key: str,
    source_key: str,
    quote: str,
    *,
    stance: str,
    confidence: str | float | None = None,
    attributed_to: str | None = None,
    note: str | None = None,
    prefix: str | None = None,
    suffix: str | None = None,
    occurrence: int | None = None,
    credibility: str | int | None = None,
    accept_fuzzy: bool = False,
    min_score: float | None = None,
    expected_version: int | None = None,
) -> Evidence:
    """Link a claim to the passage of ``source_key`` that ``quote`` stands for.

    A quote not in the source exactly is stored only if the analyst accepts the closest text: with
    ``accept_fuzzy`` (if it scores at least :data:`provenance.anchoring.DEFAULT_MIN_SCORE`) or ``min_score``;
    the evidence is then marked as needing review (see :func:`confirm_evidence`). With ``expected_version``,
    refused unless the claim is still at that version.
    """
    access.require(Permission.ADD_EVIDENCE)
    check_min_score(min_score)
    quote = user_text(quote, "quote", fold=False)
    prefix = optional_user_text(prefix, "prefix", fold=False)
    suffix = optional_user_text(suffix, "suffix", fold=False)
    attributed_to = optional_user_text(attributed_to, "attribution")
    note = optional_user_text(note, "note")
    claim = get_claim(session, claim_key)
    check_version(claim, expected_version)
    from provenance.sources import get_source  # loaded only to write: `claim show` needs none of it

    source = get_source(session, source_key)
    parsed_stance = parse_stance(stance)
    probability = None if confidence is None else parse_likelihood(confidence)
    information = None if credibility is None else parse_credibility(credibility)
    anchor = anchor_quote(
        source.text,
        quote,
        source_key=source.key,
        prefix=prefix,
        suffix=suffix,
        occurrence=occurrence,
        accept_fuzzy=accept_fuzzy,
        min_score=min_score,
        paragraphs=_paragraph_spans(session, source) if has_omission(quote) else None,
    )
    passage = passage_for(session, source, anchor)
    duplicate = session.scalar(select(Evidence).where(Evidence.claim_id == claim.id, Evidence.passage_id == passage.id))
    if duplicate is not None:
        raise Conflict(
            f"claim {claim.key!r} already cites that passage of {source.key!r} "
            f"(characters {passage.char_start}-{passage.char_end}, as {duplicate.stance.value})"
        )
    evidence = Evidence(
        claim=claim,
        passage=passage,
        stance=parsed_stance,
        confidence=probability,
        attributed_to=attributed_to,
        quote=stored_quote(source.text, quote, anchor),  # normalised as the source is: see docs/quotes.md
        anchor_method=anchor.method,
        anchor_score=anchor.score,
        needs_review=anchor.needs_review,
        credibility=information,
        note=note,
        created_at=utcnow(),
        created_by=events.current_actor(),
    )
    session.add(evidence)
    claim.updated_at = utcnow()
    session.flush()
    events.record(
        session,
        "evidence.add",
        "claim",
        claim.key,
        after={
            "evidence_id": evidence.id,
            "source": source.key,
            "char_start": passage.char_start,
            "char_end": passage.char_end,
            "stance": parsed_stance.value,
            "confidence": probability,
            "attributed_to": evidence.attributed_to,
            "anchor_method": anchor.method.value,
            "anchor_score": anchor.score,
            "needs_review": anchor.needs_review,
            "credibility": information,
        },
    )
    return evidence


def _paragraph_spans(session: Session, source: Source) -> list[tuple[int, int]]:
    """The source's paragraphs as (start, end), which a quote with left-out words must stay within."""
    rows = session.execute(
        select(Passage.char_start, Passage.char_end)
        .where(Passage.source_id == source.id, Passage.kind == PassageKind.PARAGRAPH)
        .order_by(Passage.char_start)
    )
    return [(start, end) for start, end in rows]


def get_evidence(session: Session, evidence_id: int) -> Evidence:
    evidence = session.get(Evidence, evidence_id) if 0 < evidence_id <= MAX_ROW_ID else None
    if evidence is None:
        raise NotFound(
            f"no evidence {evidence_id}; `provenance evidence list` and `provenance claim show CLAIM --json` "
            "show evidence ids"
        )
    return evidence


def confirm_evidence(session: Session, evidence_id: int, *, note: str, expected_version: int | None = None) -> Evidence:
    """Clear the evidence's review flag once an analyst has checked that its passage is what the quote meant.

    The note (what was checked) is required; the change goes into the event log with the flag before and after.
    With ``expected_version``, refused unless the evidence's claim is still at that version.
    """
    access.require(Permission.CONFIRM_EVIDENCE)
    evidence = get_evidence(session, evidence_id)
    check_version(evidence.claim, expected_version)
    reason = optional_user_text(note, "note")
    if reason is None:
        raise Invalid("say what you checked with --note, e.g. --note 'same words; the quote had curly quotes'")
    if not evidence.needs_review:
        done = " was reviewed already" if evidence.anchor_method is AnchorMethod.FUZZY else " does not need review"
        raise Conflict(
            f"evidence {evidence_id} ({evidence.anchor_method.value.replace('_', ' ')} match){done}; nothing to confirm"
        )
    state = {
        "evidence_id": evidence.id,
        "source": evidence.passage.source.key,
        "char_start": evidence.passage.char_start,
        "char_end": evidence.passage.char_end,
        "anchor_method": evidence.anchor_method.value,
        "anchor_score": evidence.anchor_score,
    }
    evidence.needs_review = False
    evidence.claim.updated_at = utcnow()
    session.flush()
    events.record(
        session,
        "evidence.confirm",
        "claim",
        evidence.claim.key,
        before={**state, "needs_review": True},
        after={**state, "needs_review": False},
        reason=reason,
    )
    return evidence


def list_evidence(session: Session, *, claim_key: str | None = None, needs_review: bool = False) -> list[Evidence]:
    """Evidence by id, with its claim, passage and source loaded; only one claim's, or only what needs review."""
    query = (
        select(Evidence)
        .options(selectinload(Evidence.claim), selectinload(Evidence.passage).selectinload(Passage.source))
        .order_by(Evidence.id)
    )
    if claim_key is not None:
        query = query.where(Evidence.claim_id == get_claim(session, claim_key).id)
    if needs_review:
        query = query.where(Evidence.needs_review.is_(True))
    return list(session.scalars(query))


# --- contradictions -----------------------------------------------------------------------------------


def parse_kind(value: str) -> ContradictionKind:
    return _choice(ContradictionKind, value, "contradiction kind")


def add_contradiction(
    session: Session,
    key_a: str,
    key_b: str,
    *,
    note: str | None = None,
    kind: str = ContradictionKind.DIRECT.value,
    passages: tuple[Passage | None, Passage | None] = (None, None),
) -> Contradiction:
    """Record that two claims cannot both be true (stored once per pair, whichever order is given), what they
    disagree on (``kind``: direct, numeric, temporal or attribution) and, when known, the passage of each side
    (``passages``, in the order of the keys)."""
    access.require(Permission.SUGGEST)
    if key_a == key_b:
        raise Invalid(f"a claim cannot contradict itself ({key_a!r}); name two different claims")
    parsed_kind = parse_kind(kind)
    claims = (get_claim(session, key_a), get_claim(session, key_b))
    (first, first_passage), (second, second_passage) = sorted(zip(claims, passages, strict=True), key=lambda s: s[0].id)
    existing = session.scalar(
        select(Contradiction).where(Contradiction.claim_a_id == first.id, Contradiction.claim_b_id == second.id)
    )
    if existing is not None:
        raise Conflict(f"claims {key_a!r} and {key_b!r} are already recorded as contradicting each other")
    now = utcnow()
    contradiction = Contradiction(
        claim_a=first,
        claim_b=second,
        kind=parsed_kind,
        status=ContradictionStatus.OPEN,
        note=optional_user_text(note, "note"),
        passage_a=first_passage,
        passage_b=second_passage,
        created_at=now,
        created_by=events.current_actor(),
        updated_at=now,
    )
    session.add(contradiction)
    session.flush()
    events.record(
        session,
        "contradiction.add",
        "contradiction",
        f"{first.key}|{second.key}",
        after={
            "claims": [first.key, second.key],
            "kind": parsed_kind.value,
            "status": "open",
            "note": contradiction.note,
            "passage_ids": [contradiction.passage_a_id, contradiction.passage_b_id],
        },
    )
    return contradiction
