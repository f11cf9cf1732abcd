"""The ASGI application of the desk's server: :func:`create_app` builds it for one database.

The app refuses to be built on a database that is not at the current schema (``provenance db upgrade`` fixes
that). Its routers live in :mod:`provenance.web.api`, one module per resource; every route declares its permission
(:mod:`provenance.web.deps`).
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import FastAPI
from sqlalchemy.engine import Engine

from provenance import __version__, db
from provenance.web import problems
from provenance.web.api import ROUTERS

API_PREFIX = "/api/v1"
# The largest request body the server reads (an upload of sources, a JSON document): 50 MiB.
MAX_UPLOAD_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class ServerConfig:
    """How one server runs: its database, the secret it signs CSRF tokens with, whether it sits behind a proxy
    whose X-Forwarded-* headers it may trust, and the largest body it reads."""

    database_url: str
    secret: bytes
    trust_forwarded: bool = False
    max_upload_bytes: int = MAX_UPLOAD_BYTES


def create_app(config: ServerConfig, *, engine: Engine | None = None) -> FastAPI:
    """The desk's app on ``config.database_url`` (or the ``engine`` given, which the caller then disposes of)."""
    engine = engine if engine is not None else db.make_engine(config.database_url, application_name="provenance serve")
    with db.driver_errors(engine):
        db.require_current_schema(engine)
    app = FastAPI(
        title="provenance",
        version=__version__,
        summary="Claims, the exact passages they come from, how sure the desk is, and who says otherwise.",
        openapi_url="/openapi.json",
        docs_url="/api",
        redoc_url=None,
    )
    app.state.engine = engine
    app.state.config = config
    problems.install(app)
    for router in ROUTERS:
        app.include_router(router, prefix=API_PREFIX)
    return app
