"""Answers to reads kept until the desk changes.

Every change the desk makes appends to the event log, and the transaction that commits it gives its events the
next places in the log's hash chain (:mod:`provenance.events`), in commit order. The highest place taken, read
through the chain's unique index, is therefore the version of the whole desk: while it stays the same, nothing
provenance changes has changed, and a read asked again (the same route, parameters, Accept and person) has the
same answer. The board, claim lists, claim pages, search and history are kept here, the least recently used
first out, so that a desk reading its board all day does not build it each time.

The head is read first, in the read's own snapshot (one SQLite transaction; on PostgreSQL before the answer's
statements), so an answer is never kept under a version older than what it shows. A change made straight in SQL,
behind the log's back, is not seen until the next change through provenance (``provenance verify`` finds such
changes in any case). ``PROVENANCE_READ_CACHE=0`` turns the cache off (``provenance serve`` reads it).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from provenance.models import Event

ENTRIES = 512  # answers kept per worker
LARGEST = 1024 * 1024  # bytes: a larger answer is built every time
# The headers an answer is kept with (the security headers are added to every response on its way out).
KEPT_HEADERS = ("content-type", "etag", "link", "content-disposition")


@dataclass(frozen=True)
class Kept:
    status: int
    body: bytes
    headers: tuple[tuple[str, str], ...]

    def response(self) -> Response:
        return Response(self.body, status_code=self.status, headers=dict(self.headers))


def desk_version(session: Session) -> int:
    """The desk's version: the highest place taken in the event log's chain (0 for an empty log)."""
    return int(session.scalar(select(func.max(Event.seq))) or 0)


class ReadCache:
    """The answers of one worker, up to ``entries`` of them (0: none kept)."""

    def __init__(self, entries: int = ENTRIES) -> None:
        self.entries = entries
        self._kept: OrderedDict[tuple[object, ...], Kept] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def answer(self, request: Request, who: str, session: Session, build: Callable[[], Response]) -> Response:
        """The answer ``build()`` gives to ``request`` by ``who``, kept or made now, for the desk as ``session``
        sees it (a read-only transaction that has not read anything yet)."""
        if not self.entries:
            return build()
        key = (
            desk_version(session),
            request.method,
            request.url.path,
            str(request.url.query),
            request.headers.get("accept", ""),
            who,
        )
        with self._lock:
            kept = self._kept.get(key)
            if kept is not None:
                self._kept.move_to_end(key)
                self.hits += 1
                return kept.response()
            self.misses += 1
        response = build()
        body = bytes(response.body) if hasattr(response, "body") else b""
        if response.status_code == 200 and 0 < len(body) <= LARGEST:
            headers = tuple(
                (name, value)
                for name, value in response.headers.items()
                if name in KEPT_HEADERS or name.startswith("provenance-notice")
            )
            with self._lock:
                self._kept[key] = Kept(response.status_code, body, headers)
                while len(self._kept) > self.entries:
                    self._kept.popitem(last=False)
        return response
