"""Commands of the fact-checking workflow: assigning and withdrawing claims, reviewing them (status and verdict),
the desk's settings, and the board (``provenance status``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from provenance.cli import lazy, remote
from provenance.cli.app import (
    ProvenanceGroup,
    cli,
    expect_version_option,
    json_option,
    open_database,
    print_json,
    say,
)
from provenance.cli.capture import claim_group
from provenance.export.tables import table as columns
from provenance.text import nothing_listed, option, printable

if TYPE_CHECKING:
    from provenance import models, workflow
    from provenance.export import board as shown
else:  # loaded when a command first uses them: see provenance.cli.lazy
    models, workflow, shown = lazy.modules("provenance.models", "provenance.workflow", "provenance.export.board")

# The statuses and verdicts as workflow.words writes them, written out so that --help need not load the models
# (tests/test_startup.py checks they agree)
STATUS_WORDS = "unstarted, in progress, in review, published, inconclusive, withdrawn"
VERDICT_WORDS = "true, mostly true, mixed, mostly false, false, unproven"


# --- claims -------------------------------------------------------------------------------------------


@claim_group.command("assign")
@click.argument("key")
@click.option("--to", "assignee", metavar="NAME", help="Who works on the claim (a name as given).")
@click.option("--nobody", is_flag=True, help="Leave the claim unassigned.")
@click.option("--note", help="Why (goes into the log).")
@expect_version_option
@json_option
@click.pass_context
def claim_assign(
    ctx: click.Context,
    key: str,
    assignee: str | None,
    nobody: bool,
    note: str | None,
    expected_version: int | None,
    as_json: bool,
) -> None:
    """Assign claim KEY to someone, or to nobody. Any name is accepted as given; there is no list of users.

    Example: provenance claim assign suntech-diversion --to "Ana Lima" --note "she covers Pakistan"
    """
    if (assignee is None) == (not nobody):
        raise click.UsageError("give --to NAME or --nobody")
    with open_database(ctx) as session:
        claim, changed = workflow.assign_claim(
            session, key, None if nobody else assignee, note=note, expected_version=expected_version
        )
        record = shown.state_record(claim, changed)
    if not changed:
        say(f"claim {key!r} is already assigned to {claim.assignee or 'nobody'}; nothing changed")
    if as_json:
        print_json(record)
    else:
        click.echo(printable(f"{key}\tassigned to {claim.assignee or 'nobody'}"))


@claim_group.command("withdraw")
@click.argument("key")
@click.option("--reason", help="Why it is withdrawn (required; goes into the log).")
@expect_version_option
@json_option
@click.pass_context
def claim_withdraw(
    ctx: click.Context, key: str, reason: str | None, expected_version: int | None, as_json: bool
) -> None:
    """Withdraw claim KEY, saying why. Claims are withdrawn, never deleted: the claim keeps its evidence and
    history, and can be reinstated with `provenance review KEY --status "in progress" --note WHY`.

    Example: provenance claim withdraw khan-bribery-claim --reason "a duplicate of khan-trade-2003"
    """
    with open_database(ctx) as session:
        result = workflow.withdraw_claim(session, key, reason=reason, expected_version=expected_version)
        record = shown.state_record(result.claim, result.changed)
    if not result.changed:
        say(f"claim {key!r} is already withdrawn; nothing changed")
    if as_json:
        print_json(record)
    else:
        click.echo(f"{key}\twithdrawn")


# --- review -------------------------------------------------------------------------------------------


@cli.command("review")
@click.argument("key")
@click.option("--status", metavar="STATUS", help=f"Move the claim to: {STATUS_WORDS}.")
@click.option("--verdict", metavar="VERDICT", help=f"Set the verdict: {VERDICT_WORDS}.")
@click.option(
    "--note",
    help="Why (goes into the log). Required to publish, mark inconclusive, withdraw, send back from review, "
    "reopen, or change a verdict.",
)
@expect_version_option
@json_option
@click.pass_context
def review(
    ctx: click.Context,
    key: str,
    status: str | None,
    verdict: str | None,
    note: str | None,
    expected_version: int | None,
    as_json: bool,
) -> None:
    """Move claim KEY along the workflow and/or set its verdict.

    Moves: unstarted -> in progress -> in review -> published or inconclusive; back from review to in
    progress; published or inconclusive reopened as in progress; withdrawn from any status, and reinstated as
    unstarted or in progress. Publishing needs a verdict, at least one piece of evidence, and someone other
    than whoever last set the verdict (unless `provenance desk set second-reviewer off`).

    \b
    Example:
        provenance review suntech-diversion --status "in review" --verdict unproven
        provenance review suntech-diversion --status published --note "sources re-read; no second report"
    """
    if remote.through_server(ctx):  # logged in, no --db: the desk's server runs it (provenance.cli.remote)
        return remote.run(ctx)
    with open_database(ctx) as session:
        result = workflow.review_claim(
            session, key, status=status, verdict=verdict, note=note, expected_version=expected_version
        )
        claim = result.claim
        record = shown.state_record(claim, result.changed)
    if not result.changed:
        verdict_now = f" with verdict {workflow.words(claim.verdict)}" if verdict and claim.verdict else ""
        say(f"claim {key!r} is already {workflow.words(claim.status)}{verdict_now}; nothing changed")
    if as_json:
        print_json(record)
        return
    before = models.ClaimStatus(str(result.before["status"]))
    moved = f"{workflow.words(before)} -> " if before is not claim.status else ""
    click.echo(
        f"{key}\t{moved}{workflow.words(claim.status)}; verdict: {shown.verdict_text(claim.verdict, claim.verdict_by)}"
    )


# --- the board ----------------------------------------------------------------------------------------


# workflow.BOARD_PER_STATUS, written out so that --help need not load the workflow (tests/test_startup.py checks)
BOARD_PER_STATUS = 50


@cli.command("status")
@click.option("--assignee", metavar="NAME", help="Only the claims assigned to NAME.")
@click.option(
    "--per-status",
    type=click.IntRange(min=1),
    default=BOARD_PER_STATUS,
    show_default=True,
    metavar="N",
    help="Show at most N claims of each status (the first by key); the counts still count them all.",
)
@json_option
@click.pass_context
def status_board(ctx: click.Context, assignee: str | None, per_status: int, as_json: bool) -> None:
    """The desk at a glance: claims by status with counts, who each is assigned to, its verdict and who set it,
    its evidence and how much of it needs review, its open contradictions, and its evidence left on an older
    version of a source: orphaned by `reanchor` (the passage is gone from the newer version, or its close match
    there says something else: `provenance history KEY` gives the reason) or on a superseded version, not yet
    carried over (`provenance reanchor OLD NEW`).

    Example: provenance status --assignee "Ana Lima"
    """
    if remote.through_server(ctx):  # logged in, no --db: the desk's server runs it (provenance.cli.remote)
        return remote.run(ctx)
    with open_database(ctx, readonly=True) as session:
        board = workflow.board(session, assignee=assignee, per_status=per_status)
    if as_json:
        print_json(shown.board_record(board))
    elif assignee is not None and not board.total:
        how = "`provenance claim assign KEY --to NAME` assigns one"
        click.echo(printable(nothing_listed("claim", "claims", [option("--assignee", assignee)], how)))
    else:
        click.echo(printable(shown.board_text(board)))


# --- desk settings ------------------------------------------------------------------------------------


@cli.group("desk", cls=ProvenanceGroup)
def desk_group() -> None:
    """The desk's settings, such as whether publishing needs a second person.

    Example: provenance desk set second-reviewer off --reason "a desk of one until March"
    """


@desk_group.command("show")
@json_option
@click.pass_context
def desk_show(ctx: click.Context, as_json: bool) -> None:
    """Show every desk setting, its value, and who set it when.

    Example: provenance desk show
    """
    with open_database(ctx, readonly=True) as session:
        values = workflow.desk_settings(session)
    if as_json:
        print_json([shown.desk_record(v) for v in values])
        return
    table = [
        [
            v.setting.name,
            v.value,
            f"{v.updated_by} {v.updated_at.date().isoformat()}" if v.updated_at else "default",
            v.setting.meaning,
        ]
        for v in values
    ]
    click.echo(printable(columns(["setting", "value", "set by", "meaning"], table)))


@desk_group.command("set")
@click.argument("name")
@click.argument("value")
@click.option("--reason", help="Why (required; goes into the log).")
@json_option
@click.pass_context
def desk_set(ctx: click.Context, name: str, value: str, reason: str | None, as_json: bool) -> None:
    """Set the desk setting NAME to VALUE, saying why.

    \b
    Settings:
        second-reviewer on|off   publishing needs someone other than whoever last set the verdict (default on)

    Example: provenance desk set second-reviewer off --reason "a desk of one until March"
    """
    with open_database(ctx) as session:
        result, changed = workflow.set_desk_setting(session, name, value, reason=reason)
    if not changed:
        say(f"{result.setting.name} is already {result.value}; nothing changed")
    if as_json:
        print_json({**shown.desk_record(result), "changed": changed})
    else:
        click.echo(f"{result.setting.name}\t{result.value}")
