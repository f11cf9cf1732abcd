"""Commands for the desk's accounts (``provenance user ...``) and API tokens (``provenance token ...``).

A password is never taken from an argument (it would be in the shell's history and in the process list): it is
typed twice at a hidden prompt on a terminal, or read as one line from standard input when that is not a terminal
(``printf '%s\\n' "$PASSWORD" | provenance user add ana --role editor``). A token's secret is printed once, alone on
standard output, when it is made.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from provenance.cli import lazy
from provenance.cli.app import ProvenanceGroup, cli, json_option, open_database, print_json, say
from provenance.errors import Invalid
from provenance.export.tables import table as columns
from provenance.text import printable

if TYPE_CHECKING:
    import datetime as dt

    from provenance import access, accounts
else:  # loaded when a command first uses them: see provenance.cli.lazy
    access, accounts = lazy.modules("provenance.access", "provenance.accounts")

# access.ROLES, written out so that --help need not load the models (tests/test_accounts.py checks they agree)
ROLE_WORDS = "viewer, researcher, reviewer, editor, admin"


def on_terminal() -> bool:
    return sys.stdin.isatty()


def read_password(what: str) -> str:
    """A password typed twice at a hidden prompt on a terminal, else one line of standard input."""
    if on_terminal():
        typed: str = click.prompt(what, hide_input=True, confirmation_prompt=True, err=True)
        return typed
    line = sys.stdin.readline()
    if not line:
        raise Invalid(
            "no password: type it at the prompt on a terminal, or give it as one line on standard input "
            "(never as an argument)"
        )
    return line.removesuffix("\n").removesuffix("\r")


def _day(value: dt.datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value is not None else "-"


# --- users --------------------------------------------------------------------------------------------


@cli.group("user", cls=ProvenanceGroup)
def user_group() -> None:
    """The desk's accounts: who signs in to its server, and with what role.

    Example: provenance user add ana.lima --role editor --display-name "Ana Lima"
    """


@user_group.command("add")
@click.argument("name")
@click.option("--role", required=True, metavar="ROLE", help=f"One of: {ROLE_WORDS}.")
@click.option("--display-name", metavar="TEXT", help="How the desk shows the person (default: NAME).")
@click.pass_context
def user_add(ctx: click.Context, name: str, role: str, display_name: str | None) -> None:
    """Add the account NAME (1-64 lowercase letters, digits, '.', '_' or '-') with a role. Its password (at least
    12 characters) is typed twice at a hidden prompt, or read as one line from standard input.

    Example: provenance user add ana.lima --role editor --display-name "Ana Lima"
    """
    accounts.check_name(name)  # before asking for a password
    access.parse_role(role)
    password = read_password(f"Password for {name}")
    with open_database(ctx) as session:
        account = accounts.add_account(session, name, password, role=role, display_name=display_name)
        line = f"{account.name}\t{account.role.value}\t{account.display_name}"
    click.echo(printable(line))


@user_group.command("list")
@json_option
@click.pass_context
def user_list(ctx: click.Context, as_json: bool) -> None:
    """List the accounts: name, display name, role, whether active, when and by whom added.

    Example: provenance user list
    """
    with open_database(ctx, readonly=True) as session:
        found = [accounts.account_record(a) for a in accounts.list_accounts(session)]
    if as_json:
        print_json(found)
    elif not found:
        click.echo("No accounts yet: `provenance user add NAME --role ROLE` adds one.")
    else:
        rows = [
            (
                a["name"],
                a["display_name"],
                a["role"],
                "yes" if a["active"] else f"no (disabled {a['disabled_at'][:10]})",
                a["created_at"][:10],
                a["created_by"] or "-",
            )
            for a in found
        ]
        click.echo(printable(columns(["name", "display name", "role", "active", "added", "by"], rows)))


@user_group.command("role")
@click.argument("name")
@click.argument("role", metavar="ROLE")
@click.pass_context
def user_role(ctx: click.Context, name: str, role: str) -> None:
    """Give the account NAME another ROLE (viewer, researcher, reviewer, editor or admin). The desk's last
    active admin stays an admin.

    Example: provenance user role ana.lima reviewer
    """
    with open_database(ctx) as session:
        account, changed = accounts.set_role(session, name, role)
        line = f"{account.name}\t{account.role.value}"
    if not changed:
        say(f"{name} is already a {account.role.value}; nothing changed")
    click.echo(line)


@user_group.command("disable")
@click.argument("name")
@click.option("--reason", help="Why (required; goes into the log).")
@click.pass_context
def user_disable(ctx: click.Context, name: str, reason: str | None) -> None:
    """Disable the account NAME, saying why: it can no longer sign in, its sessions end and its tokens are
    revoked, at once. Accounts are never deleted (the log names them).

    Example: provenance user disable bea --reason "left the desk in March"
    """
    with open_database(ctx) as session:
        account, changed = accounts.disable_account(session, name, reason=reason)
        line = f"{account.name}\tdisabled"
    if not changed:
        say(f"{name} is already disabled; nothing changed")
    click.echo(line)


@user_group.command("passwd")
@click.argument("name")
@click.pass_context
def user_passwd(ctx: click.Context, name: str) -> None:
    """Set the password of the account NAME (one's own, or anyone's for an admin), typed twice at a hidden
    prompt or read as one line from standard input.

    Example: provenance user passwd ana.lima
    """
    password = read_password(f"New password for {name}")
    with open_database(ctx) as session:
        accounts.set_password(session, name, password)
    click.echo(f"{name}\tpassword changed")


# --- tokens -------------------------------------------------------------------------------------------


@cli.group("token", cls=ProvenanceGroup)
def token_group() -> None:
    """API tokens: what scripts and the command line show the desk's server instead of signing in.

    Example: provenance token create --name laptop --expires 90
    """


@token_group.command("create")
@click.option("--name", "label", required=True, metavar="LABEL", help="Where the token is used, e.g. laptop.")
@click.option("--expires", type=int, metavar="DAYS", help="Expire after DAYS days (1-3650; default: never).")
@click.option("--for", "account", metavar="NAME", help="The account it acts as (default: yours).")
@click.pass_context
def token_create(ctx: click.Context, label: str, expires: int | None, account: str | None) -> None:
    """Make an API token and print its secret, once: the desk keeps only its SHA-256, so keep it somewhere safe.

    Example: provenance token create --name laptop --expires 90 --for ana.lima
    """
    with open_database(ctx) as session:
        token, secret = accounts.create_token(session, label, expires_days=expires, account_name=account)
        note = (
            f"token {token.id} ({token.label}) for {token.account.name}, "
            f"{'expires ' + _day(token.expires_at) + ' UTC' if token.expires_at else 'does not expire'}: "
            "its secret is printed once, now, and cannot be shown again"
        )
    say(printable(note))
    click.echo(secret)


@token_group.command("list")
@click.option("--for", "account", metavar="NAME", help="Only this account's tokens.")
@json_option
@click.pass_context
def token_list(ctx: click.Context, account: str | None, as_json: bool) -> None:
    """List API tokens (never their secrets): id, account, label, when made, expires, last used, revoked.

    Example: provenance token list --for ana.lima
    """
    with open_database(ctx, readonly=True) as session:
        found = accounts.list_tokens(session, account)
        records = [accounts.token_record(t) for t in found]
        rows = [
            [t.id, t.account.name, t.label]
            + [_day(when) for when in (t.created_at, t.expires_at, t.last_used_at, t.revoked_at)]
            for t in found
        ]
    if as_json:
        print_json(records)
    elif not rows:
        click.echo("No tokens yet: `provenance token create --name LABEL` makes one.")
    else:
        headers = ["id", "account", "label", "created", "expires", "last used", "revoked"]
        click.echo(printable(columns(headers, rows)))


@token_group.command("revoke")
@click.argument("token_id", metavar="ID", type=int)
@click.pass_context
def token_revoke(ctx: click.Context, token_id: int) -> None:
    """Revoke the API token ID (`provenance token list` shows the ids): it stops working at once.

    Example: provenance token revoke 3
    """
    with open_database(ctx) as session:
        token, changed = accounts.revoke_token(session, token_id)
        line = f"token {token.id}\trevoked"
    if not changed:
        say(f"token {token_id} is already revoked; nothing changed")
    click.echo(line)
