"""Search: the sentences that match a query, most relevant first, as `provenance search` finds them."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from sqlalchemy.orm import Session

from provenance import documents, search, sources
from provenance.access import Permission
from provenance.export import records, text
from provenance.text import printable
from provenance.web.deps import DeskDep, needs
from provenance.web.negotiate import answer

router = APIRouter(tags=["search"])

DEFAULT_LIMIT = 20  # as `provenance search --limit`


@router.get("/search", **needs(Permission.READ))
def search_passages(
    request: Request,
    q: str,
    desk: DeskDep,
    source: str | None = None,
    since: str | None = None,
    until: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> Response:
    """`provenance search Q [--source KEY] [--since DATE] [--until DATE] [--limit N]`: the body is what ``--json``
    prints, the text what the command prints. Words must all match, in any case and with or without diacritics;
    "quoted words" match as a phrase and a word ending in * as a prefix."""

    def found(session: Session) -> Response:
        if source is not None:
            sources.get_source(session, source)
        hits = search.search_passages(
            session,
            q,
            source=source,
            since=documents.parse_date_option(since) if since else None,
            until=documents.parse_date_option(until) if until else None,
            limit=limit,
        )
        return answer(request, [records.hit_record(hit) for hit in hits], lambda: printable(text.hit_list(hits)))

    return desk.read(request, found)
