"""Claims: list with the board's filters, show, create, change (a claim's version is its ETag).

Every change of a claim needs ``If-Match: "N"``, the version its ETag gave (:func:`expected_version`): without it
the change is refused with 428, and with a version the claim has moved on from with 412 and the current version,
checked by the domain function (``expected_version=``) in the transaction that makes the change, so nothing is
written. Each change answers the claim's new ETag. JSON bodies are what the command line's ``--json`` prints;
``Accept: text/plain`` gives its text.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException

from provenance import assessment, claims, confidence, locking, report, workflow
from provenance.access import Permission
from provenance.errors import Invalid
from provenance.export import records, text
from provenance.text import nothing_listed, option, printable
from provenance.web import negotiate
from provenance.web.deps import DeskDep, needs
from provenance.web.problems import etag

router = APIRouter(tags=["claims"])

# A strong ETag of one version, as the claim's ETag header gives it (at most 18 digits: any such number is read).
_ONE_VERSION = re.compile(r'"([1-9][0-9]{0,17})"')


def expected_version(request: Request) -> int:
    """The claim version the client read, from its ``If-Match`` header: refused with 428 when the header is
    missing and 400 when it is not one version in quotes."""
    given = request.headers.get("if-match")
    if given is None:
        raise HTTPException(
            428,
            'send If-Match: "N" with the version from the claim\'s ETag (GET /api/v1/claims/KEY gives it), so that '
            "a change made meanwhile by someone else is not overwritten",
        )
    found = _ONE_VERSION.fullmatch(given.strip())
    if found is None:
        raise HTTPException(
            400,
            f'If-Match must be one claim version in quotes, as the claim\'s ETag gives it (e.g. "3"), not {given!r}',
        )
    return int(found[1])


class NewClaim(BaseModel):
    """A claim to record, as `provenance claim add` takes it."""

    model_config = ConfigDict(extra="forbid")

    key: str = Field(description="The claim's key: lowercase words joined by hyphens, e.g. khan-trade-2003.")
    statement: str = Field(description="What is claimed, in one sentence.")
    about: list[str] = Field(default=[], description="The entities the claim is about.")
    confidence: str | None = Field(default=None, description="Overall likelihood: an ICD 203 term or 0..1.")
    confidence_note: str | None = Field(default=None, description="Why that likelihood.")
    verdict: str | None = Field(
        default=None, description="The verdict, if already known (recorded as set by you: someone else publishes it)."
    )


class ClaimChange(BaseModel):
    """The analyst's likelihood for a claim, set by hand with its reason, or cleared: as `provenance claim
    confidence` takes it. (A claim's statement and entities are not changed once recorded.)"""

    model_config = ConfigDict(extra="forbid")

    likelihood: str | None = Field(default=None, description="An ICD 203 term (e.g. 'likely') or a number 0..1.")
    reason: str | None = Field(default=None, description="Why that likelihood (required; it goes into the log).")
    clear: bool = Field(default=False, description="Remove the likelihood set by hand.")


@router.get("/claims", **needs(Permission.READ))
def list_claims(
    request: Request,
    desk: DeskDep,
    status: str | None = None,
    assignee: str | None = None,
    mine: bool = False,
    about: str | None = None,
    search: str | None = None,
    needs_review: bool = False,
    open_contradictions: bool = False,
    cursor: str | None = None,
    limit: Annotated[int, Query()] = negotiate.DEFAULT_LIMIT,
) -> Response:
    """Claims by key, as `provenance claim list --json` prints them, with the board's filters: ``status``,
    ``assignee`` (or ``mine``: assigned to you), ``about`` (an entity), ``search`` (a full-text query),
    ``needs_review`` (evidence not yet confirmed), ``open_contradictions``. Paged: follow the ``Link`` header."""
    if mine and assignee is not None:
        raise Invalid("give assignee=NAME or mine=true, not both")
    wanted = desk.actor.name if mine else assignee
    negotiate.check_limit(limit)
    start = negotiate.after(cursor)
    if start is not None and not (len(start) == 1 and isinstance(start[0], str)):
        raise Invalid("the cursor is not one this server gave out; start again without it and follow the Link headers")
    given = [
        ("--status", status),
        ("--assignee", wanted),
        ("--about", about),
        ("--search", search),
        ("--needs-review", needs_review or None),
        ("--open-contradictions", open_contradictions or None),
    ]
    filters = [option(name, value) for name, value in given if value]
    how = "`provenance claim add KEY STATEMENT` records one"

    def page(session: Session) -> Response:
        found = workflow.find_claims(
            session,
            status=status,
            assignee=wanted,
            about=about,
            search=search,
            needs_review=needs_review,
            open_contradictions=open_contradictions,
            after=None if start is None else start[0],
            limit=limit + 1,  # one more, to know whether a next page exists
        )
        shown = found[:limit]
        headers = negotiate.next_page(request, [shown[-1].key], limit) if len(found) > limit else {}
        listed = [(c, [e.name for e in c.entities]) for c in shown]
        computed = assessment.assess_claims(session, [c.id for c in shown])
        body = [records.claim_record(c, names, computed.get(c.id, assessment.NOT_ASSESSED)) for c, names in listed]
        return negotiate.answer(
            request,
            body,
            lambda: printable(
                text.claim_table(listed, computed) if listed else nothing_listed("claim", "claims", filters, how)
            ),
            headers=headers,
        )

    return desk.read(request, page)


@router.post("/claims", status_code=201, **needs(Permission.EDIT_CLAIMS))
def add_claim(request: Request, desk: DeskDep, new: NewClaim) -> Response:
    """Record a claim, as `provenance claim add` does: 201 with its address (Location) and version (ETag)."""
    with desk.writing() as session:
        claim = claims.add_claim(
            session,
            new.key,
            new.statement,
            about=new.about,
            confidence=new.confidence,
            confidence_note=new.confidence_note,
            verdict=new.verdict,
        )
        about_names = [e.name for e in claim.entities]
        body = records.claim_record(claim, about_names, assessment.NOT_ASSESSED)  # no evidence yet
        key, version = claim.key, claim.version
    location = str(request.url_for("show_claim", key=key).path)
    return negotiate.answer(
        request, body, lambda: key, status=201, headers={"Location": location, "ETag": etag(version)}
    )


@router.get("/claims/{key}", **needs(Permission.READ))
def show_claim(request: Request, key: str, desk: DeskDep, explain: bool = False) -> Response:
    """A claim as `provenance claim show KEY --json` prints it: statement, likelihoods, every quoted passage, what
    contradicts it. ``explain``: every step of the computed likelihood too. Its version is the ETag."""

    def answered(session: Session) -> Response:
        entry = report.build_report(session, [key]).claims[0]
        body = records.claim_detail_record(entry, explain=explain)

        def shown() -> str:
            said = printable(text.claim_detail(entry))
            return said + "\n" + printable("\n" + text.explanation(entry.assessment)) if explain else said

        return negotiate.answer(request, body, shown, headers={"ETag": etag(entry.claim.version)})

    return desk.read(request, answered)


@router.patch("/claims/{key}", **needs(Permission.EDIT_CLAIMS))
def change_claim(request: Request, key: str, desk: DeskDep, change: ClaimChange) -> Response:
    """Set the analyst's likelihood of a claim by hand with its reason, or clear it (``"clear": true``), as
    `provenance claim confidence` does. Needs ``If-Match`` with the claim's version; answers its new ETag."""
    version = expected_version(request)
    with desk.writing() as session:
        locking.check_version(claims.get_claim(session, key), version)
        claim, changed = assessment.set_claim_confidence(
            session, key, change.likelihood, reason=change.reason, clear=change.clear
        )
        computed = assessment.assess_claims(session, [claim.id]).get(claim.id, assessment.NOT_ASSESSED)
        body: dict[str, Any] = {
            **records.claim_record(claim, [e.name for e in claim.entities], computed),
            "changed": changed,
        }
        line = (
            f"{key}\tlikelihood set by the analyst: {confidence.describe_likelihood(claim.confidence)}; "
            f"computed: {computed.describe()}"
        )
        new_version = claim.version
    notices = [] if changed else [f"claim {key!r} already had that likelihood and reason; nothing changed"]
    return negotiate.answer(request, body, lambda: line, headers={"ETag": etag(new_version)}, notices=notices)
