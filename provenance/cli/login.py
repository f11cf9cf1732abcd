"""``provenance login``, ``logout`` and ``whoami``: working through the desk's server instead of on a database.

After ``provenance login URL`` the daily commands (:data:`provenance.cli.remote.THROUGH_SERVER`) go to that
server, as the account signed in, whenever neither ``--db`` nor ``$PROVENANCE_DATABASE_URL`` is given; see
:mod:`provenance.cli.remote` and :mod:`provenance.client` (where the credentials are kept).
"""

from __future__ import annotations

import socket
import sys
from typing import TYPE_CHECKING

import click

from provenance.cli import lazy
from provenance.cli.app import cli, json_option, print_json, say
from provenance.errors import Invalid

if TYPE_CHECKING:
    from provenance import client, db, events
else:  # loaded when a command first uses them: see provenance.cli.lazy
    client, db, events = lazy.modules("provenance.client", "provenance.db", "provenance.events")


def _read_password(name: str, url: str) -> str:
    """The password: asked without echo on a terminal, else one line from stdin (never an argument)."""
    if sys.stdin.isatty():
        password = str(click.prompt(f"Password for {name} at {url}", hide_input=True, err=True))
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise Invalid("no password was given; type it at the prompt, or send it as one line on stdin")
    return password


@cli.command()
@click.argument("url")
@click.option(
    "--name", metavar="NAME", help="Your account's name (default: asked on a terminal, else the system user)."
)
def login(url: str, name: str | None) -> None:
    """Sign in to the desk's server at URL and keep a token for the command line, so that the daily commands
    (source add, claim add/show/list, evidence add, search, review, status, history, report) go through it
    as your account whenever no --db is given.

    The password is asked without echo on a terminal, or read as one line from stdin; it is never an argument
    and never stored. The token goes into a credentials file only you can read
    ($XDG_CONFIG_HOME/provenance/credentials.json, or $PROVENANCE_CREDENTIALS).

    Example: provenance login https://desk.example.org --name bea
    """
    address = client.server_url(url)
    if client.in_clear(address):
        say(
            f"Warning: {address} is not encrypted (http:// to another machine): your password and token travel in "
            "clear; use https://"
        )
    default_name = events.declared_name()
    if name is None:
        name = str(click.prompt("Name", default=default_name, err=True)) if sys.stdin.isatty() else default_name
    password = _read_password(name, address)
    previous = client.load_credentials()
    credentials = client.log_in(address, name, password, label=f"provenance login on {socket.gethostname()}")
    where = client.save_credentials(credentials)
    if previous is not None and previous.token_id is not None and previous.token != credentials.token:
        _revoke_quietly(previous)
    say(
        f"signed in as {credentials.name} at {address}; the daily commands now go through it (token kept in "
        f"{where}; `provenance logout` ends it)"
    )


def _revoke_quietly(previous: client.Credentials) -> None:
    """Revoke the token of an earlier login, which the new one replaces; a failure only says so."""
    try:
        with client.Server(previous.url, previous.token) as server:
            server.request("DELETE", f"/tokens/{previous.token_id}")
    except client.ServerError as exc:
        say(f"the earlier login's token at {previous.url} was not revoked: {exc}")


@cli.command()
def logout() -> None:
    """Revoke the token `provenance login` keeps, on the server, and remove the credentials file; the commands
    then work on a database again. The file is removed even when the server cannot be reached.

    Example: provenance logout
    """
    try:
        credentials = client.load_credentials(private=False)
    except Invalid as exc:  # a file login did not write: nothing to revoke, but it goes
        client.remove_credentials()
        say(f"credentials file {client.credentials_path()} removed; no token was revoked ({exc})")
        return
    if credentials is None:
        say(f"not logged in (no {client.credentials_path()}); nothing to do")
        return
    revoked = False
    reason = ""
    if credentials.token_id is None:
        reason = "the credentials file does not say which token it is"
    else:
        try:
            with client.Server(credentials.url, credentials.token) as server:
                server.request("DELETE", f"/tokens/{credentials.token_id}")
            revoked = True
        except client.ServerError as exc:
            reason = str(exc)
    client.remove_credentials()
    if revoked:
        say(f"logged out of {credentials.url}: token {credentials.token_id} revoked, credentials removed")
    else:
        say(
            f"credentials removed, but the token was not revoked on {credentials.url} ({reason}); an admin can "
            "revoke it with `provenance token revoke`"
        )


@cli.command()
@json_option
@click.pass_context
def whoami(ctx: click.Context, as_json: bool) -> None:
    """Who the commands act as: the account signed in with `provenance login` and its server, or, working on a
    database, the declared name (--as, else $PROVENANCE_USER, else the system user) and the database.

    Example: provenance whoami
    """
    root = ctx.find_root().obj
    credentials = client.load_credentials() if root.get("db") is None else None
    if credentials is not None:
        with client.Server(credentials.url, credentials.token) as server:
            account = server.request("GET", "/me").json()
        if as_json:
            print_json({**account, "server": credentials.url})
        else:
            role = account.get("role")
            click.echo(f"{account.get('name', credentials.name)} ({role}) at {credentials.url}")
        return
    declared = root.get("as")
    name = events.check_actor(declared) if declared is not None else events.declared_name()
    where = db.describe_url(db.resolve_url(root.get("db")))
    if as_json:
        print_json({"name": name, "declared": True, "database": where})
    else:
        click.echo(f"{name} (declared, not signed in) on {where}")
