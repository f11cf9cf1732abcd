"""The JSON API, one router per resource. Every route declares its permission (provenance.web.deps.needs)."""

from __future__ import annotations

from fastapi import APIRouter

# by its full name: `annotations` here is the __future__ feature, which `from ... import annotations` returns
import provenance.web.api.annotations as web_annotations
from provenance.web.api import (
    accounts,
    claims,
    contradictions,
    desk,
    entities,
    evidence,
    health,
    reports,
    search,
    session,
    sources,
    workflow,
)

ROUTERS: list[APIRouter] = [
    health.router,
    session.router,
    accounts.router,
    desk.router,
    claims.router,
    workflow.router,
    sources.router,
    search.router,
    entities.router,
    reports.router,
    evidence.router,
    contradictions.router,
    web_annotations.router,
]
