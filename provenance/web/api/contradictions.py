"""Contradictions between claims and suggested contradictions between cited passages: listing, recording,
detecting and deciding them, as ``provenance contradiction ...`` does.

A contradiction is named here by its number (``id`` in its record); the command line names it by its two claims.
Deciding one is a POST of ``{"decision": "resolve" | "dismiss", "note": ...}`` to its ``decision``; a suggestion
takes ``{"decision": "confirm" | "dismiss", "note": ...}``.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Session

from provenance import claims, contradictions
from provenance.access import Permission
from provenance.claims import MAX_ROW_ID
from provenance.errors import Invalid, NotFound
from provenance.export import conflicts
from provenance.models import Contradiction, ContradictionSuggestion
from provenance.web.deps import DeskDep, needs
from provenance.web.negotiate import DEFAULT_LIMIT, page

router = APIRouter(tags=["contradictions"])


class ContradictionIn(BaseModel):
    """Two claims that cannot both be true (``contradiction add A B --kind --note``)."""

    model_config = ConfigDict(extra="forbid")

    claims: list[str]
    kind: str = "direct"
    note: str | None = None


class ContradictionDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["resolve", "dismiss"]
    note: str | None = None


class SuggestionDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["confirm", "dismiss"]
    note: str | None = None


class DetectIn(BaseModel):
    """Run the detector (``contradictions detect``), on every cited passage or those of one claim."""

    model_config = ConfigDict(extra="forbid")

    claim: str | None = None


def _contradiction(session: Session, contradiction_id: int) -> Contradiction:
    found = session.get(Contradiction, contradiction_id) if 0 < contradiction_id <= MAX_ROW_ID else None
    if found is None:
        raise NotFound(f"no contradiction {contradiction_id}; GET /api/v1/contradictions lists them with their ids")
    return found


def _suggestion_records(session: Session, found: list[ContradictionSuggestion]) -> list[dict[str, Any]]:
    by_id = contradictions.claims_of(session, found)
    notes = contradictions.decision_notes(session, found)
    return [conflicts.suggestion_record(s, by_id, notes.get(s.id)) for s in found]


@router.get("/contradictions", **needs(Permission.READ))
def list_contradictions(
    request: Request,
    desk: DeskDep,
    status: str | None = None,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> JSONResponse:
    """Contradictions by their claims' keys, as `provenance contradiction list --json` prints them; ``status``:
    only those open, resolved or dismissed."""
    with desk.reading() as session:
        found = contradictions.list_contradictions(session, status)
        chosen, headers = page(request, found, lambda c: (c.claim_a.key, c.claim_b.key), cursor=cursor, limit=limit)
        return JSONResponse([conflicts.contradiction_record(c) for c in chosen], headers=headers)


@router.get("/contradictions/{contradiction_id}", **needs(Permission.READ))
def show_contradiction(contradiction_id: int, desk: DeskDep) -> dict[str, Any]:
    """One contradiction, as `provenance contradiction list --json` prints it."""
    with desk.reading() as session:
        return conflicts.contradiction_record(_contradiction(session, contradiction_id))


@router.post("/contradictions", status_code=201, **needs(Permission.SUGGEST))
def add_contradiction(body: ContradictionIn, request: Request, desk: DeskDep) -> JSONResponse:
    """Record that two claims contradict each other, as `provenance contradiction add A B --json` does."""
    if len(body.claims) != 2:
        raise Invalid(f"claims takes the keys of the two claims that contradict each other, not {len(body.claims)}")
    with desk.writing() as session:
        contradiction = claims.add_contradiction(
            session, body.claims[0], body.claims[1], note=body.note, kind=body.kind
        )
        record = conflicts.contradiction_record(contradiction)
    location = request.url_for("show_contradiction", contradiction_id=record["id"]).path
    return JSONResponse(record, status_code=201, headers={"Location": location})


@router.post("/contradictions/{contradiction_id}/decision", **needs(Permission.DECIDE_CONTRADICTIONS))
def decide_contradiction(contradiction_id: int, body: ContradictionDecision, desk: DeskDep) -> dict[str, Any]:
    """Resolve or dismiss an open contradiction, with a note saying how or why (`provenance contradiction resolve
    A B --note ...`, `... dismiss A B --note ...`)."""
    with desk.writing() as session:
        found = _contradiction(session, contradiction_id)
        decide = (
            contradictions.resolve_contradiction if body.decision == "resolve" else contradictions.dismiss_contradiction
        )
        decided = decide(session, found.claim_a.key, found.claim_b.key, body.note)
        return conflicts.contradiction_record(decided)


@router.get("/suggestions", **needs(Permission.READ))
def list_suggestions(
    request: Request,
    desk: DeskDep,
    status: str = Query("open", description="open, confirmed, dismissed, or all"),
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> JSONResponse:
    """Suggested contradictions, most certain first, as `provenance contradictions suggestions --json` prints them."""
    with desk.reading() as session:
        found = contradictions.list_suggestions(session, None if status.strip().lower() == "all" else status)
        chosen, headers = page(request, found, lambda s: (-s.score, s.id), cursor=cursor, limit=limit)
        return JSONResponse(_suggestion_records(session, chosen), headers=headers)


@router.post("/suggestions", **needs(Permission.SUGGEST))
def detect_suggestions(body: DetectIn, desk: DeskDep) -> list[dict[str, Any]]:
    """Look for cited passages that disagree and record each new pair as a suggestion, as `provenance
    contradictions detect --json` does: the new suggestions."""
    with desk.writing() as session:
        return _suggestion_records(session, contradictions.detect(session, body.claim))


@router.post("/suggestions/{suggestion_id}/decision", **needs(Permission.DECIDE_CONTRADICTIONS))
def decide_suggestion(suggestion_id: int, body: SuggestionDecision, desk: DeskDep) -> dict[str, Any]:
    """Confirm a suggestion (recording the contradiction between its claims, or keeping its passages as one
    claim's conflicting evidence) or dismiss it with a note, as `provenance contradictions confirm ID` and
    `... dismiss ID --note ...` do."""
    with desk.writing() as session:
        if body.decision == "confirm":
            decided = contradictions.confirm_suggestion(session, suggestion_id, body.note)
        else:
            decided = contradictions.dismiss_suggestion(session, suggestion_id, body.note)
        (record,) = _suggestion_records(session, [decided])
        return record
