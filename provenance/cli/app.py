"""The ``provenance`` command group, how it reports errors, and the schema commands.

Each command parses its arguments, calls one domain function and prints. Errors the user can fix
(:class:`ProvenanceError`) become one ``Error: ...`` line on stderr and exit code 1, in
:meth:`ProvenanceGroup.main` only; usage mistakes exit 2 with one line too. Anything else is a bug: one
``Error: internal error: ...`` line and exit code 70 (``EX_SOFTWARE``), with the traceback only under ``--debug``
(or ``PROVENANCE_DEBUG=1``).
"""

from __future__ import annotations

import atexit
import gc
import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, NoReturn

import click

from provenance import __version__
from provenance.cli import lazy
from provenance.errors import ProvenanceError
from provenance.text import printable

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from provenance import access, db, events, search
else:  # loaded when a command first uses them: see provenance.cli.lazy
    access, db, events, search = lazy.modules(
        "provenance.access", "provenance.db", "provenance.events", "provenance.search"
    )

# db.URL_ENV and events.USER_ENV, written out so that --help need not load SQLAlchemy's ORM and the models
# (tests/test_startup.py checks they agree)
URL_ENV = "PROVENANCE_DATABASE_URL"
USER_ENV = "PROVENANCE_USER"

DEBUG_ENV = "PROVENANCE_DEBUG"
# The exit code of an internal error (a bug), apart from 1 (an error the user can fix) and 2 (a usage mistake).
INTERNAL_ERROR_EXIT = 70
INTERNAL_ERROR_CHARS = 300


def _skip_the_last_collection() -> None:
    """At exit, put every object in the collector's permanent generation, which it never goes through.

    Python runs the cyclic garbage collector over every object once more as it exits, to free objects that only
    refer to each other; with SQLAlchemy's ORM and the models loaded that is some hundreds of thousands, and took
    longer than most commands take to run (150 ms of a 600 ms ``claim show``). The process's memory goes back to
    the system as it ends in any case. Every file and connection a command opens is closed by the command itself
    (``with`` blocks, :func:`open_database`), so nothing is left for that collection to finish.
    """
    gc.freeze()


atexit.register(_skip_the_last_collection)


class ProvenanceGroup(click.Group):
    """A click group that reports every error in a single line."""

    # Set by the --debug option (or $PROVENANCE_DEBUG) of the command being run: show an internal error's traceback.
    debug = False

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        self.debug = os.environ.get(DEBUG_ENV, "") not in ("", "0")
        try:
            result = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except ProvenanceError as exc:
            fail(str(exc), 1)
        except click.UsageError as exc:
            hint = f" (see `{exc.ctx.command_path} --help`)" if exc.ctx is not None else ""
            fail(exc.format_message() + hint, exc.exit_code)
        except click.ClickException as exc:
            fail(exc.format_message(), exc.exit_code)
        except click.Abort:
            fail("aborted", 1)
        except Exception as exc:
            if self.debug:
                raise
            # the first line only: a database error goes on with its SQL and parameters
            said = (str(exc).strip().splitlines() or [""])[0]
            said = said if len(said) <= INTERNAL_ERROR_CHARS else said[: INTERNAL_ERROR_CHARS - 3] + "..."
            what = f"{type(exc).__name__}: {said}" if said else type(exc).__name__
            fail(
                f"internal error: {what} (a bug in provenance: run the command again with --debug for the "
                "traceback, and report it)",
                INTERNAL_ERROR_EXIT,
            )
        sys.exit(result if isinstance(result, int) else 0)


def _show_tracebacks(ctx: click.Context, value: bool) -> None:
    group = ctx.find_root().command
    if value and isinstance(group, ProvenanceGroup):
        group.debug = True


def fail(message: str, code: int) -> NoReturn:
    click.echo(f"Error: {printable(' '.join(message.split()))}", err=True)  # no control character reaches the terminal
    sys.exit(code)


def print_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def say(message: str) -> None:
    """Progress and hints go to stderr, so that stdout holds only the result."""
    click.echo(message, err=True)


json_option = click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON only.")
# For commands that change a claim: the change is refused (nothing written) if the claim has moved on.
expect_version_option = click.option(
    "--expect-version",
    "expected_version",
    type=click.IntRange(min=1),
    metavar="N",
    help="Change the claim only if it is still at version N, as `provenance claim show` printed it (nobody "
    "changed it since you read it).",
)


@contextmanager
def open_database(ctx: click.Context, *, readonly: bool = False) -> Iterator[Session]:
    """A session on the chosen database at the current schema, committed only if the command succeeds.
    Commands that only read say ``readonly``: on SQLite they then neither wait for writers nor hold them up.

    A claim someone else changed meanwhile fails the command with one :class:`~provenance.errors.Conflict` line
    and nothing saved (see :func:`provenance.db.session_scope`)."""
    from provenance.cli import remote  # logged in to a server and no --db: refused (provenance.cli.remote)

    remote.refuse_local(ctx)
    engine = db.make_engine(ctx.find_root().obj["db"], application_name=_application_name(ctx))
    try:
        with db.driver_errors(engine):
            db.require_current_schema(engine)
            with db.session_scope(engine, readonly=readonly) as session:
                actor = access.command_line_actor(session, ctx.find_root().obj.get("as"))
                with events.acting_as(actor):  # for this command only
                    yield session
    finally:
        engine.dispose()


def _application_name(ctx: click.Context) -> str:
    """``provenance source add``: how other sessions see this command on PostgreSQL (pg_stat_activity)."""
    return " ".join(["provenance", *ctx.command_path.split()[1:]])


def with_engine(ctx: click.Context, action: Callable[[Any], Any]) -> Any:
    from provenance.cli import remote  # logged in to a server and no --db: refused (provenance.cli.remote)

    remote.refuse_local(ctx)
    engine = db.make_engine(ctx.find_root().obj["db"], application_name=_application_name(ctx))
    try:
        with db.driver_errors(engine):
            return action(engine)
    finally:
        engine.dispose()


@click.group(cls=ProvenanceGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    metavar="URL",
    envvar=URL_ENV,
    help=f"Database URL or SQLite file path (default: ./provenance.db; also ${URL_ENV}).",
)
@click.option(
    "--as",
    "actor",
    metavar="NAME",
    help=f"Who is acting, for the audit log and every 'by' this command records (default: ${USER_ENV}, "
    "else the system user).",
)
@click.option(
    "--debug",
    is_flag=True,
    expose_value=False,
    callback=lambda ctx, _param, value: _show_tracebacks(ctx, value),
    help=f"Show the traceback of an internal error (a bug) instead of one line (also ${DEBUG_ENV}=1).",
)
@click.version_option(__version__, prog_name="provenance")
@click.pass_context
def cli(ctx: click.Context, db: str | None, actor: str | None) -> None:
    """Track where every claim came from, how sure we are, and who says otherwise.

    \b
    Example:
        provenance init
        provenance source add sources/*.txt
        provenance import sources/demo-claims.yaml
        provenance claim show suntech-diversion

    \b
    Exit codes: 0 done; 1 an error, said in one line starting "Error:";
    2 a usage mistake; 70 an internal error (a bug: run again with --debug
    for the traceback).
    """
    # who acts is settled when the command opens the database: a desk of verified identities refuses --as
    ctx.obj = {"db": db, "as": actor}


# --- database -----------------------------------------------------------------------------------------


@cli.command()
@click.pass_context
def init(ctx: click.Context) -> None:
    """Create the database, or upgrade it to the current schema.

    Example: provenance --db postgresql://postgres@localhost/desk init
    """

    def action(engine: Any) -> None:
        before, after = db.upgrade(engine)
        where = db.describe_url(engine.url)
        if before == after:
            say(f"{where} is already at schema {after}")
        else:
            say(f"{where} {'created' if before is None else 'upgraded'} at schema {after}")

    with_engine(ctx, action)


@cli.group("db", cls=ProvenanceGroup)
def db_group() -> None:
    """Inspect and migrate the database schema.

    Example: provenance db current
    """


@db_group.command("current")
@json_option
@click.pass_context
def db_current(ctx: click.Context, as_json: bool) -> None:
    """Show the database's schema revision.

    Example: provenance db current
    """

    def action(engine: Any) -> str | None:
        db.require_existing(engine)
        return db.check_known_revision(engine)

    revision = with_engine(ctx, action)
    head = db.head_revision()
    if as_json:
        print_json({"revision": revision, "head": head, "up_to_date": revision == head})
    else:
        state = "up to date" if revision == head else f"behind: latest is {head}"
        click.echo(f"{revision or 'none (run `provenance init`)'} ({state})")


@db_group.command("history")
@json_option
def db_history(as_json: bool) -> None:
    """List the schema revisions this provenance knows, newest first.

    Example: provenance db history
    """
    history = db.revision_history()
    if as_json:
        print_json(history)
    else:
        for entry in history:
            click.echo(f"{entry['revision']}  {entry['message']}")


@db_group.command("upgrade")
@click.argument("revision", default="head")
@click.pass_context
def db_upgrade(ctx: click.Context, revision: str) -> None:
    """Migrate the schema up to REVISION (default: the latest).

    Example: provenance db upgrade
    """
    before, after = with_engine(ctx, lambda engine: db.upgrade(engine, revision))
    say(f"schema {before or 'none'} -> {after}")


@db_group.command("downgrade")
@click.argument("revision")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation (back up the database first).")
@click.pass_context
def db_downgrade(ctx: click.Context, revision: str, yes: bool) -> None:
    """Migrate the schema down to REVISION ('base' drops every table and all data, the audit log included).

    Every downgrade that undoes a revision drops data, so it asks first on a terminal; elsewhere it needs --yes.

    Example: provenance db downgrade base --yes
    """

    def action(engine: Any) -> tuple[str | None, str | None]:
        confirmed = yes
        losses = None if yes else db.downgrade_losses(engine, revision)
        if losses is not None and interactive():
            question = f"{losses}; {db.backup_advice(engine)}. Downgrade now?"
            if not click.confirm(question, default=False, err=True):
                raise ProvenanceError("nothing was changed: the downgrade was not confirmed")
            confirmed = True
        return db.downgrade(engine, revision, confirmed=confirmed)

    before, after = with_engine(ctx, action)
    say(f"schema {before or 'none'} -> {after or 'none'}")


def interactive() -> bool:
    """Whether a person at a terminal can answer a question."""
    return sys.stdin.isatty() and sys.stderr.isatty()


@db_group.command("reindex")
@click.pass_context
def db_reindex(ctx: click.Context) -> None:
    """Rebuild the full-text search indexes of sentences and claims.

    Example: provenance db reindex
    """
    with open_database(ctx) as session:
        search.reindex(session)
    say("search indexes rebuilt")
