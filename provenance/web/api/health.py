"""Whether the server is up and its database answers: the one route, with sign-in, that needs no one signed in."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy import text

from provenance import db
from provenance.web.deps import engine_of, public

router = APIRouter(tags=["server"])


@router.get("/health", **public())
def health(request: Request) -> dict[str, Any]:
    """The server is up and its database answers."""
    with db.session_scope(engine_of(request), readonly=True) as session:
        session.execute(text("SELECT 1"))
    return {"status": "ok"}
