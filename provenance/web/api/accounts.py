"""The desk's accounts (admins only) and API tokens (each their own; an admin anyone's), as ``provenance user``
and ``provenance token`` manage them on the command line."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict

from provenance import accounts
from provenance.access import Permission
from provenance.errors import Invalid
from provenance.web.deps import DeskDep, needs
from provenance.web.negotiate import DEFAULT_LIMIT, page

router = APIRouter(tags=["accounts"])


class NewToken(BaseModel):
    """A token's label (where it is used), its lifetime in days (default: it does not expire), and whose it is
    (default: one's own; another's needs an admin)."""

    model_config = ConfigDict(extra="forbid")
    label: str
    expires_days: int | None = None
    account: str | None = None


class NewAccount(BaseModel):
    """An account: its name (what its owner signs in with), password, role and display name."""

    model_config = ConfigDict(extra="forbid")
    name: str
    password: str
    role: str
    display_name: str | None = None


class AccountChange(BaseModel):
    """What to change: a role; ``active: false`` with a reason (disables it: its sessions end and its tokens are
    revoked at once); or a new password."""

    model_config = ConfigDict(extra="forbid")
    role: str | None = None
    active: bool | None = None
    reason: str | None = None
    password: str | None = None


def _location(request: Request, path: str) -> dict[str, str]:
    return {"Location": f"{request.scope.get('root_path', '')}/api/v1{path}"}


# --- tokens -------------------------------------------------------------------------------------------


@router.get("/tokens", **needs(Permission.OWN_ACCOUNT))
def list_tokens(
    desk: DeskDep,
    request: Request,
    response: Response,
    account: str | None = None,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> list[dict[str, Any]]:
    """Tokens, oldest first, revoked and expired ones too (never their secrets): one's own, or an admin's pick
    (``account``; every token without it)."""
    with desk.reading() as session:
        found = accounts.list_tokens(session, account)
        chosen, headers = page(request, found, lambda t: [t.id], cursor=cursor, limit=limit)
        records = [accounts.token_record(t) for t in chosen]
    response.headers.update(headers)
    return records


@router.post("/tokens", status_code=201, **needs(Permission.OWN_ACCOUNT))
def create_token(body: NewToken, desk: DeskDep, request: Request, response: Response) -> dict[str, Any]:
    """Make an API token; its secret (``token``) is in this answer only."""
    with desk.writing() as session:
        token, secret = accounts.create_token(
            session, body.label, expires_days=body.expires_days, account_name=body.account
        )
        record = accounts.token_record(token)
    response.headers.update(_location(request, f"/tokens/{token.id}"))
    return {"token": secret, **record}


@router.delete("/tokens/{token_id}", **needs(Permission.OWN_ACCOUNT))
def revoke_token(token_id: int, desk: DeskDep) -> dict[str, Any]:
    """Revoke a token (one's own; an admin anyone's): it stops working at once."""
    with desk.writing() as session:
        token, changed = accounts.revoke_token(session, token_id)
        return {**accounts.token_record(token), "changed": changed}


# --- accounts -----------------------------------------------------------------------------------------


@router.get("/accounts", **needs(Permission.MANAGE_ACCOUNTS))
def list_accounts(
    desk: DeskDep, request: Request, response: Response, cursor: str | None = None, limit: int = DEFAULT_LIMIT
) -> list[dict[str, Any]]:
    """Every account, active or not, by name (as `provenance user list --json` prints them)."""
    with desk.reading() as session:
        found = accounts.list_accounts(session)
        chosen, headers = page(request, found, lambda a: [a.name], cursor=cursor, limit=limit)
        records = [accounts.account_record(a) for a in chosen]
    response.headers.update(headers)
    return records


@router.post("/accounts", status_code=201, **needs(Permission.MANAGE_ACCOUNTS))
def add_account(body: NewAccount, desk: DeskDep, request: Request, response: Response) -> dict[str, Any]:
    """Add an account with its password and role."""
    with desk.writing() as session:
        account = accounts.add_account(
            session, body.name, body.password, role=body.role, display_name=body.display_name
        )
        record = accounts.account_record(account)
    response.headers.update(_location(request, f"/accounts/{account.name}"))
    return record


@router.get("/accounts/{name}", **needs(Permission.MANAGE_ACCOUNTS))
def show_account(name: str, desk: DeskDep) -> dict[str, Any]:
    """One account."""
    with desk.reading() as session:
        return accounts.account_record(accounts.get_account(session, name))


@router.patch("/accounts/{name}", **needs(Permission.MANAGE_ACCOUNTS))
def change_account(name: str, body: AccountChange, desk: DeskDep) -> dict[str, Any]:
    """Change an account's role, disable it (``active: false`` with a ``reason``), or reset its password."""
    given = [field for field in ("role", "active", "password") if getattr(body, field) is not None]
    if len(given) != 1:
        raise Invalid("say one thing to change: role, active (false, with a reason, disables the account) or password")
    if body.reason is not None and body.active is None:
        raise Invalid("a reason goes with active: false (disabling the account); leave it out")
    with desk.writing() as session:
        if body.role is not None:
            account, changed = accounts.set_role(session, name, body.role)
        elif body.active is not None:
            if body.active:
                account = accounts.get_account(session, name)
                if not account.active:
                    raise Invalid(
                        f"the account {name!r} is disabled and stays so (the log names it); add a new account "
                        "for its owner"
                    )
                changed = False
            else:
                account, changed = accounts.disable_account(session, name, reason=body.reason)
        else:
            assert body.password is not None
            accounts.set_password(session, name, body.password)
            account, changed = accounts.get_account(session, name), True
        return {**accounts.account_record(account), "changed": changed}
