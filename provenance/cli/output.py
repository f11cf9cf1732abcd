"""Commands that write reports and exports, and the one way they write files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from provenance.cli import lazy, remote
from provenance.cli.app import cli, open_database, say
from provenance.errors import Invalid

if TYPE_CHECKING:
    from provenance import db, documents, outfile
    from provenance import report as reports  # `report` is the command
    from provenance.export import formats
else:  # loaded when a command first uses them: see provenance.cli.lazy
    (
        db,
        documents,
        outfile,
        reports,
        formats,
    ) = lazy.modules(
        "provenance.db",
        "provenance.documents",
        "provenance.outfile",
        "provenance.report",
        "provenance.export.formats",
    )

# citations.STYLES and report.ORDERS, written out so that --help need not load them (tests/test_startup.py checks
# they agree)
STYLES = ("apa", "chicago-author-date")
ORDERS = ("key", "entity", "status")

OUTPUT_HELP = (
    "Write to this file instead of stdout. It is replaced whole and keeps its permissions; a symbolic link is "
    "written through to the file it points to; the database, a folder or a device is refused."
)
output_option = click.option("--output", "-o", type=click.Path(path_type=Path), help=OUTPUT_HELP)


def database_files(ctx: click.Context) -> list[Path]:
    """The chosen database's own files, which no output may overwrite."""
    return outfile.database_files(db.resolve_url(ctx.find_root().obj["db"]))


def check_output(ctx: click.Context, output: Path | None) -> None:
    """Refuse an output path that cannot or must not be written, before any work is done."""
    if output is not None:
        outfile.check(output, protected=database_files(ctx))


def selection_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """--claim, --about, --status and --since: which claims a report or export covers."""
    for option in reversed(
        [
            click.option("--claim", "keys", multiple=True, metavar="KEY", help="Only these claims (repeatable)."),
            click.option(
                "--about", multiple=True, metavar="ENTITY", help="Only claims about this entity (repeatable)."
            ),
            click.option(
                "--status",
                "statuses",
                multiple=True,
                metavar="STATUS",
                help="Only claims with this status (repeatable).",
            ),
            click.option("--since", metavar="DATE", help="Only claims created or changed on or after this date."),
        ]
    ):
        command = option(command)
    return command


def _selection(
    keys: tuple[str, ...], about: tuple[str, ...], statuses: tuple[str, ...], since: str | None
) -> reports.Selection:
    return reports.Selection(
        keys=keys, about=about, statuses=statuses, since=documents.parse_date_option(since) if since else None
    )


def _emit(ctx: click.Context, content: str | bytes, output: Path | None, what: str) -> None:
    """Print ``content`` to stdout, or write it whole to ``output``."""
    if output is None:
        if isinstance(content, bytes):
            raise Invalid(f"{what} is binary; write it to a file with --output")
        click.echo(content, nl=False)
    else:
        outfile.write(output, content, protected=database_files(ctx))
        say(f"{what} written to {output}")


REPORT_FORMATS = ("markdown", "html", "json", "pdf")


@cli.command()
@click.option(
    "--format",
    "fmt",
    default="markdown",
    show_default=True,
    metavar="FORMAT",
    help=f"One of: {', '.join(REPORT_FORMATS)} (pdf needs provenance[pdf]).",
)
@click.option("--style", default="apa", show_default=True, help=f"Citation style: {', '.join(STYLES)}.")
@click.option("--order", default="key", show_default=True, help=f"Order claims by: {', '.join(ORDERS)} (then key).")
@selection_options
@click.option("--title", default="Cited report", show_default=True, help="The report's heading.")
@output_option
@click.pass_context
def report(
    ctx: click.Context,
    fmt: str,
    style: str,
    order: str,
    keys: tuple[str, ...],
    about: tuple[str, ...],
    statuses: tuple[str, ...],
    since: str | None,
    title: str,
    output: Path | None,
) -> None:
    """Write a cited report: every claim, its quoted passages with footnotes, its contradictions.

    Example: provenance report --format html --style chicago-author-date --about "North Korea" -o report.html
    """
    if remote.through_server(ctx):  # logged in, no --db: the desk's server runs it (provenance.cli.remote)
        return remote.run(ctx)
    formats.check_report(fmt, style)
    check_output(ctx, output)
    with open_database(ctx, readonly=True) as session:
        data = reports.build_report(session, selection=_selection(keys, about, statuses, since), order=order)
        content = formats.render_report(data, fmt, title=title, style=style)
    _emit(ctx, content, output, "report")


EXPORT_FORMATS = ("webannotation", "claimreview", "prov", "csl", "bundle")


@cli.command("export")
@click.argument("fmt", metavar="FORMAT")
@selection_options
@click.option(
    "--organisation",
    envvar="PROVENANCE_ORGANISATION",
    help="ClaimReview: the fact-checking organisation's name (or $PROVENANCE_ORGANISATION).",
)
@click.option(
    "--base-url",
    envvar="PROVENANCE_BASE_URL",
    help="ClaimReview: the organisation's site, e.g. https://factcheck.example.org (or $PROVENANCE_BASE_URL).",
)
@click.option(
    "--prov-format", default="json", show_default=True, help="prov: json (PROV-JSON), provn or turtle (PROV-O)."
)
@output_option
@click.pass_context
def export_command(
    ctx: click.Context,
    fmt: str,
    keys: tuple[str, ...],
    about: tuple[str, ...],
    statuses: tuple[str, ...],
    since: str | None,
    organisation: str | None,
    base_url: str | None,
    prov_format: str,
    output: Path | None,
) -> None:
    """Export for other tools: webannotation, claimreview, prov, csl, or the whole database as a bundle.

    \b
    Example:
        provenance export webannotation -o annotations.jsonld
        provenance export claimreview --organisation "Desk" --base-url https://factcheck.example.org
        provenance export bundle -o desk.json   # then: provenance --db postgresql://... import desk.json
    """
    selected = bool(keys or about or statuses or since)
    formats.check_export(fmt, selected=selected, organisation=organisation, base_url=base_url)
    check_output(ctx, output)
    with open_database(ctx, readonly=True) as session:
        selection = _selection(keys, about, statuses, since)
        content = formats.render_export(
            session, fmt, selection, organisation=organisation, base_url=base_url, prov_format=prov_format
        )
    _emit(ctx, content, output, f"{fmt} export")
