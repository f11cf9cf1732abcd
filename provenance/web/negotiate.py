"""One resource, two forms: JSON (what ``--json`` prints) or, for ``Accept: text/plain``, the very text the
command line prints, so that ``provenance login`` users see the same output whichever door they use."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from fastapi import Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from provenance.errors import Invalid

T = TypeVar("T")
TEXT = "text/plain"
# Messages the command line prints on stderr (hints, "nothing changed"), sent along as response headers.
NOTICE_HEADER = "Provenance-Notice"


def wants_text(request: Request) -> bool:
    """Whether the client asked for the command line's text rather than JSON."""
    accept = request.headers.get("accept", "")
    return any(part.split(";")[0].strip() == TEXT for part in accept.split(","))


def answer(
    request: Request,
    record: Any,
    text: Callable[[], str],
    *,
    status: int = 200,
    headers: dict[str, str] | None = None,
    notices: Sequence[str] = (),
) -> Response:
    """``record`` as JSON, or ``text()`` (exactly the command's stdout, without its final newline) as text/plain
    when asked for; ``notices`` are what the command says on stderr."""
    sent = dict(headers or {})
    for number, notice in enumerate(notices):
        sent[f"{NOTICE_HEADER}-{number}" if number else NOTICE_HEADER] = _header_safe(notice)
    if wants_text(request):
        return PlainTextResponse(text(), status_code=status, headers=sent)
    return JSONResponse(record, status_code=status, headers=sent)


def _header_safe(text: str) -> str:
    """A notice as a header value: one line, UTF-8 percent-free (non-ASCII is escaped as JSON would)."""
    return json.dumps(" ".join(text.split()))[1:-1]


# --- paging ---------------------------------------------------------------------------------------------

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


def _encode(position: Sequence[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(position)).encode()).decode().rstrip("=")


def _decode(cursor: str) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        position = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, UnicodeDecodeError) as exc:
        raise Invalid(
            "the cursor is not one this server gave out; start again without it and follow the Link headers"
        ) from exc
    if not isinstance(position, list):
        raise Invalid("the cursor is not one this server gave out; start again without it and follow the Link headers")
    return position


def after(cursor: str | None) -> list[Any] | None:
    """Where the page a cursor names starts: after this position (None: from the first)."""
    return None if cursor is None else _decode(cursor)


def check_limit(limit: int) -> None:
    if not 1 <= limit <= MAX_LIMIT:
        raise Invalid(f"limit must be between 1 and {MAX_LIMIT}, not {limit}")


def next_page(request: Request, last: Sequence[Any], limit: int) -> dict[str, str]:
    """The ``Link`` header naming the page after the one that ends at position ``last`` (RFC 8288, rel="next")."""
    following = request.url.include_query_params(cursor=_encode(last), limit=limit)
    return {"Link": f'<{following}>; rel="next"'}


def page(
    request: Request, items: Sequence[T], position: Callable[[T], Sequence[Any]], *, cursor: str | None, limit: int
) -> tuple[list[T], dict[str, str]]:
    """One page of ``items`` (already in a stable order by ``position``, unique per item) after ``cursor``, and the
    ``Link`` header naming the next page when there is one. For lists read whole; a long list is better read a
    page at a time from the database (:func:`after`, :func:`next_page`)."""
    check_limit(limit)
    start = 0
    position_after = after(cursor)
    if position_after is not None:
        start = next((n for n, item in enumerate(items) if list(position(item)) > position_after), len(items))
    chosen = list(items[start : start + limit])
    if start + limit < len(items) and chosen:
        return chosen, next_page(request, position(chosen[-1]), limit)
    return chosen, {}
