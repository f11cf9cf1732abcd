"""The desk's server keeps who is acting honest: sessions, tokens, CSRF, throttling, the headers of every answer,
body limits, and one problem line (never a 500) for bad input."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from argon2 import PasswordHasher
from conftest import PASSWORD, SERVER_SECRET, DeskApi, Provenance, row_counts
from fastapi.testclient import TestClient
from sqlalchemy import select, text, update

from provenance import accounts, db
from provenance.models import ApiToken, Event, utcnow
from provenance.web.app import ServerConfig, create_app
from provenance.web.deps import public
from provenance.web.security import CONTENT_SECURITY_POLICY

# Argon2 at cheap parameters: the accounts of every test are made and signed in to many times over.
CHEAP = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)

SECURITY_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}


@pytest.fixture(autouse=True)
def cheap_hasher(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(accounts, "hasher", CHEAP)


def sign_in(api: DeskApi, name: str = "editor", password: str = PASSWORD, **kwargs: Any) -> Any:
    """Sign in; the client's cookie jar is emptied again, so that each test sends the cookie it means to."""
    response = api.post("/api/v1/session", None, json={"name": name, "password": password}, **kwargs)
    api.client.cookies.clear()
    return response


def cookie_of(response: Any) -> str:
    value = response.cookies.get("provenance_session")
    assert value, response.headers.get("set-cookie")
    return str(value)


def with_cookie(cookie: str, csrf: str | None = None) -> dict[str, str]:
    headers = {"Cookie": f"provenance_session={cookie}"}
    if csrf is not None:
        headers["X-CSRF-Token"] = csrf
    return headers


def events_of(url: str, action: str) -> list[Event]:
    engine = db.make_engine(url)
    try:
        with db.session_scope(engine, readonly=True) as session:
            return list(session.scalars(select(Event).where(Event.action == action).order_by(Event.id)))
    finally:
        engine.dispose()


@pytest.fixture
def other_app(desk_api: DeskApi) -> Iterator[Any]:
    """Another app on the same database, configured as the test says."""
    made: list[Any] = []

    def build(**config: Any) -> TestClient:
        app = create_app(ServerConfig(database_url=desk_api.url, secret=SERVER_SECRET, **config))
        client = TestClient(app, raise_server_exceptions=False)
        made.append((app, client))
        return client

    yield build
    for app, client in made:
        client.close()
        app.state.engine.dispose()


# --- sessions -----------------------------------------------------------------------------------------


def test_sign_in_sets_a_cookie_only_the_server_reads(desk_api: DeskApi) -> None:
    response = sign_in(desk_api)
    assert response.status_code == 200
    body = response.json()
    assert body["account"]["name"] == "editor" and body["account"]["role"] == "editor"
    assert "password_hash" not in body["account"]
    assert len(body["csrf_token"]) == 64
    set_cookie = response.headers["set-cookie"]
    attributes = [part.strip() for part in set_cookie.split(";")]
    assert attributes[0] == f"provenance_session={cookie_of(response)}"
    assert set(attributes[1:]) == {"HttpOnly", "Max-Age=43200", "Path=/", "SameSite=lax"}  # no Secure over http


def test_the_cookie_is_secure_over_https(desk_api: DeskApi) -> None:
    response = desk_api.client.post("https://testserver/api/v1/session", json={"name": "editor", "password": PASSWORD})
    assert response.status_code == 200
    assert "Secure" in [part.strip() for part in response.headers["set-cookie"].split(";")]


def test_forwarded_proto_counts_only_from_a_trusted_proxy(desk_api: DeskApi, other_app: Any) -> None:
    claimed = {"X-Forwarded-Proto": "https"}
    untrusted = sign_in(desk_api, headers=claimed)
    assert "Secure" not in untrusted.headers["set-cookie"]
    trusted = other_app(trust_forwarded=True, forwarded_allow_ips=("testclient",)).post(
        "/api/v1/session", json={"name": "editor", "password": PASSWORD}, headers=claimed
    )
    assert "Secure" in [part.strip() for part in trusted.headers["set-cookie"].split(";")]


def test_each_sign_in_is_a_new_session(desk_api: DeskApi) -> None:
    first, second = cookie_of(sign_in(desk_api)), cookie_of(sign_in(desk_api))
    assert first != second
    for cookie in (first, second):
        me = desk_api.get("/api/v1/me", None, headers=with_cookie(cookie))
        assert me.status_code == 200 and me.json()["identity"] == "signed-in"


def test_signing_out_ends_the_session(desk_api: DeskApi) -> None:
    response = sign_in(desk_api)
    cookie, csrf = cookie_of(response), response.json()["csrf_token"]
    out = desk_api.request("DELETE", "/api/v1/session", None, headers=with_cookie(cookie, csrf))
    assert out.status_code == 204
    assert 'provenance_session=""' in out.headers["set-cookie"] and "Max-Age=0" in out.headers["set-cookie"]
    again = desk_api.get("/api/v1/me", None, headers=with_cookie(cookie))
    assert desk_api.problem(again, 401) == "the session has ended (signed out, or the account disabled); sign in again"
    assert [e.actor for e in events_of(desk_api.url, "session.sign_out")] == ["editor"]


def test_disabling_an_account_ends_its_sessions_and_tokens_at_once(desk_api: DeskApi) -> None:
    cookie = cookie_of(sign_in(desk_api))
    assert desk_api.get("/api/v1/me", None, headers=with_cookie(cookie)).status_code == 200
    assert desk_api.get("/api/v1/me", "editor").status_code == 200
    Provenance(desk_api.url).ok("user", "disable", "editor", "--reason", "left the desk")
    assert desk_api.problem(desk_api.get("/api/v1/me", None, headers=with_cookie(cookie)), 401) == (
        "the session has ended (signed out, or the account disabled); sign in again"
    )
    token_line = desk_api.problem(desk_api.get("/api/v1/me", "editor"), 401)
    assert token_line.startswith("the API token ") and " was revoked on " in token_line
    assert desk_api.problem(sign_in(desk_api), 401) == "the account 'editor' is disabled; an admin can tell you why"


def test_an_admin_disabling_over_the_api_ends_them_too(desk_api: DeskApi) -> None:
    cookie = cookie_of(sign_in(desk_api, "researcher"))
    response = desk_api.request(
        "PATCH", "/api/v1/accounts/researcher", "admin", json={"active": False, "reason": "left the desk"}
    )
    assert response.status_code == 200
    assert response.json()["active"] is False and response.json()["changed"] is True
    assert desk_api.get("/api/v1/me", None, headers=with_cookie(cookie)).status_code == 401
    assert desk_api.get("/api/v1/me", "researcher").status_code == 401


# --- CSRF ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("csrf", [None, "", "0" * 64, "forged"])
def test_a_change_with_the_cookie_needs_its_csrf_token(desk_api: DeskApi, csrf: str | None) -> None:
    cookie = cookie_of(sign_in(desk_api))
    before = row_counts(desk_api.url)
    response = desk_api.post("/api/v1/tokens", None, json={"label": "laptop"}, headers=with_cookie(cookie, csrf))
    assert desk_api.problem(response, 403) == (
        "this change came with a missing or wrong CSRF token; reload the page and try again (scripts send the "
        "X-CSRF-Token header, or use a bearer token)"
    )
    assert row_counts(desk_api.url) == before


def test_the_csrf_token_of_another_session_does_not_do(desk_api: DeskApi) -> None:
    cookie = cookie_of(sign_in(desk_api))
    other_csrf = sign_in(desk_api, "editor2").json()["csrf_token"]
    response = desk_api.post("/api/v1/tokens", None, json={"label": "x"}, headers=with_cookie(cookie, other_csrf))
    assert response.status_code == 403


def test_a_change_with_the_cookie_and_its_csrf_token_is_made(desk_api: DeskApi) -> None:
    response = sign_in(desk_api)
    headers = with_cookie(cookie_of(response), response.json()["csrf_token"])
    made = desk_api.post("/api/v1/tokens", None, json={"label": "laptop"}, headers=headers)
    assert made.status_code == 201
    assert made.json()["account"] == "editor" and made.json()["label"] == "laptop"
    assert made.headers["location"] == f"/api/v1/tokens/{made.json()['id']}"


def test_reading_with_the_cookie_needs_no_csrf_token(desk_api: DeskApi) -> None:
    cookie = cookie_of(sign_in(desk_api))
    assert desk_api.get("/api/v1/tokens", None, headers=with_cookie(cookie)).status_code == 200


def test_a_bearer_token_needs_no_csrf_token(desk_api: DeskApi) -> None:
    made = desk_api.post("/api/v1/tokens", "editor", json={"label": "ci", "expires_days": 30})
    assert made.status_code == 201
    assert made.json()["token"].startswith("pvt_") and made.json()["expires_at"] is not None


# --- tokens -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["token={token}", "access_token={token}", "q={token}"])
def test_a_token_in_the_address_is_refused(desk_api: DeskApi, query: str) -> None:
    path = "/api/v1/me?" + query.format(token=desk_api.tokens["editor"])
    for who in (None, "editor"):
        assert desk_api.problem(desk_api.get(path, who), 401) == (
            "a token is never put in the address (it ends up in logs and histories); send it in the Authorization "
            "header as 'Bearer pvt_...', and revoke this one with `provenance token revoke`"
        )


def test_a_revoked_token_is_refused(desk_api: DeskApi) -> None:
    made = desk_api.post("/api/v1/tokens", "viewer", json={"label": "old laptop"}).json()
    mine = {"Authorization": f"Bearer {made['token']}"}
    assert desk_api.get("/api/v1/me", None, headers=mine).json()["identity"] == "token"
    revoked = desk_api.request("DELETE", f"/api/v1/tokens/{made['id']}", "viewer")
    assert revoked.status_code == 200 and revoked.json()["changed"] is True and revoked.json()["revoked_at"]
    line = desk_api.problem(desk_api.get("/api/v1/me", None, headers=mine), 401)
    assert line.startswith(f"the API token {made['id']} (old laptop) was revoked on ")
    again = desk_api.request("DELETE", f"/api/v1/tokens/{made['id']}", "viewer")
    assert again.status_code == 200 and again.json()["changed"] is False


def test_an_expired_token_is_refused(desk_api: DeskApi) -> None:
    made = desk_api.post("/api/v1/tokens", "viewer", json={"label": "a week", "expires_days": 7}).json()
    engine = db.make_engine(desk_api.url)
    try:
        with db.session_scope(engine) as session:
            session.execute(
                update(ApiToken).where(ApiToken.id == made["id"]).values(expires_at=utcnow().replace(year=2020))
            )
    finally:
        engine.dispose()
    line = desk_api.problem(desk_api.get("/api/v1/me", None, headers={"Authorization": f"Bearer {made['token']}"}), 401)
    assert line == f"the API token {made['id']} (a week) expired on 2020-{utcnow().strftime('%m-%d')}; make another"


def test_someone_elses_token_cannot_be_revoked(desk_api: DeskApi) -> None:
    made = desk_api.post("/api/v1/tokens", "editor", json={"label": "mine"}).json()
    desk_api.get("/api/v1/me", "researcher")  # its token's first use is logged: not part of what is compared
    before = row_counts(desk_api.url)
    response = desk_api.request("DELETE", f"/api/v1/tokens/{made['id']}", "researcher")
    assert desk_api.problem(response, 403).startswith("researcher is a researcher and may not manage accounts")
    assert row_counts(desk_api.url) == before


@pytest.mark.parametrize(
    ("header", "line"),
    [
        ("Basic ZWRpdG9yOnB3", "the Authorization header takes a token as 'Bearer pvt_...'"),
        ("Bearer not-a-token", "that is not an API token of this desk (they start 'pvt_')"),
        ("Bearer pvt_" + "A" * 43, "unknown API token; `provenance token list` shows yours"),
    ],
)
def test_a_bad_authorization_header_is_refused(desk_api: DeskApi, header: str, line: str) -> None:
    response = desk_api.get("/api/v1/me", None, headers={"Authorization": header})
    assert desk_api.problem(response, 401).startswith(line)


def test_token_sign_in_answers_a_token_and_leaves_no_session(desk_api: DeskApi) -> None:
    body = {"name": "reviewer", "password": PASSWORD, "label": "provenance login on laptop", "expires_days": 90}
    response = desk_api.post("/api/v1/session/token", None, json=body)
    assert response.status_code == 201
    made = response.json()
    assert made["token"].startswith("pvt_") and len(made["token"]) == 47
    assert made["account"] == "reviewer" and made["label"] == "provenance login on laptop"
    assert response.headers["location"] == f"/api/v1/tokens/{made['id']}"
    assert "set-cookie" not in response.headers
    me = desk_api.get("/api/v1/me", None, headers={"Authorization": f"Bearer {made['token']}"})
    assert me.json()["name"] == "reviewer" and me.json()["identity"] == "token"
    assert [(e.after or {}) for e in events_of(desk_api.url, "session.sign_out")][-1]["session"] is not None


# --- signing in: one answer for a wrong name and a wrong password; throttled --------------------------


def test_wrong_password_and_unknown_name_get_the_same_line(desk_api: DeskApi) -> None:
    wrong = desk_api.problem(sign_in(desk_api, "editor", "not the password at all"), 401)
    unknown = desk_api.problem(sign_in(desk_api, "nobody", PASSWORD), 401)
    assert wrong == unknown == accounts.WRONG_NAME_OR_PASSWORD
    token_route = desk_api.post(
        "/api/v1/session/token", None, json={"name": "nobody", "password": PASSWORD, "label": "x"}
    )
    assert desk_api.problem(token_route, 401) == accounts.WRONG_NAME_OR_PASSWORD


@pytest.mark.parametrize("route", ["/api/v1/session", "/api/v1/session/token"])
def test_repeated_failures_are_refused_with_retry_after(
    desk_api: DeskApi, monkeypatch: pytest.MonkeyPatch, route: str
) -> None:
    monkeypatch.setattr(accounts, "SLOW_AFTER", 100)
    monkeypatch.setattr(accounts, "REFUSE_AFTER", 3)
    body: dict[str, Any] = {"name": "editor", "password": "not the password at all"}
    if route.endswith("token"):
        body["label"] = "laptop"
    for _ in range(3):
        assert desk_api.post(route, None, json=body).status_code == 401
    refused = desk_api.post(route, None, json={**body, "password": PASSWORD})
    line = desk_api.problem(refused, 429)
    wait = int(refused.headers["retry-after"])
    assert 1 <= wait <= 15 * 60
    assert line == f"too many failed sign-ins for this name or from this address lately: try again in {wait} seconds"


def test_the_address_of_a_sign_in_is_the_peer_unless_a_proxy_is_trusted(desk_api: DeskApi, other_app: Any) -> None:
    spoofed = {"X-Forwarded-For": "203.0.113.9, 10.0.0.1"}
    assert sign_in(desk_api, headers=spoofed).status_code == 200
    trusted = other_app(trust_forwarded=True, forwarded_allow_ips=("testclient",))
    assert (
        trusted.post("/api/v1/session", json={"name": "editor", "password": PASSWORD}, headers=spoofed).status_code
        == 200
    )
    elsewhere = other_app(trust_forwarded=True, forwarded_allow_ips=("192.0.2.1",))
    assert (
        elsewhere.post("/api/v1/session", json={"name": "editor", "password": PASSWORD}, headers=spoofed).status_code
        == 200
    )
    addresses = [(e.after or {})["client_address"] for e in events_of(desk_api.url, "session.sign_in")]
    assert addresses == ["testclient", "203.0.113.9", "testclient"]


def test_the_audit_log_has_sign_ins_failures_and_token_use(desk_api: DeskApi) -> None:
    sign_in(desk_api, "editor", "not the password at all")
    sign_in(desk_api, "editor")
    desk_api.get("/api/v1/me", "viewer")
    desk_api.get("/api/v1/me", "viewer")  # a token's use is logged at most once an hour
    failed = events_of(desk_api.url, "session.sign_in_failed")
    assert [(e.actor, e.subject_key, e.reason, e.after) for e in failed] == [
        ("editor", "editor", "wrong name or password", {"client_address": "testclient"})
    ]
    signed = events_of(desk_api.url, "session.sign_in")
    assert [(e.actor, e.identity, (e.after or {})["client_address"]) for e in signed] == [
        ("editor", "signed-in", "testclient")
    ]
    used = events_of(desk_api.url, "token.use")
    assert [(e.actor, e.identity, e.after) for e in used] == [("viewer", "token", {"account": "viewer"})]


# --- headers, limits, bad requests --------------------------------------------------------------------


def test_every_answer_carries_the_security_headers(desk_api: DeskApi) -> None:
    answers = [
        desk_api.get("/api/v1/health", None),
        desk_api.get("/api/v1/me", "viewer"),
        desk_api.get("/api/v1/me", None),  # 401
        desk_api.get("/api/v1/accounts", "viewer"),  # 403
        desk_api.get("/nowhere", None),  # 404
        desk_api.post("/api/v1/session", None, content=b"{", headers={"Content-Type": "application/json"}),  # 400
        desk_api.get("/api", None),
        desk_api.get("/openapi.json", None),
    ]
    for response in answers:
        for name, value in SECURITY_HEADERS.items():
            assert response.headers.get(name) == value, (response.url, name)
        assert response.headers["cache-control"] == "no-store"
        assert "unsafe-inline" not in response.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


def test_the_api_page_lists_every_route_without_a_script(desk_api: DeskApi) -> None:
    response = desk_api.get("/api", None)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    page = response.text
    assert "<script" not in page and "style=" not in page
    assert "<code>/api/v1/session/token</code>" in page
    assert "<td>manage accounts</td>" in page and "<td>anyone</td>" in page
    assert desk_api.get("/docs", None).status_code == 404


def test_an_internal_error_is_a_500_problem_without_the_traceback(desk_api: DeskApi, caplog: Any) -> None:
    def broken() -> None:
        raise RuntimeError("secret detail of the bug")

    desk_api.client.app.add_api_route("/api/v1/broken", broken, methods=["GET"], **public())
    response = desk_api.get("/api/v1/broken", None)
    line = desk_api.problem(response, 500)
    assert line.startswith("internal error: the server failed on this request (a bug in provenance")
    assert "secret detail" not in response.text and "Traceback" not in response.text
    assert response.headers["x-content-type-options"] == "nosniff"
    assert any("secret detail of the bug" in (r.exc_text or "") for r in caplog.records)


def test_a_declared_body_over_the_limit_is_refused_before_reading(desk_api: DeskApi, other_app: Any) -> None:
    small = other_app(max_upload_bytes=1024)
    before = row_counts(desk_api.url)
    response = small.post(
        "/api/v1/tokens",
        content=b"{" + b" " * 2000 + b"}",
        headers={**desk_api.auth("editor"), "Content-Type": "application/json"},
    )
    assert DeskApi.problem(desk_api, response, 413) == (
        "the request body is larger than this server takes (0.000976562 MiB); send less at a time (e.g. one file "
        "per request), or ask whoever runs the server to raise its limit"
    )
    assert row_counts(desk_api.url) == before


def test_a_streamed_body_over_the_limit_is_stopped(desk_api: DeskApi, other_app: Any) -> None:
    small = other_app(max_upload_bytes=1024)

    def chunks() -> Iterator[bytes]:
        yield b'{"label": "'
        for _ in range(40):
            yield b"x" * 100
        yield b'"}'

    before = row_counts(desk_api.url)
    response = small.post(
        "/api/v1/tokens", content=chunks(), headers={**desk_api.auth("editor"), "Content-Type": "application/json"}
    )
    assert "content-length" not in response.request.headers
    assert DeskApi.problem(desk_api, response, 413).startswith("the request body is larger than this server takes")
    assert row_counts(desk_api.url) == before


@pytest.mark.parametrize(
    ("send", "status", "line"),
    [
        (
            {"data": {"name": "editor", "password": PASSWORD}},
            415,
            "this route takes a JSON body, not application/x-www-form-urlencoded; send it with Content-Type: "
            "application/json",
        ),
        (
            {"content": b'{"name": "editor"}', "headers": {"Content-Type": "text/plain"}},
            415,
            "this route takes a JSON body, not text/plain; send it with Content-Type: application/json",
        ),
        (
            {"content": b'{"name": "editor", ', "headers": {"Content-Type": "application/json"}},
            400,
            "the request body is not valid JSON; send a JSON object (Content-Type: application/json)",
        ),
        (
            {"json": {"name": "editor", "password": PASSWORD, "remember": True}},
            422,
            "unknown field 'remember'; leave it out (see /openapi.json for the fields)",
        ),
        ({"json": {"name": "editor"}}, 422, "password: Field required"),
        (
            {"json": ["editor", PASSWORD]},
            422,
            "the request: Input should be a valid dictionary or object to extract fields from",
        ),
    ],
)
def test_bad_bodies_get_one_line_and_nothing_is_written(
    desk_api: DeskApi, send: dict[str, Any], status: int, line: str
) -> None:
    before = row_counts(desk_api.url)
    response = desk_api.post("/api/v1/session", None, **send)
    assert desk_api.problem(response, status) == line
    assert "set-cookie" not in response.headers
    assert row_counts(desk_api.url) == before


def test_an_unknown_address_and_a_wrong_method_are_problems(desk_api: DeskApi) -> None:
    assert desk_api.problem(desk_api.get("/api/v1/nothing-here"), 404) == (
        "nothing at /api/v1/nothing-here; /api lists this server's routes (they all start /api/v1)"
    )
    wrong = desk_api.request("PUT", "/api/v1/health")
    assert desk_api.problem(wrong, 405) == "PUT is not allowed on /api/v1/health; it takes GET"
    assert wrong.headers["allow"] == "GET"


def test_the_documented_sql_signs_everyone_out(desk_api: DeskApi) -> None:
    """docs/server.md: the statement that ends every session at once."""
    cookies = [cookie_of(sign_in(desk_api, name)) for name in ("viewer", "editor")]
    engine = db.make_engine(desk_api.url)
    try:
        with db.session_scope(engine) as session:
            session.execute(text("UPDATE desk_session SET ended_at = CURRENT_TIMESTAMP WHERE ended_at IS NULL"))
    finally:
        engine.dispose()
    for cookie in cookies:
        assert desk_api.get("/api/v1/me", None, headers=with_cookie(cookie)).status_code == 401
    assert desk_api.get("/api/v1/me", "viewer").status_code == 200  # tokens are not sessions


def test_an_upload_over_the_limit_is_refused_and_nothing_captured(desk_api: DeskApi, other_app: Any) -> None:
    small = other_app(max_upload_bytes=1024)
    desk_api.get("/api/v1/me", "editor")  # the token's first use is logged: not part of what is compared
    before = row_counts(desk_api.url)
    response = small.post(
        "/api/v1/sources",
        files={"files": ("long.txt", b"A sentence of an article. " * 200, "text/plain")},
        headers=desk_api.auth("editor"),
    )
    assert DeskApi.problem(desk_api, response, 413).startswith("the request body is larger than this server takes")
    assert row_counts(desk_api.url) == before


def test_a_streamed_upload_over_the_limit_is_stopped(desk_api: DeskApi, other_app: Any) -> None:
    small = other_app(max_upload_bytes=1024)
    desk_api.get("/api/v1/me", "editor")  # the token's first use is logged: not part of what is compared
    boundary = "provenance-test-boundary"

    def chunks() -> Iterator[bytes]:
        yield (
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="long.txt"\r\n'
            "Content-Type: text/plain\r\n\r\n"
        ).encode()
        for _ in range(50):
            yield b"A sentence of an article. " * 4
        yield f"\r\n--{boundary}--\r\n".encode()

    before = row_counts(desk_api.url)
    response = small.post(
        "/api/v1/sources",
        content=chunks(),
        headers={**desk_api.auth("editor"), "Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert DeskApi.problem(desk_api, response, 413).startswith("the request body is larger than this server takes")
    assert row_counts(desk_api.url) == before
