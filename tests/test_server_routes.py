"""Every route of the desk's server, every role: the permission a route declares is the one it enforces.

The test walks the app's route table (not a list written here), so a route added later is checked too, and a route
that declares no permission fails. Who may do what is read from :data:`provenance.access.PERMISSIONS`.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from argon2 import PasswordHasher
from conftest import ROLE_NAMES, DeskApi
from fastapi.routing import APIRoute, iter_route_contexts
from starlette.routing import Mount

from provenance import access, accounts
from provenance.access import Permission
from provenance.models import Role
from provenance.web.deps import PUBLIC, route_permission

# Argon2 at cheap parameters: each test makes its accounts anew.
CHEAP = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)
MADE_UP = "999999"  # a path parameter no row has: a number, so that it suits int and str parameters alike


@pytest.fixture(autouse=True)
def cheap_hasher(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(accounts, "hasher", CHEAP)


def _routes(app: Any) -> list[tuple[str, str, Permission | str | None]]:
    """(method, path, declared permission) of every route but static files."""
    found = []
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, Mount):
            continue
        assert isinstance(route, APIRoute), f"{route!r} is not an APIRoute, so it cannot declare a permission"
        assert context.path is not None
        for method in sorted((route.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((method, context.path, route_permission(route)))
    return found


def _call(api: DeskApi, method: str, path: str, who: str | None) -> Any:
    concrete = re.sub(r"\{[^}]+\}", MADE_UP, path)
    if method in ("POST", "PUT", "PATCH"):
        return api.request(method, concrete, who, json={})
    return api.request(method, concrete, who)


def test_every_route_declares_a_permission(desk_api: DeskApi) -> None:
    routes = _routes(desk_api.client.app)
    undeclared = [(method, path) for method, path, permission in routes if permission is None]
    assert undeclared == []
    # the routes this part of the server answers for, at least
    paths = {(method, path) for method, path, _ in routes}
    assert {
        ("GET", "/api/v1/health"),
        ("POST", "/api/v1/session"),
        ("DELETE", "/api/v1/session"),
        ("POST", "/api/v1/session/token"),
        ("GET", "/api/v1/me"),
        ("PUT", "/api/v1/me/password"),
        ("GET", "/api/v1/tokens"),
        ("POST", "/api/v1/tokens"),
        ("DELETE", "/api/v1/tokens/{token_id}"),
        ("GET", "/api/v1/accounts"),
        ("POST", "/api/v1/accounts"),
        ("GET", "/api/v1/accounts/{name}"),
        ("PATCH", "/api/v1/accounts/{name}"),
        ("GET", "/api/v1/desk/settings"),
        ("PUT", "/api/v1/desk/settings/{name}"),
        ("GET", "/api"),
        ("GET", "/openapi.json"),
    } <= paths


def test_declared_permissions_of_the_server_routes(desk_api: DeskApi) -> None:
    declared = {(m, p): permission for m, p, permission in _routes(desk_api.client.app)}
    assert declared[("POST", "/api/v1/session")] == PUBLIC
    assert declared[("POST", "/api/v1/session/token")] == PUBLIC
    assert declared[("GET", "/api/v1/health")] == PUBLIC
    assert declared[("DELETE", "/api/v1/session")] is Permission.OWN_ACCOUNT
    assert declared[("GET", "/api/v1/me")] is Permission.READ
    assert declared[("PATCH", "/api/v1/accounts/{name}")] is Permission.MANAGE_ACCOUNTS
    assert declared[("PUT", "/api/v1/desk/settings/{name}")] is Permission.DESK_SETTINGS


def test_every_route_and_every_role(desk_api: DeskApi) -> None:
    """No credentials: 401 (a public route: neither 401 nor 403). A role below the route's permission: 403. At or
    above: neither (a 404 or 422 for the made-up parameters is fine)."""
    wrong: list[str] = []
    for method, path, permission in _routes(desk_api.client.app):
        anonymous = _call(desk_api, method, path, None).status_code
        if permission == PUBLIC:
            if anonymous in (401, 403):
                wrong.append(f"{method} {path} is public but answered {anonymous} without credentials")
            continue
        assert isinstance(permission, Permission)
        if anonymous != 401:
            wrong.append(f"{method} {path} answered {anonymous} without credentials, not 401")
        for name in ROLE_NAMES:
            status = _call(desk_api, method, path, name).status_code
            allowed = access.allows(Role(name), permission)
            if allowed and status in (401, 403):
                wrong.append(f"{method} {path} refused {name} ({status}) though {permission.value} allows them")
            if not allowed and status != 403:
                wrong.append(f"{method} {path} answered {name} with {status}, not 403 ({permission.value})")
            if status >= 500:
                wrong.append(f"{method} {path} answered {name} with {status}")
    assert wrong == []


@pytest.mark.parametrize("who", [None, "viewer"])
def test_refusals_are_problems_naming_what_to_do(desk_api: DeskApi, who: str | None) -> None:
    response = desk_api.get("/api/v1/accounts", who)
    if who is None:
        line = desk_api.problem(response, 401)
        assert line.startswith("sign in first: POST /api/v1/session with your name and password")
        assert response.headers["WWW-Authenticate"] == 'Bearer realm="provenance"'
    else:
        assert desk_api.problem(response, 403) == (
            "viewer is a viewer and may not manage accounts: that needs the admin role or above (an admin changes "
            "roles with `provenance user role NAME ROLE`)"
        )
