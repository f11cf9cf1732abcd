"""``provenance history``: the audit log of the desk, a claim or a source."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from provenance.cli import lazy, remote
from provenance.cli.app import cli, json_option, open_database, print_json, say
from provenance.cli.options import COUNT
from provenance.text import printable

if TYPE_CHECKING:
    from provenance import documents
    from provenance import history as domain
    from provenance.export import history as shown
else:  # loaded when the command runs: see provenance.cli.lazy
    documents, domain, shown = lazy.modules("provenance.documents", "provenance.history", "provenance.export.history")

# history.DEFAULT_LIMIT, written out so that --help need not load the log's code (tests/test_startup.py checks it)
DEFAULT_LIMIT = 50


@cli.command("history")
@click.argument("key", required=False)
@click.option("--claim", "claim_key", metavar="KEY", help="The history of this claim (when KEY also names a source).")
@click.option("--source", "source_key", metavar="KEY", help="The history of this source (when KEY also names a claim).")
@click.option(
    "--limit",
    type=COUNT,
    default=DEFAULT_LIMIT,
    show_default=True,
    help="At most this many events, the most recent.",
)
@click.option("--since", metavar="DATE", help="Only events on or after this day (UTC), e.g. 2026-11-01.")
@json_option
@click.pass_context
def history_command(
    ctx: click.Context,
    key: str | None,
    claim_key: str | None,
    source_key: str | None,
    limit: int,
    since: str | None,
    as_json: bool,
) -> None:
    """Show who changed what, when, from what to what, and why: the whole desk's recent events, or those of the
    claim or source KEY, newest first.

    A claim's history includes its evidence and the contradictions it is part of; a source's, its versions,
    rating, derivations, retraction and the evidence quoting it. When KEY names both a claim and a source, both
    histories are shown; --claim KEY or --source KEY shows one.

    \b
    Example:
        provenance history --since 2026-11-01
        provenance history suntech-diversion
        provenance history --source india-medical-aid-2020 --json
    """
    given = [(kind, value) for kind, value in (("", key), ("claim", claim_key), ("source", source_key)) if value]
    if len(given) > 1:
        raise click.UsageError("name one claim or source: KEY, --claim KEY or --source KEY")
    if remote.through_server(ctx):  # logged in, no --db: the desk's server runs it (provenance.cli.remote)
        return remote.run(ctx)
    kind, wanted = given[0] if given else ("", None)
    day = documents.parse_date_option(since) if since is not None else None
    with open_database(ctx, readonly=True) as session:
        found = domain.history(session, wanted, subject=kind or None, limit=limit, since=day)
        records = [shown.event_record(entry) for entry in found.entries]
    listed, notices = shown.shown(found, kind=kind, wanted=wanted, since=since)
    for notice in notices:
        say(notice)
    if as_json:
        print_json(records)
    else:
        click.echo(printable(listed))
