"""The API's description at ``/openapi.json`` (OpenAPI 3.1): FastAPI's, plus what it leaves out.

FastAPI describes each route's success and its own 422. :func:`document` adds, to every operation, the answers it
may give when something is wrong -- each an RFC 9457 problem (``application/problem+json``, the
``ProblemDetails`` schema) with the one line the command line prints -- and how a client proves who it is (a
bearer token, or the session cookie set at sign-in). Which problems an operation documents follows from what it
declares: a permission (401, 403, 404), a request body (400, 413, 415), a change (409), an ``If-Match`` header
(412 with the current ``ETag``, 428 without one), a public sign-in (401; 429 with ``Retry-After``); every
operation may answer 503 (the database busy or at another schema; ``Retry-After``) and 422 (what was sent is not
what the desk takes). ``tests/test_api_schema.py`` runs schemathesis against this document, so an answer a route
gives that is not described here fails the suite.
"""

from __future__ import annotations

import copy
import json
import warnings
from collections import Counter
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from provenance.web.deps import CSRF_HEADER, PERMISSION_KEY, PUBLIC, SESSION_COOKIE
from provenance.web.problems import PROBLEM_TYPE

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "ProblemDetails",
    "description": "An RFC 9457 problem: what went wrong, in the one line the command line prints for it.",
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {
            "type": "string",
            "description": "A URI naming the kind of problem ('about:blank': the status says it).",
        },
        "title": {"type": "string", "description": "The status's phrase."},
        "status": {"type": "integer", "minimum": 400, "maximum": 599, "description": "The HTTP status."},
        "detail": {"type": "string", "description": "What was wrong and what to do, in one line."},
        "instance": {"type": "string", "description": "A URI naming this occurrence."},
        "errors": {
            "type": "array",
            "description": "Every field that was wrong (a request that did not validate).",
            "items": {
                "type": "object",
                "required": ["field", "problem"],
                "properties": {"field": {"type": "string"}, "problem": {"type": "string"}},
            },
        },
        "current_version": {
            "type": "integer",
            "description": "The claim's version now (412): send it as If-Match after reading the claim again.",
        },
    },
    "additionalProperties": True,
}

DESCRIPTIONS = {
    400: "The body is not what its Content-Type says (not valid JSON, a broken form).",
    401: "Nobody proven: no token or session cookie, or one that is unknown, expired, revoked or disabled.",
    403: "The account's role is below what this needs, the desk's rules refuse it, or a cookie change came "
    f"without its {CSRF_HEADER}.",
    404: "No such source, claim, entity, account or other thing named in the request.",
    409: "The change conflicts with the desk's state (already there, already decided, in another state).",
    412: "The claim changed since it was read: its current version is in current_version and the ETag header.",
    413: "The body is larger than the server reads.",
    415: "The body is in a media type this operation does not take.",
    422: "What was sent is not what the desk takes: the detail names the field or value and what to send.",
    428: 'A change to a claim needs If-Match: "<version>" (the ETag of the claim as last read).',
    429: "Too many failed sign-ins for this name or address: try again after Retry-After seconds.",
    503: "The database is busy (try again after Retry-After seconds) or not at this server's schema.",
}

RETRY_AFTER: dict[str, Any] = {
    "description": "Seconds to wait before trying again.",
    "schema": {"type": "integer", "minimum": 0},
}
WWW_AUTHENTICATE: dict[str, Any] = {"description": "How to prove who you are: Bearer.", "schema": {"type": "string"}}
ETAG: dict[str, Any] = {
    "description": 'The claim\'s version, as a strong ETag ("<version>"): send it back as If-Match to change it.',
    "schema": {"type": "string", "pattern": '^"[0-9]+"$'},
}
LINK: dict[str, Any] = {
    "description": 'The next page, as <URL>; rel="next" (RFC 8288); absent on the last page.',
    "schema": {"type": "string"},
}
IF_MATCH: dict[str, Any] = {
    "name": "If-Match",
    "in": "header",
    "required": False,
    "description": 'The claim\'s version as last read, "<version>" (its ETag); without it the change is refused '
    "(428), with an older one too (412).",
    "schema": {"type": "string"},
}
HEADERS_BY_STATUS: dict[int, dict[str, Any]] = {
    401: {"WWW-Authenticate": WWW_AUTHENTICATE},
    412: {"ETag": ETAG},
    429: {"Retry-After": RETRY_AFTER},
    503: {"Retry-After": RETRY_AFTER},
}

SECURITY_SCHEMES: dict[str, Any] = {
    "bearer": {
        "type": "http",
        "scheme": "bearer",
        "description": "An API token ('pvt_...'): `provenance token create`, or POST /api/v1/session/token "
        "(what `provenance login` does). Never in the address.",
    },
    "cookie": {
        "type": "apiKey",
        "in": "cookie",
        "name": SESSION_COOKIE,
        "description": f"The session cookie set by POST /api/v1/session; a change sends the {CSRF_HEADER} header "
        "(or the csrf_token form field) given at sign-in.",
    },
}

# The changes to a claim that take If-Match (the routes fixed for the server), in case a route reads the header
# without declaring it: the document says it all the same.
IF_MATCH_OPERATIONS = {
    ("patch", "/api/v1/claims/{key}"),
    ("post", "/api/v1/claims/{key}/review"),
    ("post", "/api/v1/claims/{key}/assignment"),
}
CHANGES = {"post", "put", "patch", "delete"}
METHODS = CHANGES | {"get", "head", "options"}


def _declares(operation: dict[str, Any], location: str, name: str) -> bool:
    return any(
        p.get("in") == location and p.get("name", "").lower() == name.lower() for p in operation.get("parameters", [])
    )


def _problem_response(status: int) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": DESCRIPTIONS[status],
        "content": {PROBLEM_TYPE: {"schema": {"$ref": "#/components/schemas/ProblemDetails"}}},
    }
    if status in HEADERS_BY_STATUS:
        response["headers"] = copy.deepcopy(HEADERS_BY_STATUS[status])
    return response


def _statuses(method: str, path: str, operation: dict[str, Any]) -> set[int]:
    """The problems ``operation`` may answer with, from what it declares."""
    found = {503}
    public = operation.get(PERMISSION_KEY) == PUBLIC
    if not public:
        found |= {401, 403, 404, 422}
    if operation.get("parameters") or operation.get("requestBody"):
        found.add(422)
    if operation.get("requestBody"):
        found |= {400, 413, 415}
    if method in CHANGES and not public:
        found.add(409)
    if public and method == "post":  # sign-in: a wrong name or password (401), too many of them (429)
        found |= {401, 429}
    if _declares(operation, "header", "If-Match"):
        found |= {412, 428}
    return found


def describe(spec: dict[str, Any]) -> dict[str, Any]:
    """``spec`` (FastAPI's document) with problems, security schemes, If-Match/ETag and Link headers added."""
    components = spec.setdefault("components", {})
    components.setdefault("schemas", {})["ProblemDetails"] = PROBLEM_SCHEMA
    components["securitySchemes"] = SECURITY_SCHEMES
    versioned: set[str] = set()  # paths whose changes take If-Match: their GET gives the ETag
    for path, item in spec.get("paths", {}).items():
        for method, operation in item.items():
            if method not in METHODS:
                continue
            if (method, path) in IF_MATCH_OPERATIONS and not _declares(operation, "header", "If-Match"):
                operation.setdefault("parameters", []).append(copy.deepcopy(IF_MATCH))
            if _declares(operation, "header", "If-Match"):
                versioned.add(path)
    named = Counter(
        operation.get("operationId")
        for item in spec.get("paths", {}).values()
        for method, operation in item.items()
        if method in METHODS
    )
    for path, item in spec.get("paths", {}).items():
        for method, operation in item.items():
            if method not in METHODS:
                continue
            if named[operation.get("operationId")] > 1:  # operation ids are unique (OpenAPI): one per method
                operation["operationId"] = f"{operation['operationId']}_{method}"
            if operation.get(PERMISSION_KEY) != PUBLIC:
                operation["security"] = [{"bearer": []}, {"cookie": []}]
            responses = operation.setdefault("responses", {})
            for status in sorted(_statuses(method, path, operation)):
                responses[str(status)] = _problem_response(status)
            for status, response in responses.items():
                if not status.startswith("2"):
                    continue
                headers = response.setdefault("headers", {})
                if method == "get" and path in versioned:
                    headers["ETag"] = copy.deepcopy(ETAG)
                if method == "get" and _declares(operation, "query", "cursor"):
                    headers["Link"] = copy.deepcopy(LINK)
                if not headers:
                    del response["headers"]
    _drop_unused_schemas(spec)
    return spec


def _drop_unused_schemas(spec: dict[str, Any]) -> None:
    """FastAPI's HTTPValidationError and ValidationError, once no response refers to them any more."""
    schemas = spec["components"]["schemas"]
    for name in ("HTTPValidationError", "ValidationError"):  # the first refers to the second
        others = {
            **spec,
            "components": {**spec["components"], "schemas": {k: v for k, v in schemas.items() if k != name}},
        }
        if name in schemas and f'#/components/schemas/{name}"' not in json.dumps(others):
            del schemas[name]


def document(app: FastAPI) -> None:
    """Make ``app``'s /openapi.json the full description: call once all its routers are included."""
    built: dict[str, Any] | None = None

    def openapi() -> dict[str, Any]:
        nonlocal built
        if built is None:
            with warnings.catch_warnings():
                # a route answering GET and HEAD is one function: FastAPI names both operations after it, and
                # describe() tells them apart
                warnings.filterwarnings("ignore", message="Duplicate Operation ID", category=UserWarning)
                spec = get_openapi(
                    title=app.title,
                    version=app.version,
                    openapi_version=app.openapi_version,
                    summary=app.summary,
                    description=app.description,
                    routes=app.routes,
                    servers=app.servers,
                )
            built = describe(spec)
            app.openapi_schema = built
        return built

    setattr(app, "openapi", openapi)  # noqa: B010 -- FastAPI's documented way to replace the document's maker
