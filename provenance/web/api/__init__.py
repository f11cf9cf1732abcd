"""The JSON API, one router per resource. Every route declares its permission (provenance.web.deps.needs)."""

from __future__ import annotations

from fastapi import APIRouter

from provenance.web.api import accounts, claims, desk, health, session, workflow

ROUTERS: list[APIRouter] = [
    health.router,
    session.router,
    accounts.router,
    desk.router,
    claims.router,
    workflow.router,
]
