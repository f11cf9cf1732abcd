"""The JSON API, one router per resource. Every route declares its permission (provenance.web.deps.needs)."""

from __future__ import annotations

from fastapi import APIRouter

from provenance.web.api import claims, health

ROUTERS: list[APIRouter] = [health.router, claims.router]
