"""Commands that check and repair links to sources: ``provenance verify`` and ``provenance reanchor``."""

from __future__ import annotations

import click

from provenance import integrity, reanchor
from provenance.anchoring import format_score
from provenance.cli.app import cli, json_option, open_database, print_json, say


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
    with open_database(ctx, readonly=True) as session:
        checked = integrity.verify(session)
    if as_json:
        print_json(checked.record())
    else:
        for problem in checked.problems:
            click.echo(problem.line())
        click.echo(checked.summary())
    return 0 if checked.ok else 1


@cli.command("reanchor")
@click.argument("old")
@click.argument("new")
@click.option("--force", is_flag=True, help="Move evidence even if NEW is not a later version of OLD.")
@json_option
@click.pass_context
def reanchor_command(ctx: click.Context, old: str, new: str, force: bool, as_json: bool) -> None:
    """Carry the evidence resting on source OLD over to source NEW, a later version of it.

    Each quote is looked up in NEW as `evidence add` would (the old passage's surrounding text choosing among
    several places): found exactly, the evidence moves; found only as a close match (similarity at least
    {min_score}/100), it moves with that score, marked for review; otherwise it stays on OLD, listed as orphaned
    with the reason. Every piece is listed and every move logged under its claim. Sources that are not versions
    of one document are refused without --force. Running it again moves nothing more.

    Example: provenance reanchor india-north-korea-2018 india-north-korea-2018@2
    """
    with open_database(ctx) as session:
        done = reanchor.reanchor(session, old, new, force=force)
    if as_json:
        print_json(done.record())
    else:
        for moved in done.results:
            click.echo(_line(moved))
    say(done.summary())


reanchor_command.help = (reanchor_command.help or "").replace("{min_score}", format_score(reanchor.MIN_SCORE))


def _line(moved: reanchor.Moved) -> str:
    before = moved.before
    where = f"{before.source} {before.char_start}-{before.char_end}"
    head = f"evidence {moved.evidence_id} (claim {moved.claim})"
    if moved.after is None:
        return f"orphaned\t{head}: stays on {where}: {moved.reason}"
    after = moved.after
    method = after.anchor_method.replace("_", " ")
    to = f"{after.source} {after.char_start}-{after.char_end}"
    if moved.outcome == reanchor.REVIEW:
        score = f" {format_score(after.anchor_score)}/100" if after.anchor_score is not None else ""
        return (
            f"review\t{head}: {where} -> {to} ({method} match{score}); needs review: "
            f"`provenance evidence confirm {moved.evidence_id} --note WHAT_YOU_CHECKED`"
        )
    return f"moved\t{head}: {where} -> {to} ({method} match)"
