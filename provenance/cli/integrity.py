"""Commands that check and repair links to sources: ``provenance verify`` and ``provenance reanchor``."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from provenance.cli import lazy
from provenance.cli.app import cli, json_option, open_database, print_json, say

if TYPE_CHECKING:
    from provenance import anchoring, integrity, reanchor
else:  # loaded when a command first uses them: see provenance.cli.lazy
    anchoring, integrity, reanchor = lazy.modules("provenance.anchoring", "provenance.integrity", "provenance.reanchor")

# reanchor.MIN_SCORE, written out so that --help need not load the anchoring code (tests/test_startup.py checks it)
REANCHOR_MIN_SCORE = 80.0


@cli.command("verify")
@click.option(
    "--expect-head",
    metavar="HASH",
    help="A log head printed by an earlier verify (and noted elsewhere): the chain must still pass through it.",
)
@json_option
@click.pass_context
def verify_command(ctx: click.Context, expect_head: str | None, as_json: bool) -> int:
    """Check that every link still holds: the database file (SQLite's PRAGMA quick_check) and its tables and
    append-only triggers; the event log's hash chain, event by event (changed, removed or inserted events); each
    claim, evidence, contradiction and source (its text's hash and its passages' offsets) against the state the
    log last recorded for it; each source's text against its SHA-256, each passage against its source's text at
    its offsets, each piece of evidence's quote against its passage (exactly, in order for quotes with left-out
    words, by the same similarity score for fuzzy matches), and every reference between rows. Prints each problem
    on one line (what, which row, expected and found, what to do), then the log's head hash (note it elsewhere;
    --expect-head checks it later), then a summary; exits with 1 if there is any problem. Nothing is changed.

    Example: provenance verify && provenance report --output report.md
    """
    if expect_head is not None:
        expect_head = integrity.check_head(expect_head)
    with open_database(ctx, readonly=True) as session:
        checked = integrity.verify(session, expect_head=expect_head)
    if as_json:
        print_json(checked.record())
    else:
        for problem in checked.problems:
            click.echo(problem.line())
        click.echo(checked.head())
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
    {min_score}/100) that keeps every number, date, amount, negation and name of the old passage, it moves with
    that score, marked for review. Otherwise it stays on OLD, orphaned, and the line says why: the passage is no
    longer in NEW, or the close match changes what it says ("changes 12% to 9.4%"), so its stance would not
    hold. Every piece is listed, every move and orphan logged under its claim, and `provenance status` counts
    the orphaned. Sources that are not versions of one document are refused without --force. Running it again
    moves nothing more.

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


reanchor_command.help = (reanchor_command.help or "").replace("{min_score}", f"{REANCHOR_MIN_SCORE:g}")


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
        score = f" {anchoring.format_score(after.anchor_score)}/100" if after.anchor_score is not None else ""
        return (
            f"review\t{head}: {where} -> {to} ({method} match{score}); needs review: "
            f"`provenance evidence confirm {moved.evidence_id} --note WHAT_YOU_CHECKED`"
        )
    return f"moved\t{head}: {where} -> {to} ({method} match)"
