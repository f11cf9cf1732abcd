"""Commands that check links to sources: ``provenance verify``."""

from __future__ import annotations

import click

from provenance import integrity
from provenance.cli.app import cli, json_option, open_database, print_json


@cli.command("verify")
@json_option
@click.pass_context
def verify_command(ctx: click.Context, as_json: bool) -> int:
    """Check that every link still holds: each source's text against its SHA-256, each passage's text, prefix and
    suffix against its source's text at its offsets, each piece of evidence's quote against its passage (exactly,
    in order for quotes with left-out words, by the same similarity score for fuzzy matches), and every reference
    between rows. Prints each problem on one line (what, which row, expected and found, what to do) and exits
    with 1 if there is any; otherwise a summary. Nothing is changed.

    Example: provenance verify && provenance report --output report.md
    """
    with open_database(ctx) as session:
        checked = integrity.verify(session)
    if as_json:
        print_json(checked.record())
    else:
        for problem in checked.problems:
            click.echo(problem.line())
        click.echo(checked.summary())
    return 0 if checked.ok else 1
