"""The workflow: reviewing a claim (status and verdict), assigning it, the board (``provenance status``) and the
audit log (``provenance history``).

A review or an assignment changes the claim, so it needs ``If-Match`` with the claim's version
(:func:`provenance.web.api.claims.expected_version`) and answers the new ETag. Which moves and verdicts the one
acting may make is the domain's to say (:func:`provenance.workflow.review_claim`): the route only asks for the
least permission any review needs.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from provenance import documents, history, models, workflow
from provenance.access import Permission
from provenance.errors import Invalid
from provenance.export import board as shown
from provenance.export import history as logged
from provenance.text import nothing_listed, option, printable
from provenance.web import negotiate
from provenance.web.api.claims import expected_version
from provenance.web.deps import DeskDep, needs
from provenance.web.problems import etag

router = APIRouter(tags=["workflow"])


class ReviewRequest(BaseModel):
    """A move of a claim along the workflow and/or its verdict, as `provenance review` takes them."""

    model_config = ConfigDict(extra="forbid")

    status: str | None = Field(
        default=None,
        description="Move the claim to: unstarted, in progress, in review, published, inconclusive, withdrawn.",
    )
    verdict: str | None = Field(
        default=None, description="Set the verdict: true, mostly true, mixed, mostly false, false, unproven."
    )
    note: str | None = Field(
        default=None,
        description="Why (goes into the log). Required to publish, mark inconclusive, withdraw, send back from "
        "review, reopen, or change a verdict.",
    )


class Assignment(BaseModel):
    """Who works on a claim: ``to`` a name, ``mine`` (you), or ``nobody``."""

    model_config = ConfigDict(extra="forbid")

    to: str | None = Field(default=None, description="Who works on the claim (a name as given).")
    mine: bool = Field(default=False, description="Assign the claim to you.")
    nobody: bool = Field(default=False, description="Leave the claim unassigned.")
    note: str | None = Field(default=None, description="Why (goes into the log).")


@router.post("/claims/{key}/review", **needs(Permission.REVIEW))
def review_claim(request: Request, key: str, desk: DeskDep, review: ReviewRequest) -> Response:
    """Move a claim along the workflow and/or set its verdict, as `provenance review` does. Publishing needs the
    editor's role, a verdict, evidence and (unless the desk switched it off) someone other than whoever set the
    verdict. Needs ``If-Match`` with the claim's version; answers its new ETag."""
    version = expected_version(request)
    with desk.writing() as session:
        result = workflow.review_claim(
            session, key, status=review.status, verdict=review.verdict, note=review.note, expected_version=version
        )
        claim = result.claim
        body = shown.state_record(claim, result.changed)
        before = models.ClaimStatus(str(result.before["status"]))
        moved = f"{workflow.words(before)} -> " if before is not claim.status else ""
        line = (
            f"{key}\t{moved}{workflow.words(claim.status)}; verdict: "
            f"{shown.verdict_text(claim.verdict, claim.verdict_by)}"
        )
        notices = []
        if not result.changed:
            verdict_now = f" with verdict {workflow.words(claim.verdict)}" if review.verdict and claim.verdict else ""
            notices.append(f"claim {key!r} is already {workflow.words(claim.status)}{verdict_now}; nothing changed")
        new_version = claim.version
    return negotiate.answer(request, body, lambda: line, headers={"ETag": etag(new_version)}, notices=notices)


@router.post("/claims/{key}/assignment", **needs(Permission.EDIT_CLAIMS))
def assign_claim(request: Request, key: str, desk: DeskDep, assignment: Assignment) -> Response:
    """Assign a claim to someone (``to``), to you (``mine``) or to nobody (``nobody``), as `provenance claim
    assign` does. Needs ``If-Match`` with the claim's version; answers its new ETag."""
    chosen = [assignment.to is not None, assignment.mine, assignment.nobody]
    if chosen.count(True) != 1:
        raise Invalid(f'give one of "to": NAME, "mine": true or "nobody": true to assign claim {key!r}')
    version = expected_version(request)
    assignee = desk.actor.name if assignment.mine else assignment.to
    with desk.writing() as session:
        claim, changed = workflow.assign_claim(
            session, key, None if assignment.nobody else assignee, note=assignment.note, expected_version=version
        )
        body = shown.state_record(claim, changed)
        now = claim.assignee or "nobody"
        new_version = claim.version
    notices = [] if changed else [f"claim {key!r} is already assigned to {now}; nothing changed"]
    return negotiate.answer(
        request,
        body,
        lambda: printable(f"{key}\tassigned to {now}"),
        headers={"ETag": etag(new_version)},
        notices=notices,
    )


@router.get("/board", **needs(Permission.READ))
def board(
    request: Request,
    desk: DeskDep,
    assignee: str | None = None,
    mine: bool = False,
    per_status: Annotated[int, Query(ge=1, le=100_000)] = workflow.BOARD_PER_STATUS,
) -> Response:
    """The desk at a glance, as `provenance status` shows it: claims by status with their assignee, verdict,
    evidence and open contradictions; ``assignee`` (or ``mine``) keeps only the claims assigned to that person;
    ``per_status``: at most that many claims of each status (the counts still count them all)."""
    if mine and assignee is not None:
        raise Invalid("give assignee=NAME or mine=true, not both")
    wanted = desk.actor.name if mine else assignee

    def answered(session: Session) -> Response:
        found = workflow.board(session, assignee=wanted, per_status=per_status)

        def said() -> str:
            if wanted is not None and not found.total:
                how = "`provenance claim assign KEY --to NAME` assigns one"
                return printable(nothing_listed("claim", "claims", [option("--assignee", wanted)], how))
            return printable(shown.board_text(found))

        return negotiate.answer(request, shown.board_record(found), said)

    return desk.read(request, answered)


def _history(request: Request, desk: DeskDep, kind: str, wanted: str | None, limit: int, since: str | None) -> Response:
    """The log as `provenance history` shows it (``kind`` "" for a key that may name a claim or a source)."""
    day = documents.parse_date_option(since) if since is not None else None

    def shown(session: Session) -> Response:
        found = history.history(session, wanted, subject=kind or None, limit=limit, since=day)
        body = [logged.event_record(entry) for entry in found.entries]
        listed, notices = logged.shown(found, kind=kind, wanted=wanted, since=since)
        return negotiate.answer(request, body, lambda: printable(listed), notices=notices)

    return desk.read(request, shown)


@router.get("/history", **needs(Permission.READ))
def desk_history(
    request: Request,
    desk: DeskDep,
    key: str | None = None,
    claim: str | None = None,
    source: str | None = None,
    limit: int = history.DEFAULT_LIMIT,
    since: str | None = None,
) -> Response:
    """Who changed what, when, from what to what, and why, newest first, as `provenance history` shows it: the
    whole desk's recent events, or those of the claim or source ``key`` names (``claim`` or ``source`` to say which
    when a key names both); ``limit`` (the most recent N), ``since`` (a day, UTC)."""
    given = [(kind, value) for kind, value in (("", key), ("claim", claim), ("source", source)) if value]
    if len(given) > 1:
        raise Invalid("name one claim or source: key=KEY, claim=KEY or source=KEY")
    kind, wanted = given[0] if given else ("", None)
    return _history(request, desk, kind, wanted, limit, since)


@router.get("/claims/{key}/history", **needs(Permission.READ))
def claim_history(
    request: Request, key: str, desk: DeskDep, limit: int = history.DEFAULT_LIMIT, since: str | None = None
) -> Response:
    """A claim's history, newest first, as `provenance history --claim KEY` shows it: its reviews, assignments,
    likelihoods, its evidence and the contradictions it is part of."""
    return _history(request, desk, "claim", key, limit, since)
