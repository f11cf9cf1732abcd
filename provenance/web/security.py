"""What the server does around every request, whatever route answers it.

- Headers on every response: a Content-Security-Policy that allows only the server's own scripts, styles and
  images (no inline script, no framing, no plugins, forms posting only back here), ``X-Content-Type-Options:
  nosniff``, ``Referrer-Policy: no-referrer``, ``X-Frame-Options: DENY``, and ``Cache-Control: no-store`` on
  anything that did not set its own caching (answers hold what a signed-in person may read).
- A body limit: a request that declares a ``Content-Length`` over the server's limit is answered 413 before any of
  it is read; one that streams past the limit is stopped with 413 when it gets there (nothing is written: routes
  write only after their body was read whole).
- The last word on a bug: an exception no handler knows becomes a 500 problem saying it is a bug, with no traceback
  in the body; the traceback goes to the server's log.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("provenance.web")

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
)
NO_STORE = (b"cache-control", b"no-store")
INTERNAL_ERROR = (
    "internal error: the server failed on this request (a bug in provenance, not in what you sent); it is in the "
    "server's log: please report it"
)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g} MiB"


class BodyTooLarge(HTTPException):
    """A request body over the server's limit: 413, whether declared or found out while reading."""

    def __init__(self, limit: int) -> None:
        super().__init__(
            413,
            f"the request body is larger than this server takes ({_megabytes(limit)}); send less at a time (e.g. "
            "one file per request), or ask whoever runs the server to raise its limit",
        )


def _problem_bytes(status: int, title: str, detail: str) -> bytes:
    return json.dumps({"type": "about:blank", "title": title, "status": status, "detail": detail}).encode()


class SecurityMiddleware:
    """The headers, the body limit and the catch-all for bugs, as one ASGI middleware (outside FastAPI's own
    exception handling, so that every answer, a 500 too, gets the headers)."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() not in dict(HEADERS)]
                headers.extend(HEADERS)
                if not any(k.lower() == b"cache-control" for k, _ in headers):
                    headers.append(NO_STORE)
                message = {**message, "headers": headers}
            await send(message)

        limit = self.max_body_bytes
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await self._problem(send_with_headers, BodyTooLarge(limit))
            return
        seen = 0

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge(limit)
            return message

        try:
            await self.app(scope, limited_receive, send_with_headers)
        except BodyTooLarge as exc:
            if started:
                raise
            await self._problem(send_with_headers, exc)
        except Exception:
            log.exception("internal error on %s %s", scope.get("method"), scope.get("path"))
            if started:
                raise
            await self._problem(send_with_headers, HTTPException(500, INTERNAL_ERROR))

    @staticmethod
    async def _problem(send: Send, exc: HTTPException) -> None:
        from http import HTTPStatus

        body = _problem_bytes(exc.status_code, HTTPStatus(exc.status_code).phrase, str(exc.detail))
        headers: list[Any] = [
            (b"content-type", b"application/problem+json"),
            (b"content-length", str(len(body)).encode()),
        ]
        if exc.status_code == 413:
            headers.append((b"connection", b"close"))
        await send({"type": "http.response.start", "status": exc.status_code, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def _content_length(scope: Scope) -> int | None:
    for key, value in scope.get("headers", []):
        if key.lower() == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
