"""The ASGI application of the desk's server: :func:`create_app` builds it for one database.

The app refuses to be built on a database that is not at the current schema (``provenance db upgrade`` fixes
that). Its routers live in :mod:`provenance.web.api`, one module per resource; every route declares its permission
(:mod:`provenance.web.deps`). Around every request sits :mod:`provenance.web.security` (headers, the body limit,
the catch-all for bugs). ``/api`` describes the routes for people (:mod:`provenance.web.apidoc`), ``/openapi.json``
for programs.

``provenance serve`` runs :func:`app_from_environment` under uvicorn (as an import string, so that several workers
can each build it): the configuration travels in environment variables (:data:`ENV`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse
from sqlalchemy.engine import Engine

from provenance import __version__, db
from provenance.errors import Invalid
from provenance.web import apidoc, openapi, problems, readcache, secret
from provenance.web.api import ROUTERS
from provenance.web.deps import public
from provenance.web.security import SecurityMiddleware

API_PREFIX = "/api/v1"
# The largest request body the server reads (an upload of sources, a JSON document): 50 MiB.
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
# Proxies trusted with --trust-forwarded when no addresses are given: one on this machine.
LOCAL_PROXIES = ("127.0.0.1", "::1")

# How `provenance serve` hands its configuration to app_from_environment in each worker.
SECRET_FILE_ENV = secret.SECRET_FILE_ENV
FORWARDED_ENV = "PROVENANCE_FORWARDED_ALLOW_IPS"  # comma-separated proxy addresses, or *; unset: trust none
MAX_UPLOAD_ENV = "PROVENANCE_MAX_UPLOAD_BYTES"
READ_CACHE_ENV = "PROVENANCE_READ_CACHE"  # answers kept per worker (provenance.web.readcache); 0 keeps none
ENV = (db.URL_ENV, SECRET_FILE_ENV, FORWARDED_ENV, MAX_UPLOAD_ENV, READ_CACHE_ENV)


@dataclass(frozen=True)
class ServerConfig:
    """How one server runs: its database, the secret it signs CSRF tokens with, whether it sits behind a proxy
    whose X-Forwarded-* headers it may trust (and at which addresses; ``*`` for any), and the largest body it
    reads."""

    database_url: str
    secret: bytes
    trust_forwarded: bool = False
    max_upload_bytes: int = MAX_UPLOAD_BYTES
    forwarded_allow_ips: tuple[str, ...] = LOCAL_PROXIES
    read_cache: int = readcache.ENTRIES


def create_app(config: ServerConfig, *, engine: Engine | None = None) -> FastAPI:
    """The desk's app on ``config.database_url`` (or the ``engine`` given, which the caller then disposes of)."""
    engine = engine if engine is not None else db.make_engine(config.database_url, application_name="provenance serve")
    with db.driver_errors(engine):
        db.require_current_schema(engine)
    app = FastAPI(
        title="provenance",
        version=__version__,
        summary="Claims, the exact passages they come from, how sure the desk is, and who says otherwise.",
        openapi_url=None,  # served below as a route that declares itself public
        docs_url=None,  # Swagger UI loads scripts from a CDN: /api is a page of our own instead
        redoc_url=None,
    )
    app.state.engine = engine
    app.state.config = config
    app.state.read_cache = readcache.ReadCache(config.read_cache)
    problems.install(app)
    for router in ROUTERS:
        app.include_router(router, prefix=API_PREFIX)
    openapi.document(app)
    _describe(app)
    app.add_middleware(SecurityMiddleware, max_body_bytes=config.max_upload_bytes)
    return app


def _describe(app: FastAPI) -> None:
    @app.get("/openapi.json", include_in_schema=False, **public())
    def openapi_document(request: Request) -> JSONResponse:
        """The OpenAPI document of this server."""
        return JSONResponse(request.app.openapi())

    @app.get("/api", include_in_schema=False, response_class=HTMLResponse, **public())
    def api_page(request: Request) -> HTMLResponse:
        """Every route, for people: method, path, what it does, the permission it needs, parameters, body."""
        return HTMLResponse(apidoc.render(request.app.openapi()))


def config_from_environment() -> ServerConfig:
    """The server's configuration from :data:`ENV` (what ``provenance serve`` set)."""
    url = os.environ.get(db.URL_ENV)
    if not url:
        raise Invalid(f"no database: set ${db.URL_ENV} (provenance serve sets it from --db)")
    path = Path(os.environ.get(SECRET_FILE_ENV) or secret.default_path())
    forwarded = [ip.strip() for ip in os.environ.get(FORWARDED_ENV, "").split(",") if ip.strip()]
    limit_text = os.environ.get(MAX_UPLOAD_ENV, "")
    try:
        limit = int(limit_text) if limit_text else MAX_UPLOAD_BYTES
    except ValueError as exc:
        raise Invalid(f"${MAX_UPLOAD_ENV} must be a number of bytes, not {limit_text!r}") from exc
    cache_text = os.environ.get(READ_CACHE_ENV, "")
    if cache_text and not (cache_text.isdigit() and cache_text.isascii()):
        raise Invalid(f"${READ_CACHE_ENV} must be a number of answers to keep (0 for none), not {cache_text!r}")
    return ServerConfig(
        read_cache=int(cache_text) if cache_text else readcache.ENTRIES,
        database_url=url,
        secret=secret.load_or_create(path),
        trust_forwarded=bool(forwarded),
        max_upload_bytes=limit,
        forwarded_allow_ips=tuple(forwarded) or LOCAL_PROXIES,
    )


def app_from_environment() -> Any:
    """The app as ``provenance serve`` configured it through the environment (uvicorn's factory)."""
    return create_app(config_from_environment())
