"""Who is acting on the server, proven by the request, and what each route may do.

Every route declares the permission it needs with :func:`needs` (or :func:`public` for sign-in and the health
check), in its decorator; ``tests/test_server_routes.py`` walks the app's route table and checks every route and
every role against :data:`provenance.access.PERMISSIONS`, so a route without a rule fails the suite. The
:func:`desk` dependency reads that declaration from the matched route, proves who is acting (a bearer token, or
the session cookie set at sign-in), refuses a role below the permission (403) or nobody proven (401), and hands
the route a :class:`Desk`. Nothing here holds a rule of the desk: roles are checked against the one table, and the
domain functions check them again for themselves.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import Response
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from provenance import access, accounts, db, events
from provenance.access import Actor, Permission
from provenance.errors import Forbidden, Unauthenticated
from provenance.web.readcache import ReadCache

PERMISSION_KEY = "x-permission"
PUBLIC = "public"  # a route anyone may use: sign-in, the health check, the API's description
SESSION_COOKIE = "provenance_session"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
TOKEN_PREFIX = "pvt_"
# Methods that change nothing: no CSRF token needed even with a cookie.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def needs(permission: Permission) -> dict[str, Any]:
    """Decorator keywords for a route that needs ``permission``: ``@router.get(path, **needs(Permission.READ))``."""
    return {"openapi_extra": {PERMISSION_KEY: permission.value}}


def public() -> dict[str, Any]:
    """Decorator keywords for a route anyone may call."""
    return {"openapi_extra": {PERMISSION_KEY: PUBLIC}}


def route_permission(route: Any) -> Permission | str | None:
    """The permission a route declared (:data:`PUBLIC` for a public one), or None if it declared none."""
    declared = (getattr(route, "openapi_extra", None) or {}).get(PERMISSION_KEY)
    if declared is None or declared == PUBLIC:
        return declared
    return Permission(declared)


@dataclass(frozen=True)
class Desk:
    """What a route works with: the desk's database and who is acting."""

    engine: Engine
    actor: Actor

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only transaction (one snapshot), with the actor set for the domain."""
        with db.session_scope(self.engine, readonly=True) as session, events.acting_as(self.actor):
            yield session

    def read(self, request: Request, build: Callable[[Session], Response]) -> Response:
        """What ``build`` answers in a read-only transaction, or the same answer kept from an earlier request
        while the desk has not changed since (:mod:`provenance.web.readcache`)."""
        cache: ReadCache = request.app.state.read_cache
        with self.reading() as session:
            return cache.answer(request, self.actor.name, session, lambda: build(session))

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """One transaction, committed when the block ends (before the response is sent), rolled back whole if
        anything in it fails; the actor is set for the domain."""
        with db.session_scope(self.engine) as session, events.acting_as(self.actor):
            yield session


def engine_of(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def _forwarded_trusted(request: Request) -> bool:
    """Whether this request came through a proxy the server was told to trust (``provenance serve
    --trust-forwarded``): only then do its X-Forwarded-* headers count."""
    config = request.app.state.config
    if not config.trust_forwarded or request.client is None:
        return False
    allowed = config.forwarded_allow_ips
    return "*" in allowed or request.client.host in allowed


def client_address(request: Request) -> str:
    """The address a request came from: the connection's peer, or the first address of X-Forwarded-For when it
    came through a trusted proxy (anyone else could write that header to pass for someone else)."""
    if _forwarded_trusted(request):
        forwarded = request.headers.get("x-forwarded-for", "").split(",")[0].strip()
        if forwarded:
            return forwarded
    return request.client.host if request.client is not None else "unknown"


def is_https(request: Request) -> bool:
    """Whether the client reached the server over HTTPS: the request's own scheme, or X-Forwarded-Proto from a
    trusted proxy."""
    if _forwarded_trusted(request):
        proto = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
        if proto:
            return proto == "https"
    return request.url.scheme == "https"


def csrf_token(secret: bytes, session_secret: str) -> str:
    """The CSRF token of a signed-in session: tied to that session by the server's signing secret."""
    return hmac.new(secret, b"csrf:" + session_secret.encode(), hashlib.sha256).hexdigest()


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise Unauthenticated(
            "the Authorization header takes a token as 'Bearer pvt_...'; make one with `provenance token create`"
        )
    return value.strip()


def _refuse_token_in_address(request: Request) -> None:
    for name, value in request.query_params.multi_items():
        if value.startswith(TOKEN_PREFIX) or name.lower() in ("token", "access_token", "api_key"):
            raise Unauthenticated(
                "a token is never put in the address (it ends up in logs and histories); send it in the "
                "Authorization header as 'Bearer pvt_...', and revoke this one with `provenance token revoke`"
            )


def _check_csrf(request: Request, session_secret: str, form_token: str | None) -> None:
    expected = csrf_token(request.app.state.config.secret, session_secret)
    given = request.headers.get(CSRF_HEADER) or form_token or ""
    if not hmac.compare_digest(given, expected):
        raise Forbidden(
            f"this change came with a missing or wrong CSRF token; reload the page and try again (scripts send "
            f"the {CSRF_HEADER} header, or use a bearer token)"
        )


async def authenticate(request: Request) -> Actor:
    """Who the request proves it comes from: a bearer token, or the session cookie (with its CSRF token on a
    change). Refused with 401 when neither is there or valid."""
    _refuse_token_in_address(request)
    token = _bearer(request)
    cookie = request.cookies.get(SESSION_COOKIE)
    engine = engine_of(request)
    if token is not None:
        # read-only, so that requests do not queue for SQLite's write lock: a token's use is written at most
        # once an hour (accounts.token_actor)
        with db.session_scope(engine, readonly=True) as session:
            return accounts.token_actor(session, token)
    if cookie:
        if request.method not in SAFE_METHODS:
            form_token = None
            if request.headers.get("content-type", "").startswith(
                ("application/x-www-form-urlencoded", "multipart/form-data")
            ):
                value = (await request.form()).get(CSRF_FIELD)
                form_token = value if isinstance(value, str) else None
            _check_csrf(request, cookie, form_token)
        with db.session_scope(engine, readonly=True) as session:
            return accounts.session_actor(session, cookie)
    raise Unauthenticated(
        "sign in first: POST /api/v1/session with your name and password, or send a token as "
        "'Authorization: Bearer pvt_...' (`provenance login URL` keeps one for the command line)"
    )


async def desk(request: Request) -> Desk:
    """The :class:`Desk` for a route that declared its permission with :func:`needs`."""
    permission = route_permission(request.scope.get("route"))
    if permission is None:
        raise Forbidden("this route declares no permission, so nobody may use it")  # a bug: tests catch it
    actor = await authenticate(request)
    if isinstance(permission, Permission):
        access.require(permission, actor)
    return Desk(engine_of(request), actor)


DeskDep = Annotated[Desk, Depends(desk)]
