"""Claims: list with the board's filters, show, create, change (a claim's version is its ETag)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from provenance import report
from provenance.access import Permission
from provenance.export import records
from provenance.web.deps import DeskDep, needs
from provenance.web.problems import etag

router = APIRouter(tags=["claims"])


@router.get("/claims/{key}", **needs(Permission.READ))
def show_claim(key: str, desk: DeskDep, response: Response, explain: bool = False) -> dict[str, Any]:
    """A claim as `provenance claim show KEY --json` prints it: statement, likelihoods, every quoted passage, what
    contradicts it. ``explain``: every step of the computed likelihood too."""
    with desk.reading() as session:
        entry = report.build_report(session, [key]).claims[0]
        response.headers["ETag"] = etag(entry.claim.version)
        return records.claim_detail_record(entry, explain=explain)
