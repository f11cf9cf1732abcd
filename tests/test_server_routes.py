"""Every route of the desk's server, every role: the permission a route declares is the one it enforces.

The test walks the app's route table (not a list written here), so a route added later is checked too, and a route
that declares no permission fails. Who may do what is read from :data:`provenance.access.PERMISSIONS`.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from argon2 import PasswordHasher
from conftest import PASSWORD, ROLE_NAMES, DeskApi, row_counts
from fastapi.routing import APIRoute, iter_route_contexts
from starlette.routing import Mount

from provenance import access, accounts
from provenance.access import Permission
from provenance.models import Role
from provenance.web.deps import PUBLIC, SESSION_COOKIE, route_permission

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


def counts(api: DeskApi, *who: str) -> dict[str, int]:
    """The rows of every table, once the tokens of ``who`` have been used (a token's first use is logged)."""
    for name in who:
        api.get("/api/v1/me", name)
    return row_counts(api.url)


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


# --- what the routes of accounts, tokens and desk settings answer -----------------------------------------


def test_me_says_who_is_asking_and_how(desk_api: DeskApi) -> None:
    me = desk_api.get("/api/v1/me", "reviewer").json()
    assert {k: me[k] for k in ("name", "display_name", "role", "active", "identity")} == {
        "name": "reviewer",
        "display_name": "reviewer",
        "role": "reviewer",
        "active": True,
        "identity": "token",
    }
    assert "password_hash" not in me


def test_an_admin_adds_an_account_who_then_signs_in(desk_api: DeskApi) -> None:
    body = {"name": "ana", "password": "a long enough password", "role": "researcher", "display_name": "Ana Lima"}
    made = desk_api.post("/api/v1/accounts", "admin", json=body)
    assert made.status_code == 201
    assert made.headers["location"] == "/api/v1/accounts/ana"
    assert {k: made.json()[k] for k in ("name", "display_name", "role", "active", "created_by")} == {
        "name": "ana",
        "display_name": "Ana Lima",
        "role": "researcher",
        "active": True,
        "created_by": "admin",
    }
    assert desk_api.get("/api/v1/accounts/ana", "admin").json() == made.json()
    signed = desk_api.post("/api/v1/session", None, json={"name": "ana", "password": "a long enough password"})
    assert signed.status_code == 200 and signed.json()["account"]["role"] == "researcher"
    again = desk_api.post("/api/v1/accounts", "admin", json=body)
    assert (
        desk_api.problem(again, 409) == "there is already an account 'ana'; `provenance user list` shows the accounts"
    )


def test_accounts_are_listed_by_name_in_pages(desk_api: DeskApi) -> None:
    first = desk_api.get("/api/v1/accounts", "admin", params={"limit": 4})
    assert [a["name"] for a in first.json()] == ["admin", "editor", "editor2", "researcher"]
    following = first.headers["link"].split(";")[0].strip("<>")
    second = desk_api.get(following, "admin")
    assert [a["name"] for a in second.json()] == ["reviewer", "viewer"]
    assert "link" not in second.headers


def test_an_admin_changes_a_role(desk_api: DeskApi) -> None:
    changed = desk_api.request("PATCH", "/api/v1/accounts/viewer", "admin", json={"role": "reviewer"})
    assert changed.status_code == 200
    assert changed.json()["role"] == "reviewer" and changed.json()["changed"] is True
    assert desk_api.get("/api/v1/me", "viewer").json()["role"] == "reviewer"
    same = desk_api.request("PATCH", "/api/v1/accounts/viewer", "admin", json={"role": "reviewer"})
    assert same.json()["changed"] is False


def test_the_last_admin_stays_one(desk_api: DeskApi) -> None:
    before = counts(desk_api, "admin")
    response = desk_api.request("PATCH", "/api/v1/accounts/admin", "admin", json={"role": "editor"})
    assert desk_api.problem(response, 409) == (
        "admin is the desk's last active admin and stays one: make another account admin first "
        "(`provenance user role NAME admin`)"
    )
    assert row_counts(desk_api.url) == before


@pytest.mark.parametrize(
    ("body", "status", "line"),
    [
        ({}, 422, "say one thing to change: role, active (false, with a reason, disables the account) or password"),
        (
            {"role": "editor", "password": "another long password"},
            422,
            "say one thing to change: role, active (false, with a reason, disables the account) or password",
        ),
        ({"role": "boss"}, 422, "unknown role 'boss'; use one of: viewer, researcher, reviewer, editor, admin"),
        ({"active": False}, 422, "say why with --reason; disabling the account 'viewer' is logged with its reason"),
        (
            {"role": "editor", "reason": "why"},
            422,
            "a reason goes with active: false (disabling the account); leave it out",
        ),
        ({"colour": "red"}, 422, "unknown field 'colour'; leave it out (see /openapi.json for the fields)"),
    ],
)
def test_a_wrong_account_change_is_one_line_and_changes_nothing(
    desk_api: DeskApi, body: dict[str, Any], status: int, line: str
) -> None:
    before = counts(desk_api, "admin")
    response = desk_api.request("PATCH", "/api/v1/accounts/viewer", "admin", json=body)
    assert desk_api.problem(response, status) == line
    assert row_counts(desk_api.url) == before


def test_an_admin_resets_a_password(desk_api: DeskApi) -> None:
    reset = desk_api.request("PATCH", "/api/v1/accounts/viewer", "admin", json={"password": "a brand new password"})
    assert reset.status_code == 200 and reset.json()["changed"] is True
    signed = desk_api.post("/api/v1/session", None, json={"name": "viewer", "password": "a brand new password"})
    assert signed.status_code == 200


def test_one_changes_ones_own_password(desk_api: DeskApi) -> None:
    signed_in = desk_api.post("/api/v1/session", None, json={"name": "viewer", "password": PASSWORD})
    assert signed_in.status_code == 200
    desk_api.client.cookies.clear()
    cookie = signed_in.cookies[SESSION_COOKIE]
    missing = desk_api.request("PUT", "/api/v1/me/password", "viewer", json={"password": "my own new password"})
    assert desk_api.problem(missing, 422).startswith("current_password: Field required")
    wrong = {"current_password": "not my password at all", "password": "my own new password"}
    assert desk_api.problem(desk_api.request("PUT", "/api/v1/me/password", "viewer", json=wrong), 403) == (
        "changing your own password needs your current password too, and the one given is not it; nothing was changed"
    )
    right = {"current_password": PASSWORD, "password": "my own new password"}
    changed = desk_api.request("PUT", "/api/v1/me/password", "viewer", json=right)
    assert changed.status_code == 204 and changed.content == b""
    desk_api.client.cookies.set(SESSION_COOKIE, cookie)
    ended = desk_api.get("/api/v1/me", None)
    desk_api.client.cookies.clear()
    assert ended.status_code == 401  # every sign-in of the account ended; its token still works
    assert desk_api.get("/api/v1/me", "viewer").status_code == 200
    old = desk_api.post("/api/v1/session", None, json={"name": "viewer", "password": PASSWORD})
    assert old.status_code == 401
    new = desk_api.post("/api/v1/session", None, json={"name": "viewer", "password": "my own new password"})
    assert new.status_code == 200
    short = desk_api.request(
        "PUT", "/api/v1/me/password", "viewer", json={"current_password": "my own new password", "password": "short"}
    )
    assert desk_api.problem(short, 422) == (
        "the password is too short (5 characters): use at least 12, e.g. a few unrelated words"
    )


def test_tokens_are_ones_own_unless_an_admin_asks(desk_api: DeskApi) -> None:
    desk_api.post("/api/v1/tokens", "viewer", json={"label": "laptop"})
    mine = desk_api.get("/api/v1/tokens", "viewer").json()
    assert [(t["account"], t["label"]) for t in mine] == [("viewer", "tests"), ("viewer", "laptop")]
    assert all("token" not in t and "secret_sha256" not in t for t in mine)
    everyone = desk_api.get("/api/v1/tokens", "admin").json()
    assert len(everyone) == 7
    theirs = desk_api.get("/api/v1/tokens", "admin", params={"account": "viewer"}).json()
    assert theirs == mine
    refused = desk_api.get("/api/v1/tokens", "viewer", params={"account": "editor"})
    assert desk_api.problem(refused, 403).startswith("viewer is a viewer and may not manage accounts")


def test_a_token_for_someone_else_needs_an_admin(desk_api: DeskApi) -> None:
    made = desk_api.post("/api/v1/tokens", "admin", json={"label": "for the build", "account": "researcher"})
    assert made.status_code == 201 and made.json()["account"] == "researcher"
    before = counts(desk_api, "editor")
    refused = desk_api.post("/api/v1/tokens", "editor", json={"label": "sneaky", "account": "admin"})
    # (access.require says "a editor": the article is access.py's to fix)
    assert desk_api.problem(refused, 403).endswith(
        " editor and may not manage accounts: that needs the admin role or above (an admin changes roles with "
        "`provenance user role NAME ROLE`)"
    )
    assert row_counts(desk_api.url) == before


def test_desk_settings_are_read_by_all_and_set_by_an_editor(desk_api: DeskApi) -> None:
    shown = desk_api.get("/api/v1/desk/settings", "viewer").json()
    assert [(s["name"], s["value"], s["updated_by"]) for s in shown] == [
        ("identities", "declared", None),
        ("second-reviewer", "on", None),
    ]
    changed = desk_api.request(
        "PUT", "/api/v1/desk/settings/identities", "editor", json={"value": "verified", "reason": "we use the server"}
    )
    assert changed.status_code == 200
    assert {k: changed.json()[k] for k in ("name", "value", "updated_by", "changed")} == {
        "name": "identities",
        "value": "verified",
        "updated_by": "editor",
        "changed": True,
    }
    unknown = desk_api.request("PUT", "/api/v1/desk/settings/colour", "editor", json={"value": "red", "reason": "x"})
    assert desk_api.problem(unknown, 404) == "no desk setting 'colour'; the settings are: second-reviewer, identities"
    missing = desk_api.request("PUT", "/api/v1/desk/settings/identities", "editor", json={"value": "declared"})
    assert desk_api.problem(missing, 422) == "reason: Field required"
