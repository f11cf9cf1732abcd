"""Commands that write reports and exports, and the one way they write files."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from provenance import bundle, citations, documents
from provenance.cli.app import cli, open_database, say
from provenance.errors import Invalid
from provenance.export import claimreview, csl, html, markdown, prov, report_json, webannotation
from provenance.report import ORDERS, Selection, build_report, load_events


def check_output_folder(path: Path) -> None:
    """Refuse an output path whose folder does not exist, before any work is done."""
    if path.is_dir():
        raise Invalid(f"cannot write {path}: it is a folder; give a file name")
    if not path.parent.is_dir():
        raise Invalid(f"cannot write {path}: folder {path.parent} does not exist; create it or choose another path")


def write_output(path: Path, content: str | bytes) -> None:
    """Write ``content`` to ``path`` whole: into a temporary file beside it, then renamed over it."""
    check_output_folder(path)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content.encode("utf-8") if isinstance(content, str) else content)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # mkstemp makes the file private; give it the usual permissions
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


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
) -> Selection:
    return Selection(
        keys=keys, about=about, statuses=statuses, since=documents.parse_date_option(since) if since else None
    )


def _emit(content: str | bytes, output: Path | None, what: str) -> None:
    """Print ``content`` to stdout, or write it whole to ``output``."""
    if output is None:
        if isinstance(content, bytes):
            raise Invalid(f"{what} is binary; write it to a file with --output")
        click.echo(content, nl=False)
    else:
        write_output(output, content)
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
@click.option("--style", default="apa", show_default=True, help=f"Citation style: {', '.join(citations.STYLES)}.")
@click.option("--order", default="key", show_default=True, help=f"Order claims by: {', '.join(ORDERS)} (then key).")
@selection_options
@click.option("--title", default="Cited report", show_default=True, help="The report's heading.")
@click.option("--output", "-o", type=click.Path(path_type=Path), help="Write to this file instead of stdout.")
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
    if fmt not in REPORT_FORMATS:
        raise Invalid(f"unknown report format {fmt!r}; use one of: {', '.join(REPORT_FORMATS)}")
    if style not in citations.STYLES:
        raise Invalid(f"unknown citation style {style!r}; use one of: {', '.join(citations.STYLES)}")
    if output is not None:
        check_output_folder(output)
    with open_database(ctx, readonly=True) as session:
        data = build_report(session, selection=_selection(keys, about, statuses, since), order=order)
        content: str | bytes
        if fmt == "markdown":
            content = markdown.render(data, title=title, style=style)
        elif fmt == "json":
            content = report_json.render(data, title=title)
        elif fmt == "html":
            content = html.render(data, title=title, style=style)
        else:
            content = html.render_pdf(data, title=title, style=style)
    _emit(content, output, "report")


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
@click.option("--output", "-o", type=click.Path(path_type=Path), help="Write to this file instead of stdout.")
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
    if fmt not in EXPORT_FORMATS:
        raise Invalid(f"unknown export format {fmt!r}; use one of: {', '.join(EXPORT_FORMATS)}")
    selected = bool(keys or about or statuses or since)
    if fmt == "bundle" and selected:
        raise Invalid("a bundle holds the whole database; leave out --claim, --about, --status and --since")
    if fmt == "claimreview" and not (organisation and base_url):
        raise Invalid(
            "ClaimReview needs --organisation NAME and --base-url URL (or $PROVENANCE_ORGANISATION "
            "and $PROVENANCE_BASE_URL)"
        )
    if output is not None:
        check_output_folder(output)
    with open_database(ctx, readonly=True) as session:
        if fmt == "bundle":
            content = bundle.dumps(session)
        else:
            data = build_report(session, selection=_selection(keys, about, statuses, since))
            if fmt == "webannotation":
                content = webannotation.render(data)
            elif fmt == "claimreview":
                assert organisation is not None and base_url is not None
                content = claimreview.render(data, organisation=organisation, base_url=base_url)
            elif fmt == "prov":
                content = prov.render(data, load_events(session), fmt=prov_format)
            else:
                content = csl.render(data)
    _emit(content, output, f"{fmt} export")
