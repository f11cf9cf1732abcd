"""Evidence: a claim's evidence, adding it (a quote as ``evidence add`` takes it, or W3C selectors), confirming
evidence that needs review.

A passage is named either as the command line names it (``quote`` with ``prefix``, ``suffix``, ``occurrence``) or
by W3C Web Annotation selectors (``selector``): a TextQuoteSelector (``exact``, ``prefix``, ``suffix``) and/or a
TextPositionSelector (``start``, ``end``, code points of the source's stored text). A position alone stands for
the words at those characters; given with a quote, both must select the same words. Either way the quote is
anchored by :func:`provenance.claims.add_evidence`, as ``evidence add`` anchors it, so the same words give the
same characters whichever door they came through.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Header, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Session

from provenance import anchoring, assessment, claims
from provenance.access import Permission
from provenance.errors import Invalid, NotFound
from provenance.export import records, text
from provenance.models import Evidence
from provenance.web.deps import DeskDep, needs
from provenance.web.negotiate import DEFAULT_LIMIT, answer, page

router = APIRouter(tags=["evidence"])

QUOTE_SELECTOR = "TextQuoteSelector"
POSITION_SELECTOR = "TextPositionSelector"


def expected_version(if_match: str | None) -> int | None:
    """The claim version an optional ``If-Match: "<version>"`` names (None without one, or for ``*``)."""
    if if_match is None or if_match.strip() == "*":
        return None
    value = if_match.strip()
    digits = value[1:-1] if len(value) > 2 and value[0] == value[-1] == '"' else ""
    if not (digits.isascii() and digits.isdigit()):
        raise Invalid(
            f'If-Match takes the claim\'s ETag as it was read, e.g. "3" (with the quotes), not {value!r}; '
            "GET /api/v1/claims/KEY gives it"
        )
    return int(digits)


@dataclass(frozen=True)
class Selected:
    """What W3C selectors say of a passage: the quoted words and their context, and/or their characters."""

    exact: str | None = None
    prefix: str | None = None
    suffix: str | None = None
    start: int | None = None
    end: int | None = None


def _text_field(selector: dict[str, Any], name: str, *, required: bool = False) -> str | None:
    value = selector.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise Invalid(f"the {selector.get('type')}'s {name!r} must be a string of the source's text")
    return value


def _number_field(selector: dict[str, Any], name: str) -> int:
    value = selector.get(name)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise Invalid(f"the TextPositionSelector's {name!r} must be a whole number of characters from 0, not {value!r}")
    return value


def read_selectors(selector: Any) -> Selected:
    """A TextQuoteSelector and/or a TextPositionSelector (one object, or a list of them) as :class:`Selected`."""
    given = selector if isinstance(selector, list) else [selector]
    found: dict[str, dict[str, Any]] = {}
    for item in given:
        kind = item.get("type") if isinstance(item, dict) else None
        if kind not in (QUOTE_SELECTOR, POSITION_SELECTOR):
            raise Invalid(
                f"a selector of type {kind!r} is not taken here; give a {QUOTE_SELECTOR} (exact, prefix, suffix) "
                f"and/or a {POSITION_SELECTOR} (start, end)"
            )
        if kind in found:
            raise Invalid(f"give one {kind}, not several")
        found[kind] = item
    if not found:
        raise Invalid(f"the selector list is empty; give a {QUOTE_SELECTOR} and/or a {POSITION_SELECTOR}")
    quote, position = found.get(QUOTE_SELECTOR), found.get(POSITION_SELECTOR)
    selected = Selected()
    if quote is not None:
        selected = Selected(
            _text_field(quote, "exact", required=True), _text_field(quote, "prefix"), _text_field(quote, "suffix")
        )
    if position is not None:
        start, end = _number_field(position, "start"), _number_field(position, "end")
        selected = Selected(selected.exact, selected.prefix, selected.suffix, start, end)
    return selected


@dataclass(frozen=True)
class Quote:
    """A passage named as ``evidence add`` takes it."""

    quote: str
    prefix: str | None = None
    suffix: str | None = None
    occurrence: int | None = None


def quote_of(session: Session, source_key: str, selected: Selected) -> Quote:
    """The quote, prefix, suffix and occurrence that make ``evidence add`` anchor what ``selected`` selects."""
    if selected.start is None or selected.end is None:
        assert selected.exact is not None
        return Quote(selected.exact, selected.prefix, selected.suffix)
    from provenance.sources import get_source

    try:
        source = get_source(session, source_key)
    except NotFound as exc:
        raise Invalid(str(exc)) from exc
    words, occurrence = anchoring.position_choice(
        source.text,
        selected.start,
        selected.end,
        source_key=source.key,
        quote=selected.exact,
        prefix=selected.prefix,
        suffix=selected.suffix,
    )
    return Quote(words, selected.prefix, selected.suffix, occurrence)


class EvidenceIn(BaseModel):
    """New evidence: what ``evidence add`` takes, the passage named by ``quote`` or by W3C ``selector``."""

    model_config = ConfigDict(extra="forbid")

    source: str
    stance: str
    quote: str | None = None
    prefix: str | None = None
    suffix: str | None = None
    occurrence: int | None = None
    selector: list[dict[str, Any]] | dict[str, Any] | None = None
    confidence: str | float | None = None
    credibility: str | int | None = None
    attributed_to: str | None = None
    note: str | None = None
    accept_fuzzy: bool = False
    min_score: float | None = None


class ConfirmationIn(BaseModel):
    """What the reviewer checked (``evidence confirm --note``)."""

    model_config = ConfigDict(extra="forbid")

    note: str


def _named(body: EvidenceIn, session: Session) -> Quote:
    if body.selector is not None:
        if body.quote is not None or body.prefix is not None or body.suffix is not None or body.occurrence is not None:
            raise Invalid("name the passage once: either quote (with prefix, suffix, occurrence) or selector, not both")
        return quote_of(session, body.source, read_selectors(body.selector))
    if body.quote is None:
        raise Invalid(
            "say which passage: give quote (the source's exact words) or a W3C selector "
            f"({QUOTE_SELECTOR} and/or {POSITION_SELECTOR})"
        )
    return Quote(body.quote, body.prefix, body.suffix, body.occurrence)


def add(
    session: Session,
    claim_key: str,
    source_key: str,
    named: Quote,
    *,
    stance: str,
    version: int | None = None,
    **assessed: Any,
) -> tuple[Evidence, list[str]]:
    """Evidence added as ``evidence add`` adds it, and what that command says on stderr. The claim must exist
    (404); a source or a quote that cannot be found is what was sent being wrong (422)."""
    claims.get_claim(session, claim_key)
    before = assessment.claim_likelihood(session, claim_key)
    try:
        evidence = claims.add_evidence(
            session,
            claim_key,
            source_key,
            named.quote,
            stance=stance,
            prefix=named.prefix,
            suffix=named.suffix,
            occurrence=named.occurrence,
            expected_version=version,
            **assessed,
        )
    except NotFound as exc:
        raise Invalid(str(exc)) from exc
    notices = text.evidence_added_warnings(source_key, named.quote, evidence)
    notices.append(assessment.effect_of(session, evidence, before).describe())
    return evidence, notices


@router.get("/claims/{key}/evidence", **needs(Permission.READ))
def list_evidence(
    key: str,
    request: Request,
    desk: DeskDep,
    needs_review: bool = False,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> JSONResponse:
    """A claim's evidence by id, as `provenance evidence list --claim KEY --json` prints it (``needs_review``: only
    what waits for review)."""
    with desk.reading() as session:
        found = claims.list_evidence(session, claim_key=key, needs_review=needs_review)
        chosen, headers = page(request, found, lambda e: (e.id,), cursor=cursor, limit=limit)
        return JSONResponse([records.evidence_record(e) for e in chosen], headers=headers)


@router.get("/evidence/{evidence_id}", **needs(Permission.READ))
def show_evidence(evidence_id: int, desk: DeskDep) -> dict[str, Any]:
    """One piece of evidence, as `provenance evidence list --json` prints it."""
    with desk.reading() as session:
        return records.evidence_record(claims.get_evidence(session, evidence_id))


@router.post("/claims/{key}/evidence", status_code=201, **needs(Permission.ADD_EVIDENCE))
def add_evidence(
    key: str,
    body: EvidenceIn,
    request: Request,
    desk: DeskDep,
    if_match: Annotated[str | None, Header()] = None,
) -> Response:
    """Link the claim to a passage, as `provenance evidence add KEY SOURCE --quote ... --json` does; text/plain:
    that command's line. With If-Match, refused (412) unless the claim is still at that version."""
    version = expected_version(if_match)
    with desk.writing() as session:
        claims.get_claim(session, key)  # a claim that is not there is the address being wrong (404)
        evidence, notices = add(
            session,
            key,
            body.source,
            _named(body, session),
            stance=body.stance,
            version=version,
            confidence=body.confidence,
            credibility=body.credibility,
            attributed_to=body.attributed_to,
            note=body.note,
            accept_fuzzy=body.accept_fuzzy,
            min_score=body.min_score,
        )
        record = records.evidence_added_record(key, body.source, evidence)
        line = text.evidence_added(key, body.source, evidence)
        location = f"{request.url_for('show_evidence', evidence_id=evidence.id).path}"
    return answer(request, record, lambda: line, status=201, headers={"Location": location}, notices=notices)


@router.post("/evidence/{evidence_id}/confirmation", **needs(Permission.CONFIRM_EVIDENCE))
def confirm_evidence(
    evidence_id: int,
    body: ConfirmationIn,
    request: Request,
    desk: DeskDep,
    if_match: Annotated[str | None, Header()] = None,
) -> Response:
    """Clear the review flag of evidence that needs review, as `provenance evidence confirm ID --note ...` does."""
    version = expected_version(if_match)
    with desk.writing() as session:
        evidence = claims.confirm_evidence(session, evidence_id, note=body.note, expected_version=version)
        claim_key = evidence.claim.key
    record = {"evidence_id": evidence_id, "claim": claim_key, "needs_review": False}
    return answer(request, record, lambda: f"evidence {evidence_id} of {claim_key}: reviewed")
