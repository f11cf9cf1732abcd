"""Signing in and out, the token ``provenance login`` asks for, and the signed-in person's own account.

Signing in (``POST /session``) sets the ``provenance_session`` cookie and answers the CSRF token that every change
made with that cookie must carry (header ``X-CSRF-Token``, or a form's ``csrf_token`` field). The cookie is
``HttpOnly`` (no script reads it), ``SameSite=Lax`` (sent when following a link to the desk from elsewhere, so that
a link in an email opens the page signed in; never sent with another site's POST, and changes need the CSRF token
anyway), ``Path=/``, ``Secure`` when the request came over HTTPS, and lasts as long as the session
(:data:`provenance.accounts.SESSION_HOURS`). Every sign-in makes a new session secret.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict

from provenance import accounts, db, events
from provenance.access import Permission
from provenance.web.deps import (
    SESSION_COOKIE,
    DeskDep,
    client_address,
    csrf_token,
    engine_of,
    is_https,
    needs,
    public,
)

router = APIRouter(tags=["session"])


class SignIn(BaseModel):
    """A name and a password."""

    model_config = ConfigDict(extra="forbid")
    name: str
    password: str


class TokenSignIn(BaseModel):
    """A name and a password, and the token to make: its label (where it is used), its lifetime in days (default:
    it does not expire)."""

    model_config = ConfigDict(extra="forbid")
    name: str
    password: str
    label: str
    expires_days: int | None = None


class NewPassword(BaseModel):
    """The current password, and the new one (at least 12 characters)."""

    model_config = ConfigDict(extra="forbid")
    current_password: str
    password: str


@router.post("/session", **public())
def sign_in(body: SignIn, request: Request, response: Response) -> dict[str, Any]:
    """Sign in: sets the session cookie and answers the account and the CSRF token changes must carry. A wrong
    name and a wrong password get the same answer (401); repeated failures are slowed, then refused (429)."""
    with db.session_scope(engine_of(request)) as session:
        desk_session, secret, actor = accounts.sign_in(
            session, body.name, body.password, client_address=client_address(request)
        )
        record = accounts.account_record(accounts.get_account(session, actor.name))
        expires_at = desk_session.expires_at.isoformat()
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        max_age=accounts.SESSION_HOURS * 3600,
        path="/",
        httponly=True,
        samesite="lax",
        secure=is_https(request),
    )
    return {
        "account": record,
        "csrf_token": csrf_token(request.app.state.config.secret, secret),
        "expires_at": expires_at,
    }


@router.delete("/session", status_code=204, **needs(Permission.OWN_ACCOUNT))
def sign_out(desk: DeskDep, request: Request) -> Response:
    """Sign out: the session ends (its cookie no longer works anywhere) and the cookie is cleared."""
    secret = request.cookies.get(SESSION_COOKIE)
    if secret:
        with desk.writing() as session:
            accounts.sign_out(session, secret)
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=is_https(request))
    return response


@router.post("/session/token", status_code=201, **public())
def token_sign_in(body: TokenSignIn, request: Request, response: Response) -> dict[str, Any]:
    """Sign in for a program (what `provenance login URL` does): answers a new API token, shown this once. Checked
    and throttled as signing in is; no session is left open."""
    with db.session_scope(engine_of(request)) as session:
        _desk_session, secret, actor = accounts.sign_in(
            session, body.name, body.password, client_address=client_address(request)
        )
        with events.acting_as(actor):
            token, token_secret = accounts.create_token(session, body.label, expires_days=body.expires_days)
            accounts.sign_out(session, secret)
        record = accounts.token_record(token)
    response.headers["Location"] = f"{request.scope.get('root_path', '')}/api/v1/tokens/{token.id}"
    return {"token": token_secret, **record}


@router.get("/me", **needs(Permission.READ))
def me(desk: DeskDep) -> dict[str, Any]:
    """The account of whoever is asking, and how the server knows them (signed_in or token)."""
    with desk.reading() as session:
        record = accounts.account_record(accounts.get_account(session, desk.actor.name))
    return {**record, "identity": desk.actor.identity.value}


@router.put("/me/password", status_code=204, **needs(Permission.OWN_ACCOUNT))
def change_password(body: NewPassword, desk: DeskDep) -> Response:
    """Change one's own password, giving the current one. Every sign-in of the account ends (sign in again with
    the new one); its tokens stay."""
    with desk.writing() as session:
        accounts.set_password(session, desk.actor.name, body.password, current=body.current_password)
    return Response(status_code=204)
