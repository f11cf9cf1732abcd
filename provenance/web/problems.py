"""Errors as RFC 9457 problem details (``application/problem+json``), each with the one line the command line
prints for the same mistake, and the status a client can act on."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from provenance import errors
from provenance.text import printable

PROBLEM_TYPE = "application/problem+json"
# Where the API's routes start (provenance.web.app.API_PREFIX, written here to keep this module free of the app).
API_DOOR = "/api/v1"
# Seconds a client is asked to wait before trying again when the database was too busy to answer.
BUSY_RETRY_AFTER = 2

# The most specific class first: Stale is a Conflict, answered 412.
STATUSES: list[tuple[type[errors.ProvenanceError], int]] = [
    (errors.Unauthenticated, 401),
    (errors.Forbidden, 403),
    (errors.NotFound, 404),
    (errors.Stale, 412),
    (errors.Conflict, 409),
    (errors.TooManyAttempts, 429),
    (errors.SchemaMismatch, 503),
    (errors.Busy, 503),
    (errors.Invalid, 422),
    (errors.ProvenanceError, 422),
]


def status_of(exc: errors.ProvenanceError) -> int:
    return next(status for cls, status in STATUSES if isinstance(exc, cls))


def problem(status: int, detail: str, *, headers: dict[str, str] | None = None, **extra: Any) -> JSONResponse:
    """A problem response: ``title`` is the status's phrase, ``detail`` the one line for the user."""
    body = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": printable(" ".join(detail.split())),
        **extra,
    }
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_TYPE)


def _domain_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, errors.ProvenanceError)
    status = status_of(exc)
    headers: dict[str, str] = {}
    extra: dict[str, Any] = {}
    if isinstance(exc, errors.Unauthenticated):
        headers["WWW-Authenticate"] = 'Bearer realm="provenance"'
    if isinstance(exc, errors.TooManyAttempts):
        headers["Retry-After"] = str(exc.retry_after)
    if isinstance(exc, errors.Busy):
        headers["Retry-After"] = str(BUSY_RETRY_AFTER)
    if isinstance(exc, errors.Stale):
        headers["ETag"] = etag(exc.current_version)
        extra["current_version"] = exc.current_version
    return problem(status, str(exc), headers=headers, **extra)


def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
    headers = dict(exc.headers or {})
    if exc.status_code == 404 and detail == HTTPStatus.NOT_FOUND.phrase:
        detail = f"nothing at {request.url.path}; /api lists this server's routes (they all start {API_DOOR})"
    elif exc.status_code == 405 and detail == HTTPStatus.METHOD_NOT_ALLOWED.phrase:
        allowed = headers.get("Allow") or headers.get("allow") or ""
        detail = f"{request.method} is not allowed on {request.url.path}; it takes {allowed or 'other methods'}"
    return problem(exc.status_code, detail, headers=headers)


def _where(location: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in location if part != "body") or "the request"


def _is_json(content_type: str) -> bool:
    media = content_type.split(";")[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


def _invalid_request(request: Request, exc: Exception) -> JSONResponse:
    """Pydantic's findings, first one as the line (the rest under ``errors``). A JSON route sent a body of another
    type (a form, text) is 415: FastAPI hands such a body to the model as bytes, which then fails as not an object."""
    assert isinstance(exc, RequestValidationError)
    found = list(exc.errors())
    first = found[0] if found else {"loc": (), "msg": "invalid request", "type": ""}
    content_type = request.headers.get("content-type", "")
    if tuple(first.get("loc", ())) == ("body",) and first.get("type") != "missing" and not _is_json(content_type):
        sent = content_type.split(";")[0].strip() or "a body without a Content-Type"
        return problem(415, f"this route takes a JSON body, not {sent}; send it with Content-Type: application/json")
    if first.get("type") == "json_invalid":
        return problem(400, "the request body is not valid JSON; send a JSON object (Content-Type: application/json)")
    if first.get("type") == "extra_forbidden":
        line = f"unknown field {_where(tuple(first['loc']))!r}; leave it out (see /openapi.json for the fields)"
    else:
        line = f"{_where(tuple(first['loc']))}: {first['msg']}"
    listed = [{"field": _where(tuple(e["loc"])), "problem": e["msg"]} for e in found]
    return problem(422, line, errors=listed)


def etag(version: int) -> str:
    """A claim's version as a strong ETag."""
    return f'"{version}"'


def install(app: FastAPI) -> None:
    app.add_exception_handler(errors.ProvenanceError, _domain_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _invalid_request)
